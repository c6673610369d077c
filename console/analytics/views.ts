/**
 * What each analysis screen draws: from the API's answer, the ECharts option of its chart and the
 * table(s) beside it. Pure functions of the answer (no DOM), so a screen is the same picture for
 * the same numbers; the table holds every number the chart shows.
 */
import type {
  AcquisitionAnswer,
  ActivationAnswer,
  AnalysisAnswer,
  ChurnAnswer,
  EventAnswer,
  FunnelAnswer,
  MatchingAnswer,
  PathAnswer,
  ViralAnswer,
} from '../../sdk/contract-analytics';
import type { ChartOption } from './chart';
import type { AnT } from './i18n';

export interface Table {
  caption: string;
  columns: { label: string; num?: boolean }[];
  rows: (string | number)[][];
}

export interface View {
  /** the chart's accessible name */
  label: string;
  option: ChartOption;
  /** lines above the chart (totals, notes) */
  summary: string[];
  tables: Table[];
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '' : `${(x * 100).toFixed(1)}%`);
const duration = (ms: number | null) => {
  if (ms === null) return '';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
};
const tooltip = { trigger: 'axis' as const };
const legend = { type: 'plain' as const, top: 0 };
const grid = { left: 48, right: 24, top: 36, bottom: 32, containLabel: true };

function acquisition(a: AcquisitionAnswer, t: AnT): View {
  const groups = a.groups.map((g) => g.value);
  return {
    label: `${t('an.acquisition')}: ${t('an.new')} / ${a.by}`,
    summary: [`${t('an.new')} ${a.totals.new} · ${t('an.activated')} ${a.totals.activated} · ${t('an.rate')} ${pct(a.totals.rate)}`],
    option: {
      tooltip,
      legend,
      grid,
      xAxis: { type: 'category', data: a.series.map((s) => s.start) },
      yAxis: { type: 'value' },
      series: [
        ...groups.map((g) => ({ type: 'line' as const, name: g, data: a.series.map((s) => s.groups[g]?.new ?? 0) })),
        { type: 'line' as const, name: t('an.activated'), lineStyle: { type: 'dashed' as const }, data: a.series.map((s) => s.activated) },
      ],
    },
    tables: [
      {
        caption: `${t('an.by')}: ${a.by}`,
        columns: [{ label: a.by }, { label: t('an.new'), num: true }, { label: t('an.activated'), num: true }, { label: t('an.rate'), num: true }],
        rows: a.groups.map((g) => [g.value || '—', g.new, g.activated, pct(g.rate)]),
      },
    ],
  };
}

function activation(a: ActivationAnswer, t: AnT): View {
  const states = ['active', 'new', 'returning', 'reactivated', 'dormant'] as const;
  const names = [t('an.active'), t('an.newActive'), t('an.returning'), t('an.reactivated'), t('an.dormant')];
  const data = a.series.flatMap((s, x) => states.map((k, y) => [x, y, s[k]]));
  return {
    label: `${t('an.activation')}: ${names.join(', ')}`,
    summary: [
      t('an.dormantAtStart', { n: a.dormantAtStart }),
      ...(a.campaign ? [t('an.broughtBack', { campaign: a.campaign.campaign, n: a.campaign.broughtBack, share: pct(a.campaign.share) })] : []),
    ],
    option: {
      tooltip: { position: 'top' },
      grid: { ...grid, bottom: 64 },
      xAxis: { type: 'category', data: a.series.map((s) => s.start), splitArea: { show: true } },
      yAxis: { type: 'category', data: names, splitArea: { show: true } },
      visualMap: { min: 0, max: Math.max(1, ...a.series.flatMap((s) => states.map((k) => s[k]))), calculable: false, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#eef4fa', '#0b4f8a'] } },
      series: [{ type: 'heatmap', name: t('an.customers'), data, label: { show: true } }],
    },
    tables: [
      {
        caption: t('an.activation'),
        columns: [{ label: t('an.period') }, ...names.map((label) => ({ label, num: true }))],
        rows: a.series.map((s) => [s.start, ...states.map((k) => s[k])]),
      },
    ],
  };
}

function funnel(a: FunnelAnswer, t: AnT): View {
  return {
    label: `${t('an.funnel')}: ${t('an.customers')} / ${t('an.step')}`,
    summary: [`${t('an.conversion')} ${pct(a.steps[a.steps.length - 1]?.fromFirst)}`],
    option: {
      tooltip,
      // room for the bars' "count (share)" labels
      grid: { ...grid, right: 110 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: a.steps.map((s, i) => `${i + 1}. ${s.step}`) },
      series: [
        {
          type: 'bar',
          name: t('an.customers'),
          data: a.steps.map((s) => s.customers),
          label: { show: true, position: 'right', formatter: (p: { dataIndex: number }) => `${a.steps[p.dataIndex]!.customers} (${pct(a.steps[p.dataIndex]!.fromFirst)})` },
        },
      ],
    },
    tables: [
      {
        caption: t('an.funnel'),
        columns: [
          { label: t('an.step') },
          { label: t('an.customers'), num: true },
          { label: t('an.fromPrevious'), num: true },
          { label: t('an.fromFirst'), num: true },
          { label: t('an.median'), num: true },
          { label: t('an.dropped'), num: true },
        ],
        rows: a.steps.map((s, i) => [`${i + 1}. ${s.step}`, s.customers, pct(s.fromPrevious), pct(s.fromFirst), duration(s.medianMsFromPrevious), s.droppedAfter]),
      },
      ...(a.by
        ? [
            {
              caption: `${t('an.by')}: ${a.by}`,
              columns: [{ label: t('an.group') }, ...a.steps.map((_, i) => ({ label: `${t('an.step')} ${i + 1}`, num: true })), { label: t('an.conversion'), num: true }],
              rows: a.groups.map((g) => [g.value || '—', ...g.customers, pct(g.conversion)]),
            },
          ]
        : []),
    ],
  };
}

function path(a: PathAnswer, t: AnT): View {
  return {
    label: `${t('an.path')}: ${a.anchor}`,
    summary: [t('an.sessions', { n: a.sessions })],
    option: {
      tooltip: { trigger: 'item' },
      series: [
        {
          type: 'sankey',
          name: a.anchor,
          left: 8,
          right: 160,
          nodeGap: 10,
          emphasis: { focus: 'adjacency' },
          data: a.nodes.map((n) => ({ name: n.id, depth: n.depth, value: n.count })),
          links: a.links.map((l) => ({ source: l.source, target: l.target, value: l.count })),
          label: { formatter: (p: { name: string }) => p.name.replace(/^\d+:/, '') },
        },
      ],
    },
    tables: [
      {
        caption: t('an.flow'),
        columns: [{ label: t('an.flow') }, { label: t('an.count'), num: true }],
        rows: a.links.map((l) => [`${l.source} → ${l.target}`, l.count]),
      },
    ],
  };
}

function event(a: EventAnswer, t: AnT): View {
  const starts = a.events[0]?.series.map((s) => s.start) ?? [];
  return {
    label: `${t('an.event')}: ${a.events.map((e) => e.event).join(', ')}`,
    summary: a.previous ? [`${t('an.previous')}: ${a.previous.from} – ${a.previous.to}`] : [],
    option: {
      tooltip,
      legend: { ...legend, type: 'scroll' as never },
      grid,
      xAxis: { type: 'category', data: starts },
      yAxis: { type: 'value' },
      series: a.events.flatMap((e) => [
        { type: 'line' as const, name: e.event, data: e.series.map((s) => s.count) },
        ...(a.previous ? [{ type: 'line' as const, name: `${e.event} (${t('an.previous')})`, lineStyle: { type: 'dashed' as const }, data: e.series.map((s) => s.previousCount ?? 0) }] : []),
      ]),
    },
    tables: [
      {
        caption: t('an.event'),
        columns: [
          { label: t('an.event') },
          { label: t('an.count'), num: true },
          { label: t('an.uniques'), num: true },
          { label: t('an.previous'), num: true },
          { label: t('an.change'), num: true },
        ],
        rows: a.events.map((e) => [e.event, e.count, e.uniques, e.previous?.count ?? '', e.previous?.change === null || !e.previous ? '' : pct(e.previous.change)]),
      },
      ...a.events
        .filter((e) => e.groups.length)
        .map((e) => ({
          caption: `${e.event} · ${t('an.by')}: ${a.by}`,
          columns: [{ label: t('an.group') }, { label: t('an.count'), num: true }, { label: t('an.uniques'), num: true }],
          rows: e.groups.map((g) => [g.value || '—', g.count, g.uniques]),
        })),
    ],
  };
}

function viral(a: ViralAnswer, t: AnT): View {
  return {
    label: `${t('an.viral')}: ${t('an.inviter')} / ${t('an.accepted')}`,
    summary: [`${t('an.kFactor')} ${a.kFactor} · ${t('an.acceptance')} ${pct(a.acceptance)} · ${t('an.cycleTime')} ${duration(a.cycleTimeMs)}`],
    option: {
      tooltip,
      grid,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: a.topInviters.map((i) => i.customer) },
      series: [{ type: 'bar', name: t('an.accepted'), data: a.topInviters.map((i) => i.accepted) }],
    },
    tables: [
      {
        caption: t('an.viral'),
        columns: [
          { label: t('an.invitations'), num: true },
          { label: t('an.senders'), num: true },
          { label: t('an.accepted'), num: true },
          { label: t('an.acceptance'), num: true },
          { label: t('an.cohort'), num: true },
          { label: t('an.kFactor'), num: true },
          { label: t('an.cycleTime'), num: true },
        ],
        rows: [[a.invitations, a.senders, a.accepted, pct(a.acceptance), a.cohort, a.kFactor, duration(a.cycleTimeMs)]],
      },
      {
        caption: t('an.inviter'),
        columns: [{ label: t('an.inviter') }, { label: t('an.accepted'), num: true }],
        rows: a.topInviters.map((i) => [i.customer, i.accepted]),
      },
    ],
  };
}

function matching(a: MatchingAnswer, t: AnT): View {
  return {
    label: `${t('an.matching')}: ${t('an.ctr')} / ${a.by}`,
    summary: [
      `${t('an.impressions')} ${a.totals.impressions} · ${t('an.ctr')} ${pct(a.totals.ctr)} · ${t('an.cvr')} ${pct(a.totals.cvr)} · ${t('an.value')} ${a.totals.conversionValue}`,
      t('an.unmatched', { n: a.unmatchedFeedback }),
      t('an.suitabilityRemoved', { n: a.suitabilityRemoved }),
    ],
    option: {
      tooltip,
      legend,
      grid,
      xAxis: { type: 'category', data: a.groups.map((g) => g.value) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => pct(v) } },
      series: [
        { type: 'bar', name: t('an.ctr'), data: a.groups.map((g) => g.ctr) },
        { type: 'bar', name: t('an.exploredCtr'), data: a.groups.map((g) => g.explored.ctr) },
        { type: 'bar', name: t('an.exploitedCtr'), data: a.groups.map((g) => g.exploited.ctr) },
      ],
    },
    tables: [
      {
        caption: `${t('an.by')}: ${a.by}`,
        columns: [
          { label: a.by },
          { label: t('an.impressions'), num: true },
          { label: t('an.clicks'), num: true },
          { label: t('an.ctr'), num: true },
          { label: t('an.conversions'), num: true },
          { label: t('an.cvr'), num: true },
          { label: t('an.value'), num: true },
          { label: t('an.exploredCtr'), num: true },
          { label: t('an.exploitedCtr'), num: true },
        ],
        rows: a.groups.map((g) => [g.value || '—', g.impressions, g.clicks, pct(g.ctr), g.conversions, pct(g.cvr), g.conversionValue, pct(g.explored.ctr), pct(g.exploited.ctr)]),
      },
      {
        caption: t('an.suitabilityByModel'),
        columns: [{ label: 'model' }, { label: t('an.decisions'), num: true }, { label: t('an.removed'), num: true }],
        rows: a.suitability.map((m) => [m.model, m.decisions, m.removed]),
      },
    ],
  };
}

function churn(a: ChurnAnswer, t: AnT): View {
  const weeks = Array.from({ length: a.retention.weeks }, (_, k) => t('an.weekN', { n: k }));
  const data = a.retention.cohorts.flatMap((c, y) => c.rates.flatMap((r, x) => (r === null ? [] : [[x, y, Math.round(r * 1000) / 10]])));
  const m = a.risk.model;
  return {
    label: `${t('an.churn')}: ${t('an.retention')}`,
    summary: [m ? t('an.riskSummary', { scored: a.risk.scored, atRisk: a.risk.atRisk, minRisk: a.risk.minRisk, auc: m.auc, days: a.risk.horizonDays }) : t('an.noModel')],
    option: {
      tooltip: { position: 'top' },
      grid: { ...grid, bottom: 64 },
      xAxis: { type: 'category', data: weeks, splitArea: { show: true } },
      yAxis: { type: 'category', inverse: true, data: a.retention.cohorts.map((c) => `${c.start} (${c.customers})`), splitArea: { show: true } },
      visualMap: { min: 0, max: 100, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#fbeaea', '#1d6b3a'] } },
      series: [{ type: 'heatmap', name: t('an.retention'), data, label: { show: true, formatter: (p) => `${(p.value as number[])[2]}%` } }],
    },
    tables: [
      {
        caption: t('an.retention'),
        columns: [{ label: t('an.cohortStart') }, { label: t('an.customers'), num: true }, ...weeks.map((label) => ({ label, num: true }))],
        rows: a.retention.cohorts.map((c) => [c.start, c.customers, ...c.rates.map((r) => pct(r))]),
      },
      {
        caption: t('an.risk'),
        columns: [{ label: t('an.customer') }, { label: t('an.score'), num: true }, { label: t('an.reasons') }],
        rows: a.risk.customers.map((c) => [c.customer, c.score, c.reasons.map((r) => `${r.label} (+${r.contribution})`).join('; ')]),
      },
    ],
  };
}

export function viewOf(a: AnalysisAnswer, t: AnT): View {
  switch (a.analysis) {
    case 'acquisition':
      return acquisition(a, t);
    case 'activation':
      return activation(a, t);
    case 'funnel':
      return funnel(a, t);
    case 'path':
      return path(a, t);
    case 'event':
      return event(a, t);
    case 'viral':
      return viral(a, t);
    case 'matching':
      return matching(a, t);
    case 'churn':
      return churn(a, t);
  }
}

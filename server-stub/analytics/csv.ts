/**
 * An analysis answer as CSV (`?format=csv`): the table shown beside its chart, one row per line,
 * RFC 4180 quoting. A cell that a spreadsheet would run as a formula (= + - @ first) gets a leading
 * apostrophe: event names and property values come from devices.
 */
import type { AnalysisAnswer } from '../../sdk/contract-analytics';

const cell = (v: unknown): string => {
  let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?(e-?\d+)?$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const table = (header: string[], rows: unknown[][]): string => [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';

const SUMS = ['impressions', 'clicks', 'conversions', 'conversionValue', 'ctr', 'cvr'] as const;

export function toCsv(a: AnalysisAnswer): string {
  switch (a.analysis) {
    case 'acquisition':
      return table(
        ['start', a.by, 'new', 'activated'],
        a.series.flatMap((s) => Object.entries(s.groups).map(([v, g]) => [s.start, v, g.new, g.activated])),
      );
    case 'activation':
      return table(['start', 'active', 'new', 'returning', 'reactivated', 'dormant'], a.series.map((s) => [s.start, s.active, s.new, s.returning, s.reactivated, s.dormant]));
    case 'funnel':
      return table(
        ['step', 'customers', 'from_previous', 'from_first', 'median_ms_from_previous', 'dropped_after'],
        a.steps.map((s) => [s.step, s.customers, s.fromPrevious, s.fromFirst, s.medianMsFromPrevious, s.droppedAfter]),
      );
    case 'path':
      return table(['source', 'target', 'count'], a.links.map((l) => [l.source, l.target, l.count]));
    case 'event':
      return table(
        ['event', 'start', 'count', 'uniques', 'previous_count', 'previous_uniques'],
        a.events.flatMap((e) => e.series.map((s) => [e.event, s.start, s.count, s.uniques, s.previousCount, s.previousUniques])),
      );
    case 'viral':
      return table(
        ['from', 'to', 'invitations', 'senders', 'accepted', 'acceptance', 'cohort', 'k_factor', 'cycle_time_ms'],
        [[a.from, a.to, a.invitations, a.senders, a.accepted, a.acceptance, a.cohort, a.kFactor, a.cycleTimeMs]],
      );
    case 'matching':
      return table(
        [a.by, ...SUMS, ...SUMS.map((s) => `explored_${s}`), ...SUMS.map((s) => `exploited_${s}`)],
        a.groups.map((g) => [g.value, ...SUMS.map((s) => g[s]), ...SUMS.map((s) => g.explored[s]), ...SUMS.map((s) => g.exploited[s])]),
      );
    case 'churn':
      return table(
        ['customer', 'score', 'reasons'],
        a.risk.customers.map((c) => [c.customer, c.score, c.reasons.map((r) => `${r.feature} +${r.contribution}`).join('; ')]),
      );
  }
}

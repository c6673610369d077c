/**
 * Event (事件): counts and unique customers per interval for chosen events, broken down by a
 * property, channel or segment, against the previous period of the same length. Definitions:
 * README "Analytics".
 */
import type { EventAnswer } from '../../sdk/contract-analytics';
import { bad, by as byParam, dateOf, DAY_MS, intervalOf, intervals, oneOf, propOf, ratio, type Filters, type Query } from './params';
import type { AnalyticsStore, Customer } from './store';

export const EVENT_BY = ['channel', 'segment'] as const;
const MAX_EVENTS = 10;
const MAX_GROUPS = 20;

function run(store: AnalyticsStore, f: Filters, q: Query) {
  const interval = oneOf(q, 'interval', ['day', 'week'] as const, 'day');
  const compare = oneOf(q, 'compare', ['true', 'false'] as const, 'true') === 'true';
  const breakdown = byParam(q, EVENT_BY, undefined);
  const span = f.to - f.from;
  let names: string[];
  if (q.events !== undefined) {
    names = [...new Set(q.events.split(','))];
    if (!names.length || names.length > MAX_EVENTS || names.some((n) => !/^[^\s,]{1,128}$/.test(n))) {
      throw bad('events', `1 to ${MAX_EVENTS} comma-separated event names, got "${q.events}"`);
    }
  } else {
    names = store
      .names(f.app)
      .map((n) => [n, store.countOf(f.app, n, f.from, f.to)] as const)
      .filter(([, c]) => c > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_EVENTS)
      .map(([n]) => n);
  }
  const starts = intervals(f, interval);
  const step = interval === 'day' ? 1 : 7;
  type Acc = {
    count: number;
    uniques: number;
    prevCount: number;
    prevUniques: number;
    series: { count: number; uniques: number }[];
    prevSeries: { count: number; uniques: number }[];
    groups: Map<string, { count: number; uniques: Set<number> | number }>;
  };
  const acc = new Map<string, Acc>(
    names.map((n) => [
      n,
      {
        count: 0,
        uniques: 0,
        prevCount: 0,
        prevUniques: 0,
        series: starts.map(() => ({ count: 0, uniques: 0 })),
        prevSeries: starts.map(() => ({ count: 0, uniques: 0 })),
        groups: new Map(),
      },
    ]),
  );
  const days = span / DAY_MS;
  if (!f.keep && (!breakdown || (breakdown.kind === 'dimension' && breakdown.name === 'channel'))) {
    // the rollup answers in SQL: events and distinct customers per name, interval and channel
    const counts = (fromDay: number, toDay: number, o: { step: number; byChannel?: boolean }) => store.eventCounts(f.app, names, fromDay, toDay, { ...o, channel: f.channel });
    for (const r of counts(f.fromDay, f.toDay, { step: 0 })) Object.assign(acc.get(r.name)!, { count: r.count, uniques: r.uniques });
    for (const r of counts(f.fromDay, f.toDay, { step })) acc.get(r.name)!.series[r.k] = { count: r.count, uniques: r.uniques };
    if (compare) {
      for (const r of counts(f.fromDay - days, f.fromDay - 1, { step: 0 })) Object.assign(acc.get(r.name)!, { prevCount: r.count, prevUniques: r.uniques });
      for (const r of counts(f.fromDay - days, f.fromDay - 1, { step })) acc.get(r.name)!.prevSeries[r.k] = { count: r.count, uniques: r.uniques };
    }
    if (breakdown) for (const r of counts(f.fromDay, f.toDay, { step: 0, byChannel: true })) acc.get(r.name)!.groups.set(r.channel, { count: r.count, uniques: r.uniques });
  } else {
    const segments = breakdown?.name === 'segment' && breakdown.kind === 'dimension' ? new Map<number, Customer>(store.customers(f.app).map((c) => [c.cid, c])) : undefined;
    const sets = new Map(names.map((n) => [n, { all: new Set<number>(), prev: new Set<number>(), series: starts.map(() => new Set<number>()), prevSeries: starts.map(() => new Set<number>()) }]));
    for (const e of store.facts(f.app, names, compare ? f.from - span : f.from, f.to, { unordered: true, props: breakdown?.kind === 'prop' })) {
      if ((f.channel && e.channel !== f.channel) || (f.keep && !f.keep(e.cid))) continue;
      const a = acc.get(e.name)!;
      const u = sets.get(e.name)!;
      const day = Math.floor(e.ts / DAY_MS);
      if (e.ts < f.from) {
        const k = intervalOf(f, interval, day + days);
        a.prevCount++;
        u.prev.add(e.cid);
        a.prevSeries[k]!.count++;
        u.prevSeries[k]!.add(e.cid);
        continue;
      }
      const k = intervalOf(f, interval, day);
      a.count++;
      u.all.add(e.cid);
      a.series[k]!.count++;
      u.series[k]!.add(e.cid);
      if (breakdown) {
        const value =
          breakdown.kind === 'prop' ? propOf(e.props, breakdown.name) : breakdown.name === 'channel' ? e.channel : (segments!.get(e.cid)?.segment ?? '');
        let g = a.groups.get(value);
        if (!g) a.groups.set(value, (g = { count: 0, uniques: new Set<number>() }));
        g.count++;
        (g.uniques as Set<number>).add(e.cid);
      }
    }
    for (const [n, a] of acc) {
      const u = sets.get(n)!;
      a.uniques = u.all.size;
      a.prevUniques = u.prev.size;
      a.series.forEach((s, i) => (s.uniques = u.series[i]!.size));
      a.prevSeries.forEach((s, i) => (s.uniques = u.prevSeries[i]!.size));
    }
  }
  const answer: EventAnswer = {
    analysis: 'event',
    from: dateOf(f.fromDay),
    to: dateOf(f.toDay),
    interval,
    by: breakdown ? (breakdown.kind === 'prop' ? `prop:${breakdown.name}` : breakdown.name) : null,
    previous: compare ? { from: dateOf(f.fromDay - span / DAY_MS), to: dateOf(f.fromDay - 1) } : null,
    events: names.map((n) => {
      const a = acc.get(n)!;
      const sorted = [...a.groups].sort((x, y) => y[1].count - x[1].count || (x[0] < y[0] ? -1 : 1));
      const shown = sorted.length > MAX_GROUPS ? sorted.slice(0, MAX_GROUPS - 1) : sorted;
      const size = (u: Set<number> | number) => (typeof u === 'number' ? u : u.size);
      const groups = shown.map(([value, g]) => ({ value, count: g.count, uniques: size(g.uniques) }));
      if (shown.length < sorted.length) groups.push(other(sorted.slice(shown.length).map(([, g]) => g as { count: number; uniques: Set<number> })));
      return {
        event: n,
        count: a.count,
        uniques: a.uniques,
        previous: compare ? { count: a.prevCount, uniques: a.prevUniques, change: a.prevCount ? ratio(a.count - a.prevCount, a.prevCount) : null } : null,
        series: starts.map((d, i) => ({
          start: dateOf(d),
          count: a.series[i]!.count,
          uniques: a.series[i]!.uniques,
          ...(compare ? { previousCount: a.prevSeries[i]!.count, previousUniques: a.prevSeries[i]!.uniques } : {}),
        })),
        groups,
      };
    }),
  };
  return { answer, lists: {} as Record<string, string[]> };
}

/** The groups past the first ones as one: counts summed, customers counted once. */
const other = (rest: { count: number; uniques: Set<number> }[]) => {
  const uniques = new Set<number>();
  for (const g of rest) for (const c of g.uniques) uniques.add(c);
  return { value: '(other)', count: rest.reduce((s, g) => s + g.count, 0), uniques: uniques.size };
};

export const event = { name: 'event' as const, lists: [] as string[], run };

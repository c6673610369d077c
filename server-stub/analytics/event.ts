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
  const segments = breakdown?.name === 'segment' && breakdown.kind === 'dimension' ? new Map<number, Customer>(store.customers(f.app).map((c) => [c.cid, c])) : undefined;
  const starts = intervals(f, interval);
  const acc = new Map(
    names.map((n) => [
      n,
      {
        count: 0,
        uniques: new Set<number>(),
        prevCount: 0,
        prevUniques: new Set<number>(),
        series: starts.map(() => ({ count: 0, uniques: new Set<number>() })),
        prevSeries: starts.map(() => ({ count: 0, uniques: new Set<number>() })),
        groups: new Map<string, { count: number; uniques: Set<number> }>(),
      },
    ]),
  );
  for (const e of store.facts(f.app, names, compare ? f.from - span : f.from, f.to, { unordered: true, props: breakdown?.kind === 'prop' })) {
    if ((f.channel && e.channel !== f.channel) || (f.keep && !f.keep(e.cid))) continue;
    const a = acc.get(e.name)!;
    const day = Math.floor(e.ts / DAY_MS);
    if (e.ts < f.from) {
      a.prevCount++;
      a.prevUniques.add(e.cid);
      const s = a.prevSeries[intervalOf(f, interval, day + span / DAY_MS)]!;
      s.count++;
      s.uniques.add(e.cid);
      continue;
    }
    a.count++;
    a.uniques.add(e.cid);
    const s = a.series[intervalOf(f, interval, day)]!;
    s.count++;
    s.uniques.add(e.cid);
    if (breakdown) {
      const value =
        breakdown.kind === 'prop' ? propOf(e.props, breakdown.name) : breakdown.name === 'channel' ? e.channel : (segments!.get(e.cid)?.segment ?? '');
      let g = a.groups.get(value);
      if (!g) a.groups.set(value, (g = { count: 0, uniques: new Set() }));
      g.count++;
      g.uniques.add(e.cid);
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
      const groups = shown.map(([value, g]) => ({ value, count: g.count, uniques: g.uniques.size }));
      if (shown.length < sorted.length) groups.push(other(sorted.slice(shown.length).map(([, g]) => g)));
      return {
        event: n,
        count: a.count,
        uniques: a.uniques.size,
        previous: compare ? { count: a.prevCount, uniques: a.prevUniques.size, change: a.prevCount ? ratio(a.count - a.prevCount, a.prevCount) : null } : null,
        series: starts.map((d, i) => ({
          start: dateOf(d),
          count: a.series[i]!.count,
          uniques: a.series[i]!.uniques.size,
          ...(compare ? { previousCount: a.prevSeries[i]!.count, previousUniques: a.prevSeries[i]!.uniques.size } : {}),
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

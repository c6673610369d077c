/**
 * Acquisition (拉新): new customers per interval by first-touch source, and how many of them did
 * the "activated" event within N days of their first touch. Definitions: README "Analytics".
 */
import type { AcquisitionAnswer } from '../../sdk/contract-analytics';
import { by as byParam, dateOf, DAY_MS, int, intervalOf, intervals, keyOf, name, oneOf, ratio, type Filters, type Query } from './params';
import type { AnalyticsStore, Customer } from './store';

export const ACQUISITION_BY = ['channel', 'source', 'medium', 'campaign', 'referrer'] as const;

interface Run {
  answer: AcquisitionAnswer;
  lists: Record<string, string[]>;
}

function run(store: AnalyticsStore, f: Filters, q: Query): Run {
  const interval = oneOf(q, 'interval', ['day', 'week'] as const, 'day');
  const breakdown = byParam(q, ACQUISITION_BY, 'source', false)!.name as (typeof ACQUISITION_BY)[number];
  const event = name(q, 'activation', 'loan_apply_submit');
  const days = int(q, 'days', 7, 1, 90);
  const cohort = store
    .customers(f.app)
    .filter((c) => c.firstTs >= f.from && c.firstTs < f.to && (!f.channel || c.channel === f.channel) && (!f.keep || f.keep(c.cid)));
  const inCohort = new Map<number, Customer>(cohort.map((c) => [c.cid, c]));
  const activated = new Set<number>();
  for (const e of store.facts(f.app, [event], f.from, f.to + days * DAY_MS, { unordered: true, props: false })) {
    const c = inCohort.get(e.cid);
    if (c && e.ts < c.firstTs + days * DAY_MS) activated.add(e.cid);
  }
  const starts = intervals(f, interval);
  const series = starts.map((d) => ({ start: dateOf(d), new: 0, activated: 0, groups: {} as Record<string, { new: number; activated: number }> }));
  const groups = new Map<string, { new: number; activated: number }>();
  for (const c of cohort) {
    const s = series[intervalOf(f, interval, Math.floor(c.firstTs / DAY_MS))]!;
    const value = c[breakdown];
    const a = activated.has(c.cid) ? 1 : 0;
    s.new++;
    s.activated += a;
    const sg = (s.groups[value] ??= { new: 0, activated: 0 });
    sg.new++;
    sg.activated += a;
    let g = groups.get(value);
    if (!g) groups.set(value, (g = { new: 0, activated: 0 }));
    g.new++;
    g.activated += a;
  }
  return {
    answer: {
      analysis: 'acquisition',
      from: dateOf(f.fromDay),
      to: dateOf(f.toDay),
      interval,
      by: breakdown,
      activation: { event, days },
      totals: { new: cohort.length, activated: activated.size, rate: ratio(activated.size, cohort.length) },
      groups: [...groups]
        .map(([value, g]) => ({ value, ...g, rate: ratio(g.activated, g.new) }))
        .sort((a, b) => b.new - a.new || (a.value < b.value ? -1 : 1)),
      series,
    },
    lists: {
      new: cohort.map(keyOf),
      activated: cohort.filter((c) => activated.has(c.cid)).map(keyOf),
      not_activated: cohort.filter((c) => !activated.has(c.cid)).map(keyOf),
    },
  };
}

export const acquisition = {
  name: 'acquisition' as const,
  /** the customer lists "make an audience" can save (`list=`) */
  lists: ['new', 'activated', 'not_activated'],
  run,
};

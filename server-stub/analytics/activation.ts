/**
 * Activation (促活): active, new, returning, reactivated and dormant customers per interval, and
 * what share of the customers dormant at the start of the range a campaign brought back.
 * Definitions: README "Analytics".
 *
 * Only the customer-days from `from − D − 1` on are read: a customer with no active day in there
 * was last active before it, so any gap it ends is longer than D days (exact without the history).
 */
import type { ActivationAnswer } from '../../sdk/contract-analytics';
import { dateOf, DAY_MS, int, intervals, keyOf, oneOf, ratio, type Filters, type Query } from './params';
import type { AnalyticsStore, Customer } from './store';

function run(store: AnalyticsStore, f: Filters, q: Query) {
  const interval = oneOf(q, 'interval', ['day', 'week'] as const, 'week');
  const D = int(q, 'dormantDays', 14, 1, 180);
  const campaign = q.campaign;
  const customers = store.customers(f.app).filter((c) => (!f.channel || c.channel === f.channel) && (!f.keep || f.keep(c.cid)));
  const byCid = new Map<number, Customer>(customers.map((c) => [c.cid, c]));
  const firstDay = (c: Customer) => Math.floor(c.firstTs / DAY_MS);
  const lo = f.fromDay - D - 1;
  /** per customer kept: active days from `lo` on (ascending, distinct) */
  const sorted = new Map<number, number[]>();
  for (const [cid, a] of store.activeDays(f.app, lo, f.toDay + 1)) if (byCid.has(cid)) sorted.set(cid, a.days);

  const starts = intervals(f, interval);
  const step = interval === 'day' ? 1 : 7;
  const ends = starts.map((a) => Math.min(a + step - 1, f.toDay));
  /** whether a customer with these active days (ascending) is dormant at the end of `day` */
  const dormantOn = (c: Customer, days: number[] | undefined, day: number): boolean => {
    if (firstDay(c) > day) return false;
    if (!days) return true;
    // the last active day ≤ day, by binary search
    let lo2 = 0;
    let hi = days.length;
    while (lo2 < hi) {
      const mid = (lo2 + hi) >> 1;
      if (days[mid]! <= day) lo2 = mid + 1;
      else hi = mid;
    }
    return lo2 === 0 || days[lo2 - 1]! <= day - D;
  };
  const rows = starts.map(() => ({ active: 0, new: 0, reactivated: 0, dormant: 0 }));
  const lists = { active: new Set<string>(), new: new Set<string>(), reactivated: new Set<string>() };
  const dormantStart: Customer[] = [];
  const dormantEnd: Customer[] = [];
  // one pass per customer: the intervals their days fall in, and their state at each interval's end
  for (const c of customers) {
    const days = sorted.get(c.cid);
    const fd = firstDay(c);
    if (dormantOn(c, days, f.fromDay - 1)) dormantStart.push(c);
    if (dormantOn(c, days, f.toDay)) dormantEnd.push(c);
    for (let p = 0; p < starts.length; p++) if (dormantOn(c, days, ends[p]!)) rows[p]!.dormant++;
    if (!days) continue;
    let seen = -1;
    for (let k = 0; k < days.length; k++) {
      const d = days[k]!;
      if (d < f.fromDay) continue;
      const p = Math.floor((d - f.fromDay) / step);
      if (p === seen || p >= starts.length) continue;
      // the first active day of this customer in interval p
      seen = p;
      const r = rows[p]!;
      r.active++;
      lists.active.add(keyOf(c));
      if (fd >= starts[p]! && fd <= ends[p]!) {
        r.new++;
        lists.new.add(keyOf(c));
      } else if (fd < d && d - (k > 0 ? days[k - 1]! : lo - 1) - 1 >= D) {
        r.reactivated++;
        lists.reactivated.add(keyOf(c));
      }
    }
  }
  const series = starts.map((a, p) => {
    const r = rows[p]!;
    return { start: dateOf(a), active: r.active, new: r.new, returning: r.active - r.new - r.reactivated, reactivated: r.reactivated, dormant: r.dormant };
  });

  const dormantAtStart = dormantStart;
  let broughtBack = 0;
  if (campaign !== undefined) {
    for (const c of dormantAtStart) {
      const days = sorted.get(c.cid) ?? [];
      const k = days.findIndex((d) => d >= f.fromDay);
      // their first active day in the range ends the dormancy; it counts when the campaign opened it
      if (k >= 0 && store.campaignOn(f.app, c.cid, days[k]!) === campaign) broughtBack++;
    }
  }
  const answer: ActivationAnswer = {
    analysis: 'activation',
    from: dateOf(f.fromDay),
    to: dateOf(f.toDay),
    interval,
    dormantDays: D,
    series,
    dormantAtStart: dormantAtStart.length,
    campaign: campaign === undefined ? null : { campaign, broughtBack, share: ratio(broughtBack, dormantAtStart.length) },
  };
  return {
    answer,
    lists: { active: [...lists.active], new: [...lists.new], reactivated: [...lists.reactivated], dormant: dormantEnd.map(keyOf) },
  };
}

export const activation = { name: 'activation' as const, lists: ['active', 'new', 'reactivated', 'dormant'], run };

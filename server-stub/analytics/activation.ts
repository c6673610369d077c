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

  /** dormant at the end of `day`: seen by then, no active day in the D days ending there */
  const dormantAt = (day: number): Customer[] =>
    customers.filter((c) => firstDay(c) <= day && !(sorted.get(c.cid) ?? []).some((d) => d > day - D && d <= day));

  /** the day `d`'s customer was reactivated on, if its previous active day is more than D days back */
  const gapBefore = (c: Customer, days: number[], k: number): boolean => {
    const d = days[k]!;
    if (firstDay(c) >= d) return false;
    const prev = k > 0 ? days[k - 1]! : lo - 1;
    return d - prev - 1 >= D;
  };

  const starts = intervals(f, interval);
  const step = interval === 'day' ? 1 : 7;
  const lists = { active: new Set<string>(), new: new Set<string>(), reactivated: new Set<string>() };
  const series = starts.map((a) => {
    const b = Math.min(a + step - 1, f.toDay);
    let nActive = 0;
    let nNew = 0;
    let nReactivated = 0;
    for (const [cid, days] of sorted) {
      const k = days.findIndex((d) => d >= a && d <= b);
      if (k < 0) continue;
      const c = byCid.get(cid)!;
      nActive++;
      lists.active.add(keyOf(c));
      const fd = firstDay(c);
      if (fd >= a && fd <= b) {
        nNew++;
        lists.new.add(keyOf(c));
      } else if (gapBefore(c, days, k)) {
        nReactivated++;
        lists.reactivated.add(keyOf(c));
      }
    }
    return { start: dateOf(a), active: nActive, new: nNew, returning: nActive - nNew - nReactivated, reactivated: nReactivated, dormant: dormantAt(b).length };
  });

  const dormantAtStart = dormantAt(f.fromDay - 1);
  let broughtBack = 0;
  if (campaign !== undefined) {
    for (const c of dormantAtStart) {
      const days = sorted.get(c.cid) ?? [];
      const k = days.findIndex((d) => d >= f.fromDay);
      // their first active day in the range ends the dormancy; it counts when the campaign opened it
      if (k >= 0 && store.campaignOn(f.app, c.cid, days[k]!) === campaign) broughtBack++;
    }
  }
  const dormantNow = dormantAt(f.toDay);
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
    lists: { active: [...lists.active], new: [...lists.new], reactivated: [...lists.reactivated], dormant: dormantNow.map(keyOf) },
  };
}

export const activation = { name: 'activation' as const, lists: ['active', 'new', 'reactivated', 'dormant'], run };

/**
 * Viral (病毒): invitations sent and accepted, K-factor and cycle time, from the referral events
 * (`referral_invite` sent by the inviter, `referral_accept` sent by the invitee with the inviter's
 * userId as `referrer`). Definitions: README "Analytics".
 */
import type { ViralAnswer } from '../../sdk/contract-analytics';
import { dateOf, keyOf, median, ratio, type Filters, type Query } from './params';
import type { AnalyticsStore, Customer } from './store';

export const INVITE = 'referral_invite';
export const ACCEPT = 'referral_accept';

function run(store: AnalyticsStore, f: Filters, _q: Query) {
  const customers = store.customers(f.app);
  const byKey = new Map<string, Customer>();
  for (const c of customers) {
    byKey.set(c.key, c);
    if (c.userId) byKey.set(c.userId, c);
  }
  const kept = (c: Customer) => (!f.channel || c.channel === f.channel) && (!f.keep || f.keep(c.cid));
  let invitations = 0;
  const senders = new Set<number>();
  const keptCid = new Map<number, Customer>(customers.filter(kept).map((c) => [c.cid, c]));
  for (const e of store.facts(f.app, [INVITE], f.from, f.to, { unordered: true, props: false })) {
    if (!keptCid.has(e.cid)) continue;
    invitations++;
    senders.add(e.cid);
  }
  /** referred customer → their inviter, for every acceptance up to the end of the range */
  const inviterOf = new Map<Customer, Customer>();
  for (const c of customers) {
    if (c.referredBy === null || c.referredTs === null || c.referredTs >= f.to) continue;
    const inviter = byKey.get(c.referredBy);
    if (inviter && inviter.cid !== c.cid && kept(inviter)) inviterOf.set(c, inviter);
  }
  const accepted = [...inviterOf].filter(([c]) => c.referredTs! >= f.from);
  const cohort = customers.filter((c) => kept(c) && c.firstTs >= f.from && c.firstTs < f.to);
  const inCohort = new Set(cohort.map((c) => c.cid));
  const broughtIn = [...inviterOf.values()].filter((i) => inCohort.has(i.cid)).length;
  const byInviter = new Map<Customer, number>();
  for (const [, i] of accepted) byInviter.set(i, (byInviter.get(i) ?? 0) + 1);
  const answer: ViralAnswer = {
    analysis: 'viral',
    from: dateOf(f.fromDay),
    to: dateOf(f.toDay),
    invitations,
    senders: senders.size,
    accepted: accepted.length,
    acceptance: ratio(accepted.length, invitations),
    cohort: cohort.length,
    kFactor: ratio(broughtIn, cohort.length),
    cycleTimeMs: median(accepted.map(([c, i]) => c.referredTs! - i.firstTs)),
    topInviters: [...byInviter]
      .map(([c, n]) => ({ customer: keyOf(c), accepted: n }))
      .sort((a, b) => b.accepted - a.accepted || (a.customer < b.customer ? -1 : 1))
      .slice(0, 10),
  };
  return { answer, lists: { referred: accepted.map(([c]) => keyOf(c)), inviters: [...byInviter.keys()].map(keyOf) } };
}

export const viral = { name: 'viral' as const, lists: ['referred', 'inviters'], run };

/**
 * Campaigns: operator rules that target a segment and/or a page within a time window, pin items
 * to slots and boost others. Higher priority claims its pins first. Pins never override
 * suitability or eligibility: a pinned item the user may not see is simply not placed.
 *
 * Campaigns aimed at a segment need the user's profile, so personalisation-off requests only see
 * campaigns for everyone (no `segments`).
 */
import type { DecideRequest } from '../../../sdk/contract';
import type { Campaign, Pin } from '../../../sdk/contract-admin';
import type { Indexes } from '../indexes';
import type { Segment } from '../types';

/** A campaign and a pin are the contract's (sdk/contract-admin.ts): what an operator publishes. */
export type { Campaign, Pin } from '../../../sdk/contract-admin';

/**
 * The default rules, aimed at the generated catalog's featured items: the seed of the `demo` app
 * (server-stub/rules/seed.ts), and what an app without a release is served.
 */
export const DEFAULT_CAMPAIGNS: readonly Campaign[] = [
  {
    id: 'welcome',
    label: { 'zh-CN': '新客专享', en: 'Welcome offer for new customers' },
    segments: ['new'],
    // the welcome offers greet a newcomer on Home; the other pages show what they are about
    pages: ['home'],
    priority: 30,
    pins: [{ itemId: 'welcome-fund', slotKind: 'picks' }, { itemId: 'welcome-ad', slotKind: 'ad' }],
  },
  {
    id: 'churn_rescue',
    label: { 'zh-CN': '感恩回馈，专属礼遇', en: 'A thank-you for staying with us' },
    segments: ['churn_risk'],
    priority: 25,
    pins: [{ itemId: 'rescue-deposit', slotKind: 'picks' }],
    boost: { itemIds: ['rescue-card'], by: 1.5 },
  },
  {
    id: 'reactivation',
    label: { 'zh-CN': '欢迎回来', en: 'Welcome back' },
    segments: ['dormant'],
    priority: 20,
    pins: [{ itemId: 'comeback-ad', slotKind: 'ad' }, { itemId: 'comeback-deposit', slotKind: 'picks' }],
  },
  {
    id: 'wealth_week',
    label: { 'zh-CN': '理财节限时活动', en: 'Wealth Week offer' },
    pages: ['wealth'],
    priority: 10,
    pins: [{ itemId: 'wealth-week-ad', slotKind: 'ad' }],
  },
  {
    id: 'loan_rates',
    label: { 'zh-CN': '贷款利率优惠', en: 'Loan rate offer' },
    pages: ['loans'],
    priority: 10,
    pins: [{ itemId: 'loan-rate-ad', slotKind: 'ad' }],
  },
];

/** Campaigns with pins and boosts resolved against the catalog, highest priority first. */
export interface ResolvedCampaign extends Campaign {
  pinned: { ix: number; pin: Pin }[];
  boosted: number[];
}

/** Resolves item ids once at load; references to unknown items are reported and dropped. */
export function resolveCampaigns(campaigns: readonly Campaign[], index: Indexes, log: (m: string) => void): ResolvedCampaign[] {
  const ix = (campaign: string, id: string) => {
    const item = index.byId.get(id);
    if (!item) log(`campaign ${campaign}: no item "${id}" in the catalog; ignored`);
    return item?.ix;
  };
  return [...campaigns]
    .sort((a, b) => b.priority - a.priority)
    .map((c) => ({
      ...c,
      pinned: (c.pins ?? []).flatMap((pin) => {
        const i = ix(c.id, pin.itemId);
        return i === undefined ? [] : [{ ix: i, pin }];
      }),
      boosted: (c.boost?.itemIds ?? []).flatMap((id) => {
        const i = ix(c.id, id);
        return i === undefined ? [] : [i];
      }),
    }));
}

/**
 * The campaigns live for this request. `segment` and `tags` are undefined when personalisation is
 * off, so a campaign aimed at a segment or at tags is then not live. A tag audience holds when the
 * device sent the tag with a truthy value, or with exactly `value` when one is given.
 */
export function activeCampaigns(
  campaigns: readonly ResolvedCampaign[],
  o: { now: number; page: string; segment?: Segment; tags?: DecideRequest['tags'] },
): ResolvedCampaign[] {
  return campaigns.filter(
    (c) =>
      (c.start === undefined || o.now >= c.start) &&
      (c.end === undefined || o.now < c.end) &&
      (!c.pages || c.pages.includes(o.page)) &&
      (!c.segments || (o.segment !== undefined && c.segments.includes(o.segment))) &&
      (!c.tags || (o.tags !== undefined && c.tags.every((t) => (t.value === undefined ? !!o.tags![t.name] : o.tags![t.name] === t.value)))),
  );
}

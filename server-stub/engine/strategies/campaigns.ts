/**
 * Campaigns: operator rules that target a segment and/or a page within a time window, pin items
 * to slots and boost others. Higher priority claims its pins first. Pins never override
 * suitability or eligibility: a pinned item the user may not see is simply not placed.
 *
 * Campaigns aimed at a segment or a score audience need the user's profile, so personalisation-off
 * requests only see campaigns for everyone (no `segments`, no `audience`).
 *
 * This file is the one place the campaign shape is defined: the default (demo) rules, whoever stores
 * campaigns elsewhere, and the checks of an operator's campaign all use it.
 */
import type { DecideRequest, Problem } from '../../../sdk/contract';
import type { Campaign, Pin, ScoreAudience } from '../../../sdk/contract-admin';
import { audienceShapeProblem } from '../../models/realtime';
import type { Indexes } from '../indexes';
import type { Segment } from '../types';
import { inCalendar, traitsHold, type Traits } from '../traits';

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
    // score audience: the customers the bank-marketing response model (models/bank-seed.ts, marked live
    // on a fresh data directory) ranks in the top 20 % for opening a term deposit
    id: 'term_deposit_top20',
    label: { 'zh-CN': '为您精选的定期存款', en: 'A term deposit picked for you' },
    audience: { model: 'subscribed', topPercent: 20 },
    pages: ['home', 'wealth'],
    priority: 15,
    pins: [{ itemId: 'rescue-deposit', slotKind: 'picks' }],
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

/**
 * The problem with a campaign's score audience, or undefined: its shape, then whether the registry
 * holds any model for its target (`targets`). `path` is where the campaign sits, e.g. `campaigns.3`.
 * @example
 * audienceProblem({ model: 'churn', topPercent: 5 }, new Set(['subscribed']), 'campaigns.0');
 * // { code: 'unknown_model', message: 'campaigns.0.audience.model: no response model for target "churn" …', path: 'campaigns.0.audience.model' }
 */
export function audienceProblem(audience: unknown, targets: ReadonlySet<string>, path: string): Problem | undefined {
  const shape = audienceShapeProblem(audience, `${path}.audience`);
  if (shape) return shape;
  const model = (audience as ScoreAudience).model;
  if (targets.has(model)) return undefined;
  const at = `${path}.audience.model`;
  const known = [...targets].sort();
  return {
    code: 'unknown_model',
    message: `${at}: no response model for target "${model}" in the registry (${known.length ? `it has: ${known.join(', ')}` : 'it is empty'}); train one with \`npm run models -- train\` and mark it live`,
    path: at,
  };
}

/**
 * Resolves item ids once at load; references to unknown items are reported and dropped. A campaign
 * whose audience is malformed is reported and dropped (it could only match everyone or no one); one
 * whose audience names a target with no model yet is reported and kept: it matches no one until a
 * model for that target is marked live.
 */
export function resolveCampaigns(campaigns: readonly Campaign[], index: Indexes, log: (m: string) => void, targets?: () => ReadonlySet<string>): ResolvedCampaign[] {
  const ix = (campaign: string, id: string) => {
    const item = index.byId.get(id);
    if (!item) log(`campaign ${campaign}: no item "${id}" in the catalog; ignored`);
    return item?.ix;
  };
  // without a registry to ask, only the shape is checked
  const known = targets && campaigns.some((c) => c.audience !== undefined) ? targets() : undefined;
  return [...campaigns]
    .filter((c) => {
      if (c.audience === undefined) return true;
      const problem = audienceProblem(c.audience, known ?? new Set([(c.audience as { model?: string }).model ?? '']), `campaign ${c.id}`);
      if (problem) log(problem.message);
      return problem === undefined || problem.code === 'unknown_model';
    })
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
 * The campaigns live for this request. `segment`, `tags` and `traits` are undefined when
 * personalisation is off, so a campaign aimed at a segment, tags or traits is then not live. A tag
 * audience holds when the device sent the tag with a truthy value, or with exactly `value` when
 * one is given; trait conditions and calendar windows are engine/traits.ts's.
 */
export function activeCampaigns<C extends Campaign>(
  campaigns: readonly C[],
  o: { now: number; page: string; segment?: Segment; tags?: DecideRequest['tags']; traits?: Traits },
): C[] {
  return campaigns.filter(
    (c) =>
      (c.start === undefined || o.now >= c.start) &&
      (c.end === undefined || o.now < c.end) &&
      (!c.pages || c.pages.includes(o.page)) &&
      (!c.segments || (o.segment !== undefined && c.segments.includes(o.segment))) &&
      (!c.tags || (o.tags !== undefined && c.tags.every((t) => (t.value === undefined ? !!o.tags![t.name] : o.tags![t.name] === t.value)))) &&
      (!c.audience || o.segment !== undefined) &&
      (!c.calendar || inCalendar(c.calendar, o.now)) &&
      // personalisation off: no traits are read, not even an empty set
      (!c.traits || (o.segment !== undefined && traitsHold(c.traits, o.traits ?? {}, o.now))),
  );
}

/**
 * The merged view of a customer in one decision: the bank's batch facts (server-stub/customers/,
 * looked up on the HTTP thread and handed over with the decide) over the real-time profile, with
 * the precedence of DESIGN.md and the README:
 *
 * | fact           | source that wins                                                                 |
 * | -------------- | -------------------------------------------------------------------------------- |
 * | risk tolerance | a batch assessment within the app's validity period; the page may lower it, never raise it; without one, the app's policy: `page` (identify traits) or `conservative` (C1) |
 * | holdings       | batch holdings join the held products learned from events                        |
 * | tags           | batch tags and real-time tags alike                                              |
 * | traits         | batch columns over identify traits (dates stay `YYYY-MM-DD` strings)             |
 * | scores         | offline (batch) or online (live model): the newer one                            |
 *
 * An `unverified` request never gets here with facts: it is served as anonymous.
 */
import type { DecideRequest, Reason, RiskTolerance } from '../../sdk/contract';
import type { Profile } from './profile';
import { SEGMENTS, type Segment } from './types';
import type { AudienceHit, ScoreAudiences } from './score-audiences';
import type { Locale } from './i18n';

export type IdentityResult = 'verified' | 'unverified' | 'open';

/** The bank's facts about one customer, from the app's live snapshots. */
export interface BatchFacts {
  /** the profiles snapshot's date */
  asOf?: string;
  /** a batch risk assessment within the validity period (an expired one is left out) */
  risk?: RiskTolerance;
  segment?: string;
  holdings?: string[];
  /** the profile's other columns; scalar values */
  traits?: Record<string, string | number | boolean>;
  /** unexpired batch tags → their snapshot's date */
  tags?: Record<string, string>;
  /** offline scores by model (target) */
  scores?: Record<string, { score: number; asOf: string }>;
}

/** What the HTTP thread hands the engine with a decide. */
export interface CustomerView {
  identity: IdentityResult;
  batch?: BatchFacts;
  /** the app's policy for a customer without a valid batch assessment */
  riskPolicy?: 'page' | 'conservative';
}

const DAY = 86_400_000;
const dateMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
const lower = (a: RiskTolerance | undefined, b: RiskTolerance): RiskTolerance => (a !== undefined && a < b ? a : b);

/**
 * The profile the decision reads: `stored` with the batch facts merged in, as a copy (the stored
 * profile is the real-time projection and is never written here). Undefined stays undefined unless
 * there is something to merge.
 */
export function mergedProfile(stored: Profile | undefined, view: CustomerView | undefined, now: number, fresh: () => Profile): Profile | undefined {
  if (!view) return stored;
  const b = view.batch;
  const conservative = view.riskPolicy === 'conservative' && !b?.risk;
  if (!b && !conservative) return stored;
  const p: Profile = { ...(stored ?? fresh()) };
  if (b?.risk) p.risk = lower(stored?.risk, b.risk);
  else if (conservative) p.risk = 'C1';
  if (b?.segment && (SEGMENTS as readonly string[]).includes(b.segment)) p.segment = b.segment as Segment;
  if (b?.traits || b?.segment) p.traits = { ...p.traits, ...(b.segment ? { segment: b.segment } : {}), ...b.traits };
  if (b?.holdings?.length) {
    const at = b.asOf ? dateMs(b.asOf) : now;
    p.held = { ...p.held };
    for (const id of b.holdings) p.held[id] = Math.max(p.held[id] ?? 0, at);
  }
  return p;
}

/** The request's real-time tags with the batch tags beside them (a real-time value wins a name both have). */
export function mergedTags(tags: DecideRequest['tags'], view: CustomerView | undefined): DecideRequest['tags'] {
  const batch = view?.batch?.tags;
  if (!batch) return tags;
  const out: NonNullable<DecideRequest['tags']> = {};
  for (const name in batch) out[name] = true;
  return { ...out, ...tags };
}

/** "why this?" for a campaign aimed at tags: where each of its tags came from. */
export function tagReasons(names: readonly string[], realtime: DecideRequest['tags'], view: CustomerView | undefined, locale: Locale): Reason[] {
  return names.map((name) => {
    const batchOf = realtime && Object.hasOwn(realtime, name) ? undefined : view?.batch?.tags?.[name];
    const label =
      batchOf !== undefined
        ? locale === 'en' ? `tag ${name} (bank data of ${batchOf})` : `标签 ${name}（${batchOf} 批量数据）`
        : locale === 'en' ? `tag ${name} (real-time)` : `标签 ${name}（实时）`;
    return { feature: `tag.${name}`.slice(0, 128), label, contribution: 0 };
  });
}

/**
 * Score audiences that also read offline scores: for a model with an offline score newer than
 * the online one (computed from the real-time profile, as of its last event), the offline score
 * decides, against the same cut ("score ≥ t" or "top N %"), and the reason says so.
 */
export function withOfflineScores(audiences: ScoreAudiences | undefined, view: CustomerView | undefined, onlineAt: number): ScoreAudiences | undefined {
  const scores = view?.batch?.scores;
  if (!audiences || !scores) return audiences;
  return {
    ...audiences,
    check(audience, traits, locale): AudienceHit | undefined {
      const offline = scores[audience.model];
      // an offline score counts from the end of its day: a batch of the 6th knows the 6th
      if (!offline || dateMs(offline.asOf) + DAY <= onlineAt) {
        const hit = audiences.check(audience, traits, locale);
        return hit && { ...hit, reasons: [onlineReason(audience.model, locale), ...hit.reasons] };
      }
      const cut = audiences.cutoff(audience);
      if (cut === undefined || !(offline.score >= cut)) return undefined;
      const label = locale === 'en' ? `model ${audience.model}: offline score of ${offline.asOf}` : `模型 ${audience.model}：${offline.asOf} 离线评分`;
      return { score: offline.score, reasons: [{ feature: `${audience.model}.offline`.slice(0, 128), label, contribution: Math.round(offline.score * 1000) / 1000 }] };
    },
  };
}

const onlineReason = (model: string, locale: Locale): Reason => ({
  feature: `${model}.online`.slice(0, 128),
  label: locale === 'en' ? `model ${model}: online score` : `模型 ${model}：在线评分`,
  contribution: 0,
});

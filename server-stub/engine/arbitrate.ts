/**
 * Arbitration of one page in one pass. For each pool the page needs (product, ad, reminder) the
 * strategies nominate eligible candidates and the model scores them once; then the slots are
 * filled in request order: campaign pins first, then best-first under the page's rules.
 *
 * Hard rules, checked for every item placed (not trusted to the candidate lists):
 * - suitability: risk level ≤ the user's tolerance; unknown tolerance → R1–R2; no risk level is fine.
 *   A tolerance the request carries lowers the stored one, never raises it (types.ts `riskCap`)
 * - slot kinds: ads only in `ad` slots, reminders only in `reminder` slots, picks/feed get the rest
 * - eligibility: live (start ≤ now < end), not in the slot's `exclude`
 * - personalised requests also: not dismissed (30 days), not "not interested" (180 days), not held,
 *   fewer than `itemPerDay` impressions today, ads only while the session saw < `adsPerSession`,
 *   reminder conditions hold
 * - no item twice on a page; at most max(perCategory, ⌈count/4⌉) items of one category in a slot
 *
 * `personalized: false` uses no personal data: no profile features, tags, history, segment, caps
 * or dismissals (the device may send dismissed ids in `exclude`). Only suitability still reads the
 * stored risk tolerance, because showing a C1 customer an R2 product is never allowed; it is a
 * regulatory constraint, not a feature. Exploration is then seeded from the request's
 * non-personal parts, so two users asking the same thing at the same minute get the same answer.
 */
import { randomUUID } from 'node:crypto';
import type { DecideRequest, DecideResponse, Reason, SlotRequest } from '../../sdk/contract';
import { explain, gather, WIDTH, type Candidate } from './candidates';
import type { DecisionLog, LoggedItem } from './decision-log';
import { CATEGORICAL, signalsOf, type Scope } from './features';
import { toLocale, type Locale } from './i18n';
import type { AppCatalog } from './app-catalog';
import type { CampaignCaps } from './caps';
import { refreshIndexes, type Indexes } from './indexes';
import { sigmoid } from './model';
import { present, presentJson, type JsonCache, type Placement } from './present';
import { createEligibility } from './eligibility';
import { mergedProfile, mergedTags, tagReasons, withOfflineScores, type CustomerView } from './customer-view';
import { newProfile, segmentOf, type Profile } from './profile';
import type { ProfileStore } from './profiles';
import { hash, prng } from './random';
import { buildReasons } from './reasons';
import { inAudiences, type ScoreAudiences } from './score-audiences';
import { requestScorer, type ItemScores } from './scores';
import type { AppStats } from './stats';
import { activeCampaigns, type ResolvedCampaign } from './strategies/campaigns';
import type { StrategyContext } from './strategies/context';
import { POOLS, poolOfSlot, riskCap, toleranceLevel, type CatalogItem, type Pool } from './types';

export interface Policy {
  /** impressions of one item per user per UTC day. @default 3 */
  itemPerDay: number;
  /** ad impressions per session, after which ad slots stay empty. @default 3 */
  adsPerSession: number;
  /** items of one category per slot: max(perCategory, ⌈count/4⌉). @default 2 */
  perCategory: number;
  /** share of positions given to exploration. @default 0.1 */
  epsilon: number;
  /** how long the device may cache an answer. @default 300 000 */
  ttlMs: number;
}

export const DEFAULT_POLICY: Policy = { itemPerDay: 3, adsPerSession: 3, perCategory: 2, epsilon: 0.1, ttlMs: 300_000 };

export const perCategoryLimit = (policy: Policy, count: number) => Math.max(policy.perCategory, Math.ceil(count / 4));

/**
 * One app's live rules as the engine holds them: read once per decide, so a decide never mixes
 * releases — its campaigns, its catalog (items, candidate lists, caches) and its version.
 */
export interface LiveRules {
  /** the release version (0: the built-in seed, before any release) */
  release: number;
  campaigns: readonly ResolvedCampaign[];
  /** the release's items: what this app's decides choose from */
  catalog: AppCatalog;
}

export interface Arbiter {
  rules(app: string): LiveRules;
  policy: Policy;
  /** the app's statistics over `index` (its live catalog's, or a preview's) */
  stats(app: string, index: Indexes): AppStats;
  /** the item-only part of the logits for an app's catalog under the current model */
  scores(app: string, index: Indexes): ItemScores;
  profiles: ProfileStore;
  log: DecisionLog;
  now(): number;
  /** the live response models that campaigns' score audiences are checked with */
  audiences?: ScoreAudiences;
  /** campaign caps per user (caps.ts); without it caps are not enforced */
  caps?: Pick<CampaignCaps, 'allows'>;
}

/**
 * The campaigns a request's user has not yet seen up to their caps (caps.ts). A capped campaign
 * needs the user's count, so a personalisation-off request never sees one (like a segment's).
 */
function withinCaps(a: Arbiter, app: string, req: DecideRequest, campaigns: ResolvedCampaign[], now: number): ResolvedCampaign[] {
  const caps = a.caps;
  if (!caps || !campaigns.some((c) => c.caps)) return campaigns;
  if (req.personalized === false) return campaigns.filter((c) => !c.caps);
  // the key ingest counts impressions under: the user, else who the visitor identified as
  const key = req.userId ?? a.profiles.alias(app, req.anonymousId) ?? req.anonymousId;
  return campaigns.filter((c) => caps.allows(app, key, c, now));
}

/** The page's section: the last path segment without extension; '' and 'index' are home. */
export function pageSection(page: string): string {
  const path = page.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/, '').split(/[?#]/)[0]!;
  const last = path.split('/').filter(Boolean).pop() ?? '';
  const name = last.replace(/\.[a-z0-9]+$/, '');
  return !name || name === 'index' ? 'home' : name.slice(0, 32);
}

const SLOT_KIND = CATEGORICAL.indexOf('slot_kind');

/** risk levels 0 (none) to 5, and so caps 0 to 5 */
const RISK_SPAN = 6;
const unsuitableMemo = new WeakMap<Indexes['codes'], Int32Array>();
/** per pool and cap (`pool * RISK_SPAN + cap`): how many of the catalog's items are above the cap; once per catalog */
function unsuitableCounts(codes: Indexes['codes']): Int32Array {
  let counts = unsuitableMemo.get(codes);
  if (counts) return counts;
  counts = new Int32Array(POOLS.length * RISK_SPAN);
  for (let ix = 0; ix < codes.riskOf.length; ix++) {
    for (let cap = 0; cap < codes.riskOf[ix]! && cap < RISK_SPAN; cap++) counts[codes.poolOf[ix]! * RISK_SPAN + cap]!++;
  }
  unsuitableMemo.set(codes, counts);
  return counts;
}

/**
 * Candidate indices, best first by logit + slot term + boost (ties: nomination order). Sorted as
 * packed numbers — key to 1e-6, index in the low bits — because a typed-array sort without a
 * comparator is several times faster than one with, and this runs per slot per request.
 * `terms` is the slot's term by kind code (NaN: not looked up yet; filled here).
 */
function rank(candidates: Candidate[], kindOf: Uint32Array, terms: Float64Array, term: (kind: number) => number): number[] {
  const n = candidates.length;
  const width = 2 ** Math.ceil(Math.log2(n + 1));
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = candidates[i]!;
    const kind = kindOf[c.ix]!;
    let t = terms[kind]!;
    if (Number.isNaN(t)) t = terms[kind] = term(kind);
    const key = Math.max(-1e3, Math.min(1e3, c.logit + t + c.boost));
    packed[i] = Math.round(-key * 1e6) * width + i;
  }
  packed.sort();
  const out = new Array<number>(n);
  // the index back out of the low bits: exact, as packed values are integers below 2^53 and width a power of 2 (no fmod)
  for (let i = 0; i < n; i++) out[i] = packed[i]! - Math.floor(packed[i]! / width) * width;
  return out;
}

interface Placed {
  c: Candidate;
  position: number;
  explored: boolean;
}

export function decide(a: Arbiter, app: string, req: DecideRequest, view?: CustomerView): DecideResponse {
  const r = arbitrate(a, app, req, present, view);
  return view ? { ...r, identity: view.identity } : r;
}

/** `decide()` as JSON text, equal once parsed, made without walking the whole answer (present.ts) */
export function decideJson(a: Arbiter, app: string, req: DecideRequest, view?: CustomerView): string {
  const r = arbitrate(a, app, req, (item, locale, now, p, json) => presentJson(json, item, locale, now, p), view);
  let slots = '';
  // for…in walks own keys in JSON.stringify's order (integer-like ids first)
  for (const id in r.slots) slots += (slots && ',') + JSON.stringify(id) + ':{"items":[' + r.slots[id]!.items.join(',') + ']}';
  const identity = view ? `"identity":"${view.identity}",` : '';
  return `{"decisionId":${JSON.stringify(r.decisionId)},"ttlMs":${r.ttlMs},"release":${r.release},${identity}"slots":{${slots}}}`;
}

/** One pass over the page's slots; `emit` turns each placed item into the answer's form. */
function arbitrate<T>(
  a: Arbiter,
  app: string,
  req: DecideRequest,
  emit: (item: CatalogItem, locale: Locale, now: number, p: Placement, json: JsonCache) => T,
  view?: CustomerView,
): { decisionId: string; ttlMs: number; release: number; slots: Record<string, { items: T[] }> } {
  const live = a.rules(app);
  const { index, json } = live.catalog;
  const now = a.now();
  refreshIndexes(index, now);
  const { items } = index;
  const { poolOf } = index.codes;
  const scores = a.scores(app, index);
  const model = scores.model;
  const stats = a.stats(app, index);
  const personalized = req.personalized !== false;
  // an unverified identity (customers/identity.ts) is served as the anonymous visitor it may be
  const userKey = view?.identity === 'unverified' ? req.anonymousId : (req.userId ?? req.anonymousId);
  // the bank's batch facts over the real-time profile (customer-view.ts has the precedence)
  const stored = mergedProfile(a.profiles.get(app, userKey), view, now, () => newProfile(now));
  const tags = mergedTags(req.tags, view);
  const tolerance = toleranceLevel(stored?.risk);
  const cap = riskCap(stored?.risk, req.riskTolerance);
  const locale = toLocale(req.context.locale);
  const page = pageSection(req.context.page);
  const decisionId = randomUUID();

  const profile: Profile | undefined = personalized ? (stored ?? newProfile(now)) : undefined;
  const segment = personalized ? segmentOf(stored, now) : undefined;
  const signals = profile && segment ? signalsOf(profile, { now, byId: index.byId, stats, tags, tolerance, segment }) : undefined;
  const heldKinds = new Set<string>();
  if (profile) for (const id of Object.keys(profile.held)) heldKinds.add(index.byId.get(id)?.kind ?? '');
  const conditionState = profile ? { tolerance: stored?.risk, heldKinds } : undefined;
  const adsLeft = !profile || profile.session !== req.sessionId || profile.sessionAds < a.policy.adsPerSession;
  const scope: Scope = { now, page, stats, signals };
  // a score audience reads the user's traits, so only personalised requests see such campaigns (activeCampaigns)
  const { campaigns, reasons: audienceReasons } = inAudiences(
    withOfflineScores(a.audiences, view, stored?.last ?? 0),
    withinCaps(a, app, req, activeCampaigns(live.campaigns, { now, page, segment, tags: personalized ? tags : undefined, traits: personalized ? stored?.traits : undefined }), now),
    stored?.traits,
    locale,
  );
  // a campaign aimed at tags says where each tag came from when the bank's tags took part
  const sourced = view?.batch?.tags ? (audienceReasons ?? new Map<ResolvedCampaign, Reason[]>()) : audienceReasons;
  if (sourced && view?.batch?.tags)
    for (const c of campaigns) if (c.tags?.length) sourced.set(c, [...tagReasons(c.tags.map((t) => t.name), req.tags, view, locale), ...(sourced.get(c) ?? [])]);

  const allowed = createEligibility({
    items, byId: index.byId, codes: index.codes, now, cap, profile, memos: signals?.memos, conditionState, adsLeft, itemPerDay: a.policy.itemPerDay,
  });

  const excludes = req.slots.map((s) => new Set(s.exclude ?? []));
  // the candidates the suitability rule removed (the decision log's count for the analyses): the
  // strategies read per-cap lists, so it is every item of the pools asked for above the cap
  const unsuitable = unsuitableCounts(index.codes);
  let suitabilityRemoved = 0;
  for (const pool of new Set(req.slots.map((s) => POOLS.indexOf(poolOfSlot(s.kind))))) suitabilityRemoved += unsuitable[pool * RISK_SPAN + cap]!;
  const score = requestScorer(scores, scope, index.codes);
  const pools = new Map<Pool, Candidate[]>();
  const nominated = new Uint8Array(items.length);
  for (const pool of new Set(req.slots.map((s) => poolOfSlot(s.kind)))) {
    // an id every slot of this pool excludes is not worth nominating
    const sets = req.slots.flatMap((s, i) => (poolOfSlot(s.kind) === pool ? [excludes[i]!] : []));
    const poolCode = POOLS.indexOf(pool);
    const everywhere = sets.some((set) => set.size === 0) ? undefined : (id: string) => sets.every((set) => set.has(id));
    const ctx: StrategyContext = {
      index: index, stats, pool, cap, now, signals,
      eligible: (ix) => poolOf[ix] === poolCode && allowed(ix) && !everywhere?.(items[ix]!.id),
    };
    const need = req.slots.reduce((n, s) => n + (poolOfSlot(s.kind) === pool ? s.count : 0), 0);
    pools.set(pool, gather(ctx, score, campaigns, need, nominated));
  }

  // the decision id is a random UUID: its first 32 bits seed exploration
  const random = prng(
    personalized
      ? Number.parseInt(decisionId.slice(0, 8), 16)
      : hash(`${app}|${page}|${Math.floor(now / 60_000)}|${req.slots.map((s) => `${s.id}:${s.kind}:${s.count}`).join(',')}`),
  );
  const onPage = new Set<number>();
  const placed: Placed[][] = req.slots.map(() => []);
  /** the hard rules, checked again for every item placed */
  const slotPools = req.slots.map((s) => POOLS.indexOf(poolOfSlot(s.kind)));
  const fits = (slotIndex: number, ix: number) =>
    !onPage.has(ix) && (!excludes[slotIndex]!.size || !excludes[slotIndex]!.has(items[ix]!.id)) && poolOf[ix] === slotPools[slotIndex] && allowed(ix);
  const { kinds } = index.codes;
  const slotTerm = (slot: SlotRequest) => (kind: number) => model.cat[SLOT_KIND]?.get(`${slot.kind}:${kinds[kind]}`) ?? 0;

  // 1. pins, highest-priority campaign first
  for (const campaign of campaigns) {
    for (const { ix, pin } of campaign.pinned) {
      const slotIndex = req.slots.findIndex((s) => (pin.slotId ? s.id === pin.slotId : !pin.slotKind || s.kind === pin.slotKind));
      if (slotIndex < 0 || !fits(slotIndex, ix)) continue;
      const slot = req.slots[slotIndex]!;
      const taken = new Set(placed[slotIndex]!.map((p) => p.position));
      let position = Math.min(pin.position ?? 0, slot.count - 1);
      while (taken.has(position) && position < slot.count) position++;
      if (position >= slot.count) continue;
      placed[slotIndex]!.push({ c: { ix, strategy: 'campaign', logit: score(ix), boost: 0, campaign }, position, explored: false });
      onPage.add(ix);
    }
  }

  // 2. fill each slot in request order: best first, under the page's rules, with some exploration
  req.slots.forEach((slot, slotIndex) => {
    const mine = placed[slotIndex]!;
    const limit = perCategoryLimit(a.policy, slot.count);
    const perCategory = new Map<string, number>();
    const count = (ix: number) => perCategory.set(items[ix]!.category, (perCategory.get(items[ix]!.category) ?? 0) + 1);
    for (const p of mine) count(p.c.ix);
    const candidates = pools.get(poolOfSlot(slot.kind)) ?? [];
    const ranked = rank(candidates, index.codes.kindOf, new Float64Array(kinds.length).fill(NaN), slotTerm(slot));
    const ok = (i: number) => fits(slotIndex, candidates[i]!.ix) && (perCategory.get(items[candidates[i]!.ix]!.category) ?? 0) < limit;
    const taken = new Set(mine.map((p) => p.position));
    // an item that stops fitting never fits again within the slot, so the best one is found by a cursor
    let best = 0;
    for (let position = 0; position < slot.count; position++) {
      if (taken.has(position)) continue;
      while (best < ranked.length && !ok(ranked[best]!)) best++;
      if (best >= ranked.length) break;
      let pick = best;
      let explored = false;
      // exploration: a few random probes below the slot's natural cut
      const from = Math.max(best + 1, slot.count);
      if (random() < a.policy.epsilon && from < ranked.length) {
        for (let tries = 0; tries < 8 && !explored; tries++) {
          const i = from + Math.floor(random() * (ranked.length - from));
          if (ok(ranked[i]!)) [pick, explored] = [i, true];
        }
      }
      const c = candidates[ranked[pick]!]!;
      mine.push({ c, position, explored });
      onPage.add(c.ix);
      count(c.ix);
    }
    // positions stay dense: a pin beyond what could be filled moves up
    mine.sort((x, y) => x.position - y.position).forEach((p, i) => (p.position = i));
  });

  // 3. the answer, and the log line training joins impressions and clicks to
  const hot = new Set<number>();
  for (const pool of pools.keys()) for (const ix of stats.trending(pool, 5, now).slice(0, 10)) hot.add(ix);
  // slot ids are the client's strings: on a plain object, `__proto__` would set the prototype and the
  // slot would vanish from the answer; without a prototype every id is an own key
  const slots = Object.create(null) as Record<string, { items: T[] }>;
  const logged: LoggedItem[] = [];
  const scratch = new Float64Array(WIDTH);
  req.slots.forEach((slot, slotIndex) => {
    const out: T[] = [];
    for (const p of placed[slotIndex]!) {
      const item = items[p.c.ix]!;
      const { vector, contrib, logit } = explain(model, scope, item, slot.kind, scratch);
      const s = sigmoid(logit);
      out.push(
        emit(item, locale, now, {
          position: p.position,
          strategy: p.c.strategy,
          score: s,
          explored: p.explored,
          reasons: buildReasons({
            item, contrib, locale, signals, campaign: p.c.campaign, explored: p.explored, strategy: p.c.strategy, labels: index.labels,
            audience: p.c.campaign && sourced?.get(p.c.campaign),
          }),
          hot: hot.has(item.ix),
        }, json),
      );
      logged.push({ slot: slot.id, item: item.id, position: p.position, strategy: p.c.strategy, score: Math.round(s * 1e4) / 1e4, explored: p.explored ? 1 : 0, num: vector.num, cat: vector.cat, campaign: p.c.campaign?.id });
    }
    // a slot id asked twice gets the later slot's items, like any JSON object
    slots[slot.id] = { items: out };
  });
  a.log.add({ decisionId, app, userKey: personalized ? userKey : null, personalized, model: model.version, ts: now, items: logged, suitabilityRemoved });
  // the page said more than the server applied: likely an identify still on its way, so the device
  // is told to ask again next time rather than keep this more conservative answer for a TTL
  const provisional = (toleranceLevel(req.riskTolerance) ?? 0) > cap;
  return { decisionId, ttlMs: provisional ? 0 : a.policy.ttlMs, release: live.release, slots };
}

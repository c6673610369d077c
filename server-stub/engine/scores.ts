/**
 * Fast scoring for candidates. A candidate's logit splits into
 *   item part:     bias + popularity, ctr, freshness, yield, kind, risk — the same for every user,
 *                  cached per app and item for up to a second (popularity itself moves that slowly)
 *   request part:  page × kind, segment × kind — one lookup per kind and request
 *   personal part: the user's features, 0-valued ones read from a constant when the user is cold
 * which adds up to exactly what `contributions` computes over the full vector (explain() does that
 * for the items placed; the cache can only make the ranking up to a second stale).
 */
import { CATEGORICAL, ITEM_NUMERIC, isCold, itemNumericInto, NUMERIC, type Scope } from './features';
import { memoImpressions, memoInterest } from './profile';
import { numericContribution, type Model } from './model';
import type { ItemCodes } from './codes';
import type { AppStats } from './stats';
import type { CatalogItem } from './types';

const C = (name: (typeof CATEGORICAL)[number]) => CATEGORICAL.indexOf(name);
const N = (name: (typeof NUMERIC)[number]) => NUMERIC.indexOf(name);
const [CAT, KIND, TAG, INTEREST, FATIGUE, CO, DEVICE] = [N('category_affinity'), N('kind_affinity'), N('tag_affinity'), N('item_interest'), N('fatigue'), N('co_viewed'), N('device_tags')];

export interface ItemScores {
  model: Model;
  /** bias + the item-only contributions */
  get(ix: number, now: number): number;
}

export function createItemScores(model: Model, items: CatalogItem[], stats: AppStats): ItemScores {
  const value = new Float64Array(items.length);
  const at = new Float64Array(items.length).fill(-Infinity);
  const kind = model.cat[C('kind')];
  const risk = model.cat[C('risk')];
  const x = new Float64Array(ITEM_NUMERIC);
  return {
    model,
    get(ix, now) {
      if (now - at[ix]! < 1000 && now >= at[ix]!) return value[ix]!;
      const item = items[ix]!;
      itemNumericInto(stats, now, item, x);
      let v = model.bias + (kind?.get(item.kind) ?? 0) + (risk?.get(item.risk ?? 'none') ?? 0);
      for (let j = 0; j < ITEM_NUMERIC; j++) {
        const p = model.num[j];
        if (p && !Number.isNaN(x[j]!)) v += numericContribution(p, x[j]!);
      }
      value[ix] = v;
      at[ix] = now;
      return v;
    },
  };
}

/**
 * The logit of any item for this request, without the slot-kind term, by catalog index.
 *
 * For a warm user the personal part is assembled from per-request tables: most personal features
 * depend on one level (the item's category, kind, risk level, number of interest matches) or are
 * 0 for most items (no memo, not co-viewed, no tag interest), so their contributions are computed
 * once per request instead of once per candidate. The tables are keyed by the levels' integer codes
 * (codes.ts), so scoring a candidate reads arrays, not its item object or strings. Contributions
 * are still added in NUMERIC order, so the logit is bit-for-bit what the full vector gives.
 */
export function requestScorer(scores: ItemScores, scope: Scope, codes: ItemCodes): (ix: number) => number {
  const { model } = scores;
  const s = scope.signals;
  const now = scope.now;
  const cold = s ? isCold(s) : true;
  const { kindOf, categoryOf, riskOf, tagsFrom } = codes;
  const kindTerms = new Float64Array(codes.kind.size).fill(NaN);
  for (const [kind, code] of codes.kind) {
    kindTerms[code] = (model.cat[C('page_kind')]?.get(`${scope.page}:${kind}`) ?? 0) + (s ? (model.cat[C('segment_kind')]?.get(`${s.segment}:${kind}`) ?? 0) : 0);
  }
  const riskFit = N('risk_fit');
  if (!s) return (ix) => scores.get(ix, now) + kindTerms[kindOf[ix]!]!;
  if (cold) {
    let zero = 0;
    for (let j = ITEM_NUMERIC; j < NUMERIC.length - 1; j++) zero += model.num[j] ? numericContribution(model.num[j]!, 0) : 0;
    return (ix) => {
      let logit = scores.get(ix, now) + kindTerms[kindOf[ix]!]!;
      const riskLevel = riskOf[ix]!;
      if (riskLevel && s.tolerance && model.num[riskFit]) logit += numericContribution(model.num[riskFit]!, 1 - (s.tolerance - riskLevel) / 4);
      return logit + zero;
    };
  }
  // c_j(x), 0 for an absent feature or parameter (adding 0 leaves the logit as skipping would)
  const c = (j: number, x: number) => {
    const p = model.num[j];
    return p && !Number.isNaN(x) ? numericContribution(p, x) : 0;
  };
  const zero = NUMERIC.map((_, j) => c(j, 0));
  /** c_j(log1p(value)) by level code, zero[j] for levels the user has no value for */
  const byLevel = (j: number, values: Map<string, number>, levels: Map<string, number>) => {
    const out = new Float64Array(levels.size).fill(zero[j]!);
    for (const [level, v] of values) {
      const code = levels.get(level);
      if (code !== undefined) out[code] = c(j, Math.log1p(v));
    }
    return out;
  };
  const catC = byLevel(CAT, s.cat, codes.category);
  const kindC = byLevel(KIND, s.kind, codes.kind);
  // tag interest by tag code (0: none, which adds what a missing tag adds)
  const tagV = new Float64Array(codes.tag.size);
  for (const [t, v] of s.tag) {
    const code = codes.tag.get(t);
    if (code !== undefined) tagV[code] = v;
  }
  // which kinds, categories and tags the device's interests name, each matched in its own namespace
  const interests = s.interests.size > 0;
  const kindI = new Uint8Array(interests ? codes.kind.size : 0);
  const catI = new Uint8Array(interests ? codes.category.size : 0);
  const tagI = new Uint8Array(interests ? codes.tag.size : 0);
  for (const x of s.interests) {
    const k = codes.kind.get(x);
    if (k !== undefined) kindI[k] = 1;
    const g = codes.category.get(x);
    if (g !== undefined) catI[g] = 1;
    const t = codes.tag.get(x);
    if (t !== undefined) tagI[t] = 1;
  }
  const matchC: number[] = [];
  const riskC: number[] = [];
  return (ix) => {
    const kind = kindOf[ix]!;
    const category = categoryOf[ix]!;
    let logit = scores.get(ix, now) + kindTerms[kind]!;
    logit += catC[category]!;
    logit += kindC[kind]!;
    let tags = 0;
    let matches = interests ? kindI[kind]! + catI[category]! : 0;
    for (let at = tagsFrom[ix]!, end = tagsFrom[ix + 1]!; at < end; at++) {
      const t = codes.tags[at]!;
      tags += tagV[t]!;
      if (interests) matches += tagI[t]!;
    }
    logit += tags === 0 ? zero[TAG]! : c(TAG, Math.log1p(tags));
    const memo = s.memos.get(ix);
    logit += memo ? c(INTEREST, Math.log1p(memoInterest(memo, now))) : zero[INTEREST]!;
    logit += memo ? c(FATIGUE, memoImpressions(memo, now)) : zero[FATIGUE]!;
    const co = s.co.size ? s.co.get(ix) : 0;
    logit += co === 0 ? zero[CO]! : c(CO, co);
    logit += matchC[matches] ??= c(DEVICE, matches);
    const riskLevel = riskOf[ix]!;
    logit += riskC[riskLevel] ??= c(riskFit, riskLevel && s.tolerance ? 1 - (s.tolerance - riskLevel) / 4 : NaN);
    return logit;
  };
}

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
 * The logit of any item for this request, without the slot-kind term.
 *
 * For a warm user the personal part is assembled from per-request tables: most personal features
 * depend on one level (the item's category, kind, risk level, number of interest matches) or are
 * 0 for most items (no memo, not co-viewed, no tag interest), so their contributions are computed
 * once per request instead of once per candidate. Contributions are still added in NUMERIC order,
 * so the logit is bit-for-bit what the full vector gives.
 */
export function requestScorer(scores: ItemScores, scope: Scope): (item: CatalogItem) => number {
  const { model } = scores;
  const s = scope.signals;
  const cold = s ? isCold(s) : true;
  const pageTerms = new Map<string, number>();
  const terms = (kind: string) => {
    let t = pageTerms.get(kind);
    if (t === undefined) {
      t = (model.cat[C('page_kind')]?.get(`${scope.page}:${kind}`) ?? 0) + (s ? (model.cat[C('segment_kind')]?.get(`${s.segment}:${kind}`) ?? 0) : 0);
      pageTerms.set(kind, t);
    }
    return t;
  };
  const riskFit = N('risk_fit');
  if (!s) return (item) => scores.get(item.ix, scope.now) + terms(item.kind);
  if (cold) {
    let zero = 0;
    for (let j = ITEM_NUMERIC; j < NUMERIC.length - 1; j++) zero += model.num[j] ? numericContribution(model.num[j]!, 0) : 0;
    return (item) => {
      let logit = scores.get(item.ix, scope.now) + terms(item.kind);
      if (item.riskLevel && s.tolerance && model.num[riskFit]) logit += numericContribution(model.num[riskFit]!, 1 - (s.tolerance - item.riskLevel) / 4);
      return logit + zero;
    };
  }
  // c_j(x), 0 for an absent feature or parameter (adding 0 leaves the logit as skipping would)
  const c = (j: number, x: number) => {
    const p = model.num[j];
    return p && !Number.isNaN(x) ? numericContribution(p, x) : 0;
  };
  const byLevel = (j: number, m: Map<string, number>) => new Map([...m].map(([level, v]) => [level, c(j, Math.log1p(v))]));
  const catC = byLevel(CAT, s.cat);
  const kindC = byLevel(KIND, s.kind);
  const zero = NUMERIC.map((_, j) => c(j, 0));
  const matchC: number[] = [];
  const riskC: number[] = [];
  const interests = s.interests.size > 0;
  const now = scope.now;
  return (item) => {
    let logit = scores.get(item.ix, now) + terms(item.kind);
    logit += catC.get(item.category) ?? zero[CAT]!;
    logit += kindC.get(item.kind) ?? zero[KIND]!;
    let tags = 0;
    let matches = interests ? +s.interests.has(item.kind) + +s.interests.has(item.category) : 0;
    for (const t of item.tags) {
      if (s.tag.size) tags += s.tag.get(t) ?? 0;
      if (interests && s.interests.has(t)) matches++;
    }
    logit += tags === 0 ? zero[TAG]! : c(TAG, Math.log1p(tags));
    const memo = s.memos.get(item.ix);
    logit += memo ? c(INTEREST, Math.log1p(memoInterest(memo, now))) : zero[INTEREST]!;
    logit += memo ? c(FATIGUE, memoImpressions(memo, now)) : zero[FATIGUE]!;
    const co = s.co.size ? (s.co.get(item.ix) ?? 0) : 0;
    logit += co === 0 ? zero[CO]! : c(CO, co);
    logit += matchC[matches] ??= c(DEVICE, matches);
    logit += riskC[item.riskLevel] ??= c(riskFit, item.riskLevel && s.tolerance ? 1 - (s.tolerance - item.riskLevel) / 4 : NaN);
    return logit;
  };
}

/**
 * Fast scoring for candidates. A candidate's logit splits into
 *   item part:     bias + popularity, ctr, freshness, yield, kind, risk — the same for every user,
 *                  cached per app and item for up to a second (popularity itself moves that slowly)
 *   request part:  page × kind, segment × kind — one lookup per kind and request
 *   personal part: the user's features, 0-valued ones read from a constant when the user is cold
 * which adds up to exactly what `contributions` computes over the full vector (explain() does that
 * for the items placed; the cache can only make the ranking up to a second stale).
 */
import { CATEGORICAL, ITEM_NUMERIC, isCold, itemNumericInto, NUMERIC, personalInto, type Scope } from './features';
import { numericContribution, type Model } from './model';
import type { AppStats } from './stats';
import type { CatalogItem } from './types';

const C = (name: (typeof CATEGORICAL)[number]) => CATEGORICAL.indexOf(name);

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

/** The logit of any item for this request, without the slot-kind term. */
export function requestScorer(scores: ItemScores, scope: Scope): (item: CatalogItem) => number {
  const { model } = scores;
  const s = scope.signals;
  const cold = s ? isCold(s) : true;
  const pageTerms = new Map<string, number>();
  const num = new Float64Array(NUMERIC.length);
  let zero = 0;
  if (s && cold) for (let j = ITEM_NUMERIC; j < NUMERIC.length - 1; j++) zero += model.num[j] ? numericContribution(model.num[j]!, 0) : 0;
  const riskFit = NUMERIC.length - 1;
  return (item) => {
    let terms = pageTerms.get(item.kind);
    if (terms === undefined) {
      terms = (model.cat[C('page_kind')]?.get(`${scope.page}:${item.kind}`) ?? 0) + (s ? (model.cat[C('segment_kind')]?.get(`${s.segment}:${item.kind}`) ?? 0) : 0);
      pageTerms.set(item.kind, terms);
    }
    let logit = scores.get(item.ix, scope.now) + terms;
    if (!s) return logit;
    if (cold) {
      if (item.riskLevel && s.tolerance && model.num[riskFit]) logit += numericContribution(model.num[riskFit]!, 1 - (s.tolerance - item.riskLevel) / 4);
      return logit + zero;
    }
    personalInto(scope, s, item, num);
    for (let j = ITEM_NUMERIC; j < NUMERIC.length; j++) {
      const p = model.num[j];
      const x = num[j]!;
      if (p && !Number.isNaN(x)) logit += numericContribution(p, x);
    }
    return logit;
  };
}

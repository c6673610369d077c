/**
 * One pool's candidates for a request: nominated by the strategies (bounded: a few hundred at
 * most, fewer when the page asks for few items), then scored once by the model. The strategy
 * reported for an item is the most specific one that nominated it: campaign, item2item, affinity,
 * trending, fresh, editorial.
 *
 * Candidates are scored by scores.ts's fast path; the full vector and per-feature contributions
 * are built only for the items placed (`explain`).
 */
import { CATEGORICAL, featurize, NUMERIC, type Scope, type Vector } from './features';
import { contributions, type Model } from './model';
import type { ResolvedCampaign } from './strategies/campaigns';
import type { StrategyContext } from './strategies/context';
import { affinity } from './strategies/affinity';
import { editorial } from './strategies/editorial';
import { fresh } from './strategies/fresh';
import { item2item } from './strategies/item2item';
import { trending } from './strategies/trending';
import type { CatalogItem } from './types';

export const WIDTH = NUMERIC.length + CATEGORICAL.length;

export interface Candidate {
  ix: number;
  strategy: string;
  /** the model's logit without the slot-kind term */
  logit: number;
  /** campaign boost added for ranking, not part of the model score */
  boost: number;
  /** always present (undefined when none), so every candidate has one shape */
  campaign: ResolvedCampaign | undefined;
}

/** How many each strategy may nominate at most; a pool asked for few items nominates fewer. */
export const BUDGET = { item2item: 40, affinity: 60, trending: 60, fresh: 30, editorial: 60 } as const;

/**
 * The placed item's full story: its vector (with the slot kind) and every feature's contribution,
 * written into `contrib` (scratch, WIDTH long; read it before the next call).
 */
export function explain(model: Model, scope: Scope, item: CatalogItem, slotKind: string, contrib = new Float64Array(WIDTH)): { vector: Vector; contrib: Float64Array; logit: number } {
  const vector = featurize(scope, item, slotKind);
  return { vector, contrib, logit: contributions(model, vector, contrib) };
}

/**
 * `need`: items asked of this pool over all slots of the request. `nominated` is the request's
 * scratch, one byte per catalog item, zero for every item of this pool: it marks the items
 * nominated so far (pools hold disjoint items, so one array serves every pool of a request).
 */
export function gather(ctx: StrategyContext, score: (ix: number) => number, campaigns: readonly ResolvedCampaign[], need: number, nominated: Uint8Array): Candidate[] {
  const budget = (max: number) => Math.min(max, Math.max(8, need * 2));
  const out: Candidate[] = [];
  const add = (strategy: string, list: readonly number[], campaign?: ResolvedCampaign) => {
    for (const ix of list) {
      if (nominated[ix] || (campaign && !ctx.eligible(ix))) continue;
      nominated[ix] = 1;
      out.push({ ix, strategy, logit: score(ix), boost: campaign ? campaign.boost!.by : 0, campaign });
    }
  };
  // boosted items first: the highest-priority campaign boosting an item is the one it shows
  for (const c of campaigns) add('campaign', c.boosted, c);
  if (ctx.signals) {
    add('item2item', item2item(ctx, budget(BUDGET.item2item)));
    add('affinity', affinity(ctx, budget(BUDGET.affinity)));
  }
  add('trending', trending(ctx, budget(BUDGET.trending)));
  add('fresh', fresh(ctx, budget(BUDGET.fresh)));
  add('editorial', editorial(ctx, budget(BUDGET.editorial)));
  return out;
}

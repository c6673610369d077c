/** What every strategy gets: the catalog's indexes, the app's statistics, the user's signals. */
import type { Signals } from '../features';
import type { Indexes } from '../indexes';
import type { AppStats } from '../stats';
import type { Pool } from '../types';

export interface StrategyContext {
  index: Indexes;
  stats: AppStats;
  pool: Pool;
  /** highest risk level the user may see (suitability) */
  cap: number;
  now: number;
  /** undefined when personalisation is off (an unknown user has empty signals) */
  signals?: Signals;
  /** suitability, eligibility, caps and exclusions, as the arbitration defines them */
  eligible(ix: number): boolean;
}

/** A strategy nominates up to `limit` eligible items, best first. */
export type Strategy = (ctx: StrategyContext, limit: number) => number[];

/** The first `limit` eligible items of a ranked list, looking at no more than `scan` of them. */
export function takeEligible(ctx: StrategyContext, list: readonly number[] | undefined, limit: number, scan = limit * 4): number[] {
  const out: number[] = [];
  if (!list) return out;
  const end = Math.min(list.length, scan);
  for (let i = 0; i < end && out.length < limit; i++) if (ctx.eligible(list[i]!)) out.push(list[i]!);
  return out;
}

/** The keys of a map with the highest values, at most `n`; ties in insertion order (a stable sort's). */
export function top(map: Map<string, number>, n: number): string[] {
  const keys: string[] = [];
  const values: number[] = [];
  for (const [k, v] of map) {
    let at = keys.length;
    while (at > 0 && values[at - 1]! < v) at--;
    if (at >= n) continue;
    // insert at `at` by shifting (no splice: it allocates), the last one falling off past n
    for (let i = Math.min(keys.length, n - 1); i > at; i--) {
      keys[i] = keys[i - 1]!;
      values[i] = values[i - 1]!;
    }
    keys[at] = k;
    values[at] = v;
  }
  return keys;
}

/**
 * Candidate lists precomputed when the catalog loads, so a request never scans the catalog.
 * Lists are kept per pool and per risk cap: `lists[cap]` holds only items whose risk level is at
 * most `cap` (items without a risk level are in every list), so a cautious user's candidates are
 * not crowded out by items they may not see.
 */
import { DAY } from './catalog';
import { buildCodes, type ItemCodes } from './codes';
import { POOLS, poolOfKind, type CatalogItem, type LabelCache, type Pool } from './types';

const HOUR = 3_600_000;

/** `[cap]` → item indices, cap 1..5 (index 0 unused) */
export type CapLists = number[][];

export interface Indexes {
  items: CatalogItem[];
  byId: Map<string, CatalogItem>;
  editorial: Record<Pool, CapLists>;
  /** by prior popularity: the trending strategy's list before any behaviour is seen */
  prior: Record<Pool, CapLists>;
  /** newest first: items started in the last 30 days; rebuilt hourly, as items start */
  fresh: Record<Pool, CapLists>;
  freshHour: number;
  byCategory: Map<string, CapLists>;
  byKind: Map<string, CapLists>;
  byTag: Map<string, CapLists>;
  /** the items' kind, category and tag codes (scores.ts) */
  codes: ItemCodes;
  /** reason labels of served items, filled as they are served (reasons.ts) */
  labels: LabelCache;
}

/** Splits a ranked list into per-cap lists of at most `limit` items each. */
export function capLists(items: CatalogItem[], ranked: number[], limit = Infinity): CapLists {
  const lists: CapLists = [[], [], [], [], [], []];
  for (const ix of ranked) {
    const level = items[ix]!.riskLevel;
    for (let cap = Math.max(1, level); cap <= 5; cap++) if (lists[cap]!.length < limit) lists[cap]!.push(ix);
  }
  return lists;
}

const byPool = <T>(make: (pool: Pool) => T) => Object.fromEntries(POOLS.map((p) => [p, make(p)])) as Record<Pool, T>;

function grouped(items: CatalogItem[], order: number[], keys: (item: CatalogItem) => Iterable<string>): Map<string, CapLists> {
  const groups = new Map<string, number[]>();
  for (const ix of order) {
    for (const key of keys(items[ix]!)) {
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(ix);
    }
  }
  return new Map([...groups].map(([key, list]) => [key, capLists(items, list, 200)]));
}

function freshLists(items: CatalogItem[], now: number): Record<Pool, CapLists> {
  const recent = items.filter((i) => i.start >= now - 30 * DAY && i.start <= now).sort((a, b) => b.start - a.start || a.ix - b.ix);
  return byPool((pool) => capLists(items, recent.filter((i) => poolOfKind(i.kind) === pool).map((i) => i.ix), 100));
}

export function buildIndexes(items: CatalogItem[], now: number): Indexes {
  const editorialOrder = items
    .map((i) => i.ix)
    .sort((a, b) => items[b]!.editorial - items[a]!.editorial || items[b]!.popularity - items[a]!.popularity || a - b);
  const priorOrder = items.map((i) => i.ix).sort((a, b) => items[b]!.popularity - items[a]!.popularity || a - b);
  const inPool = (pool: Pool, order: number[]) => order.filter((ix) => poolOfKind(items[ix]!.kind) === pool);
  return {
    items,
    byId: new Map(items.map((i) => [i.id, i])),
    editorial: byPool((pool) => capLists(items, inPool(pool, editorialOrder), 200)),
    prior: byPool((pool) => capLists(items, inPool(pool, priorOrder), 200)),
    fresh: freshLists(items, now),
    freshHour: Math.floor(now / HOUR),
    byCategory: grouped(items, priorOrder, (i) => [i.category]),
    byKind: grouped(items, priorOrder, (i) => [i.kind]),
    byTag: grouped(items, priorOrder, (i) => i.tags),
    codes: buildCodes(items),
    labels: new Map(),
  };
}

/** Rebuilds the fresh lists when the hour changed. */
export function refreshIndexes(index: Indexes, now: number): void {
  const hour = Math.floor(now / HOUR);
  if (hour === index.freshHour) return;
  index.fresh = freshLists(index.items, now);
  index.freshHour = hour;
}

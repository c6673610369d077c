/**
 * App-wide behaviour statistics, updated in ingest: time-decayed impressions, clicks, views and
 * conversions per item (trending, popularity, click rate) and session co-views between items
 * (item-to-item). Held in typed arrays per app and loaded on the app's first request. They are
 * aggregates, so they are persisted write-behind: `checkpoint()` hands what changed to the
 * background writer about once a second, and a crash costs at most that second of statistics.
 */
import type { Db } from '../store/db';
import type { StatsRows } from './writer';
import { DAY } from './catalog';
import { capLists, type CapLists, type Indexes } from './indexes';
import type { IxSums } from './ix-sums';
import { POOLS, poolOfKind, type Pool } from './types';

/** time constant of the item statistics: about three days of memory */
const TAU = 3 * DAY;
/** co-viewed neighbours kept per item */
export const NEIGHBOURS = 50;
/** how stale the trending lists may get */
const TRENDING_REFRESH_MS = 5_000;

export interface AppStats {
  /** log(1 + decayed engagement + 5 × prior popularity): the trending score */
  popularity(ix: number, now: number): number;
  /** smoothed click rate, 1 ≈ the typical 5 % */
  ctr(ix: number, now: number): number;
  count(ix: number, what: 'imp' | 'clk' | 'view' | 'conv', t: number, w?: number): void;
  coview(a: number, b: number): void;
  /** co-view strength of b given a, 0..1 (cosine over session co-occurrence) */
  similarity(a: number, b: number): number;
  /** adds the similarity of each co-viewed neighbour of `a` to its sum in `into` */
  addNeighbours(a: number, into: IxSums): void;
  trending(pool: Pool, cap: number, now: number): number[];
  /** the rows that changed since the last checkpoint; forgets them */
  checkpoint(): StatsRows;
  /** every row held, by item id (a new catalog's statistics start from them: `createStats(…, from)`) */
  all(): StatsRows;
  /** co-viewed pairs held (diagnostics) */
  pairs(): number;
}

/**
 * The app's statistics over `index`, loaded from the store; `from` (the statistics of the app's
 * previous catalog) overrides what it holds for items in both, as its values are newer than the
 * last checkpoint. Items of `from` not in `index` stay in the store, for a release that brings them back.
 */
export function createStats(db: Db, index: Indexes, app: string, from?: AppStats): AppStats {
  const n = index.items.length;
  const fields = { imp: new Float64Array(n), clk: new Float64Array(n), view: new Float64Array(n), conv: new Float64Array(n) };
  const at = new Float64Array(n);
  const degree = new Float64Array(n);
  const cov = new Map<number, Map<number, number>>();
  const dirtyItems = new Set<number>();
  const dirtyPairs = new Set<number>();
  const engaged = new Set<number>();
  // popularity and click rate drift slowly: each is recomputed at most once a second per item
  const popCache = new Float64Array(n);
  const ctrCache = new Float64Array(n);
  const cachedAt = new Float64Array(n).fill(-Infinity);
  const refresh = (ix: number, now: number) => {
    if (now - cachedAt[ix]! < 1000 && now >= cachedAt[ix]!) return;
    const eng = read(fields.clk, ix, now) + 0.3 * read(fields.view, ix, now) + 2 * read(fields.conv, ix, now);
    popCache[ix] = Math.log1p(eng + 5 * index.items[ix]!.popularity);
    ctrCache[ix] = ((read(fields.clk, ix, now) + 0.5) / (read(fields.imp, ix, now) + 10)) * 20;
    cachedAt[ix] = now;
  };
  let trendingLists: Record<Pool, CapLists> | undefined;
  let trendingAt = -Infinity;
  let trendingDirty = true;

  const decayTo = (ix: number, t: number) => {
    if (t <= at[ix]!) return;
    const f = at[ix] ? Math.exp(-(t - at[ix]!) / TAU) : 0;
    for (const a of Object.values(fields)) a[ix]! *= f;
    at[ix] = t;
  };
  const read = (a: Float64Array, ix: number, now: number) => (a[ix] ? a[ix]! * Math.exp(-Math.max(0, now - at[ix]!) / TAU) : 0);

  function setPair(a: number, b: number, value: number): void {
    let m = cov.get(a);
    if (!m) cov.set(a, (m = new Map()));
    const old = m.get(b) ?? 0;
    m.set(b, value);
    degree[a]! += value - old;
    dirtyPairs.add(a * n + b);
    if (m.size > NEIGHBOURS) {
      let weakest = -1;
      let min = Infinity;
      for (const [k, v] of m) if (v < min) [weakest, min] = [k, v];
      m.delete(weakest);
      degree[a]! -= min;
      dirtyPairs.add(a * n + weakest);
    }
  }

  for (const row of db.prepare('SELECT item_id, imp, clk, view, conv, t FROM engine_item_stats WHERE app_key = ?').iterate(app) as Iterable<{
    item_id: string; imp: number; clk: number; view: number; conv: number; t: number;
  }>) {
    const item = index.byId.get(row.item_id);
    if (!item) continue;
    fields.imp[item.ix] = row.imp;
    fields.clk[item.ix] = row.clk;
    fields.view[item.ix] = row.view;
    fields.conv[item.ix] = row.conv;
    at[item.ix] = row.t;
    engaged.add(item.ix);
  }
  for (const row of db.prepare('SELECT a, b, n FROM engine_coviews WHERE app_key = ?').iterate(app) as Iterable<{ a: string; b: string; n: number }>) {
    const a = index.byId.get(row.a);
    const b = index.byId.get(row.b);
    if (a && b) setPair(a.ix, b.ix, row.n);
  }
  if (from) {
    const { items, pairs } = from.all();
    for (const [, id, imp, clk, view, conv, t] of items as [string, string, number, number, number, number, number][]) {
      const item = index.byId.get(id);
      if (!item) continue;
      fields.imp[item.ix] = imp;
      fields.clk[item.ix] = clk;
      fields.view[item.ix] = view;
      fields.conv[item.ix] = conv;
      at[item.ix] = t;
      engaged.add(item.ix);
    }
    for (const [, ida, idb, value] of pairs as [string, string, string, number][]) {
      const a = index.byId.get(ida);
      const b = index.byId.get(idb);
      if (a && b) setPair(a.ix, b.ix, value);
    }
  }
  dirtyPairs.clear();

  const stats: AppStats = {
    popularity(ix, now) {
      refresh(ix, now);
      return popCache[ix]!;
    },
    ctr(ix, now) {
      refresh(ix, now);
      return ctrCache[ix]!;
    },
    count(ix, what, t, w = 1) {
      decayTo(ix, t);
      fields[what][ix]! += t < at[ix]! ? w * Math.exp(-(at[ix]! - t) / TAU) : w;
      dirtyItems.add(ix);
      engaged.add(ix);
      cachedAt[ix] = -Infinity;
      if (what !== 'imp') trendingDirty = true;
    },
    coview(a, b) {
      if (a === b) return;
      setPair(a, b, (cov.get(a)?.get(b) ?? 0) + 1);
      setPair(b, a, (cov.get(b)?.get(a) ?? 0) + 1);
    },
    similarity(a, b) {
      const v = cov.get(a)?.get(b);
      return v ? v / Math.sqrt(degree[a]! * degree[b]! || 1) : 0;
    },
    addNeighbours(a, into) {
      const m = cov.get(a);
      if (!m) return;
      for (const [b, v] of m) into.add(b, v / Math.sqrt(degree[a]! * degree[b]! || 1));
    },
    trending(pool, cap, now) {
      if (!trendingLists || (trendingDirty && now - trendingAt >= TRENDING_REFRESH_MS) || now - trendingAt >= 60_000) {
        trendingLists = computeTrending(now);
        trendingAt = now;
        trendingDirty = false;
      }
      return trendingLists[pool][cap] ?? [];
    },
    checkpoint() {
      const rows: StatsRows = { items: [], pairs: [], unpaired: [] };
      for (const ix of dirtyItems) rows.items.push([app, index.items[ix]!.id, fields.imp[ix], fields.clk[ix], fields.view[ix], fields.conv[ix], at[ix]]);
      dirtyItems.clear();
      for (const key of dirtyPairs) {
        const a = Math.floor(key / n);
        const b = key % n;
        const value = cov.get(a)?.get(b);
        if (value === undefined) rows.unpaired.push([app, index.items[a]!.id, index.items[b]!.id]);
        else rows.pairs.push([app, index.items[a]!.id, index.items[b]!.id, value]);
      }
      dirtyPairs.clear();
      return rows;
    },
    all() {
      const rows: StatsRows = { items: [], pairs: [], unpaired: [] };
      for (const ix of engaged) rows.items.push([app, index.items[ix]!.id, fields.imp[ix], fields.clk[ix], fields.view[ix], fields.conv[ix], at[ix]]);
      for (const [a, m] of cov) for (const [b, value] of m) rows.pairs.push([app, index.items[a]!.id, index.items[b]!.id, value]);
      return rows;
    },
    pairs() {
      let n = 0;
      for (const m of cov.values()) n += m.size;
      return n;
    },
  };

  /** ranks the items anyone engaged with plus the prior favourites; never the whole catalog */
  function computeTrending(now: number): Record<Pool, CapLists> {
    const out = {} as Record<Pool, CapLists>;
    for (const pool of POOLS) {
      const pick = new Set<number>();
      for (let cap = 1; cap <= 5; cap++) for (const ix of index.prior[pool][cap]!) pick.add(ix);
      for (const ix of engaged) if (poolOfKind(index.items[ix]!.kind) === pool) pick.add(ix);
      const score = new Map([...pick].map((ix) => [ix, stats.popularity(ix, now)]));
      const ranked = [...pick].sort((a, b) => score.get(b)! - score.get(a)! || a - b);
      out[pool] = capLists(index.items, ranked, 150);
    }
    return out;
  }

  return stats;
}

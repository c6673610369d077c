/**
 * Integer codes for the levels items are scored on (kind, category, tags), assigned once when the
 * catalog loads, and the items' codes and the fields every request checks (pool, risk level, live
 * window) in flat typed arrays by catalog index. Per-request tables keyed by code (scores.ts) then
 * turn a candidate's per-level lookups into array reads, and eligibility reads a few dense arrays,
 * touching neither item objects nor strings — a request checks a few hundred items on a thread
 * whose caches are cold between requests, and what is not touched is what costs least.
 *
 * Catalog items never change after load, so neither do these.
 */
import { POOLS, poolOfKind, type CatalogItem } from './types';

export interface ItemCodes {
  /** level → code, codes 0..size-1 in order of first appearance in the catalog */
  kind: Map<string, number>;
  category: Map<string, number>;
  tag: Map<string, number>;
  /** kind by code */
  kinds: string[];
  /** by catalog index */
  kindOf: Uint32Array;
  categoryOf: Uint32Array;
  riskOf: Uint8Array;
  /** index in POOLS */
  poolOf: Uint8Array;
  /** the live window [start, end); end Infinity when open */
  startOf: Float64Array;
  endOf: Float64Array;
  /** 1 when the item has a condition (catalog.ts conditionHolds) */
  conditional: Uint8Array;
  /** item ix's tag codes are `tags[tagsFrom[ix] .. tagsFrom[ix + 1])`, in the item's tag order */
  tagsFrom: Uint32Array;
  tags: Uint32Array;
}

function codeOf(codes: Map<string, number>, level: string): number {
  let code = codes.get(level);
  if (code === undefined) codes.set(level, (code = codes.size));
  return code;
}

export function buildCodes(items: readonly CatalogItem[]): ItemCodes {
  const kind = new Map<string, number>();
  const category = new Map<string, number>();
  const tag = new Map<string, number>();
  const n = items.length;
  const kindOf = new Uint32Array(n);
  const categoryOf = new Uint32Array(n);
  const riskOf = new Uint8Array(n);
  const poolOf = new Uint8Array(n);
  const startOf = new Float64Array(n);
  const endOf = new Float64Array(n);
  const conditional = new Uint8Array(n);
  const tagsFrom = new Uint32Array(n + 1);
  let total = 0;
  for (const item of items) total += item.tags.length;
  const tags = new Uint32Array(total);
  let at = 0;
  for (let ix = 0; ix < n; ix++) {
    const item = items[ix]!;
    kindOf[ix] = codeOf(kind, item.kind);
    categoryOf[ix] = codeOf(category, item.category);
    riskOf[ix] = item.riskLevel;
    poolOf[ix] = POOLS.indexOf(poolOfKind(item.kind));
    startOf[ix] = item.start;
    endOf[ix] = item.end ?? Infinity;
    conditional[ix] = item.condition ? 1 : 0;
    tagsFrom[ix] = at;
    for (const t of item.tags) tags[at++] = codeOf(tag, t);
  }
  tagsFrom[n] = at;
  return { kind, category, tag, kinds: [...kind.keys()], kindOf, categoryOf, riskOf, poolOf, startOf, endOf, conditional, tagsFrom, tags };
}

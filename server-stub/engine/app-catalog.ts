/**
 * An app's catalog as the engine holds it: the items of its live release (or, before its first
 * release, the engine's own generated or file catalog), with the precomputed candidate lists, codes
 * and the JSON text caches built on them. A catalog never changes once built: a release with other
 * items builds a new one, and a decide reads it from the app's rules (one read), so it sees one
 * release's items, lists and caches wholly.
 *
 * Items are indexed by position (`ix`): every per-item array (codes, statistics, scores, JSON heads)
 * belongs to exactly one catalog, which is why the caches live here and not on the engine.
 *
 * @example
 * const catalog = catalogOf(release.rules.items, Date.now());          // built once per release
 * catalogOf(next.rules.items, Date.now(), catalog) === catalog;        // when the items did not change
 */
import { createHash } from 'node:crypto';
import type { CatalogItem as ReleaseItem } from '../../sdk/contract-admin';
import { landingUrl } from './catalog';
import { buildIndexes, type Indexes } from './indexes';
import type { JsonCache } from './present';
import type { CatalogItem } from './types';

export interface AppCatalog {
  index: Indexes;
  /** the answer's JSON pieces of these items (present.ts) */
  json: JsonCache;
  /** a fingerprint of the release items it was built from ('' for the engine's own catalog) */
  fingerprint: string;
}

/** A release's item as an engine item at `ix`: the engine's defaults fill what the operator left out. */
export function engineItem(item: ReleaseItem, ix: number): CatalogItem {
  return {
    ix,
    id: item.id,
    kind: item.kind,
    category: item.category,
    ...(item.risk ? { risk: item.risk } : {}),
    riskLevel: item.risk ? Number(item.risk[1]) : 0,
    ...(item.rate !== undefined ? { rate: item.rate } : {}),
    ...(item.termDays !== undefined ? { termDays: item.termDays } : {}),
    ...(item.minAmount !== undefined ? { minAmount: item.minAmount } : {}),
    tags: [...new Set(item.tags)],
    start: item.start ?? 0,
    ...(item.end !== undefined ? { end: item.end } : {}),
    title: item.title,
    ...(item.subtitle ? { subtitle: item.subtitle } : {}),
    url: item.url ?? landingUrl(item.kind, item.category, item.id),
    ...(item.image ? { image: item.image } : {}),
    ...(item.cta ? { cta: item.cta } : {}),
    ...(item.highlight ? { highlight: item.highlight } : {}),
    popularity: Math.min(1, Math.max(0, item.popularity ?? 0.1)),
    editorial: item.editorial ?? 0,
    ...(item.condition ? { condition: item.condition } : {}),
  };
}

const emptyJson = (): JsonCache => ({ heads: new Map(), quoted: new Map(), numbers: new Map() });

/** What `catalogOf` compares: a SHA-1 of the items' JSON (releases are checked, so equal items have equal JSON). */
export function fingerprintOf(items: readonly ReleaseItem[]): string {
  return createHash('sha1').update(JSON.stringify(items)).digest('base64');
}

/** A catalog of the engine's own items (already indexed 0..n-1). */
export function ownCatalog(items: CatalogItem[], now: number): AppCatalog {
  return { index: buildIndexes(items, now), json: emptyJson(), fingerprint: '' };
}

/**
 * The catalog of a release's items; `previous` is returned as it is when the items are the same
 * (a release that changes campaigns only keeps its catalog, statistics and caches).
 */
export function catalogOf(items: readonly ReleaseItem[], now: number, previous?: AppCatalog): AppCatalog {
  const fingerprint = fingerprintOf(items);
  if (previous && previous.fingerprint === fingerprint) return previous;
  return { index: buildIndexes(items.map(engineItem), now), json: emptyJson(), fingerprint };
}

/**
 * The seed rule set of the `demo` app: today's defaults, read from the engine's constants
 * (campaigns, tags, triggers, slots) and its catalog (generated, or the operator's file), stored
 * once as release 1 on a fresh data directory (registry.ts). After that the store is the truth.
 */
import type { CatalogItem, RuleSet } from '../../sdk/contract-admin';
import { DEFAULT_CATALOG_SIZE, generateCatalog } from '../engine/catalog';
import { loadCatalogFile } from '../engine/catalog-file';
import { DEFAULT_SLOTS, DEFAULT_TAGS, DEFAULT_TRIGGERS } from '../engine/config';
import { DEFAULT_CAMPAIGNS } from '../engine/strategies/campaigns';
import type { CatalogItem as EngineItem } from '../engine/types';

/** The app the seed belongs to. */
export const SEED_APP = 'demo';

/** An engine item as the contract's catalog item (no index, no derived risk level). */
export function toCatalogItem(item: EngineItem): CatalogItem {
  const { ix: _ix, riskLevel: _level, ...rest } = item;
  const out: CatalogItem = { ...rest, tags: [...item.tags] };
  // the generator draws a few items that ended before they would have started (both are past or
  // future days): as data that is an item which ran until `end`, so its window starts a day before
  if (out.end !== undefined && out.end <= out.start!) out.start = Math.max(0, out.end - 86_400_000);
  return JSON.parse(JSON.stringify(out)) as CatalogItem;
}

export interface SeedOptions {
  /** as the engine's options: the operator's catalog file instead of the generated one */
  catalogFile?: string;
  catalogSize?: number;
  now: number;
  log?: (message: string) => void;
}

export function seedRuleSet(o: SeedOptions): RuleSet {
  const items = o.catalogFile ? loadCatalogFile(o.catalogFile, o.log) : generateCatalog({ size: o.catalogSize ?? DEFAULT_CATALOG_SIZE, now: o.now });
  return structuredClone({
    campaigns: [...DEFAULT_CAMPAIGNS],
    tags: DEFAULT_TAGS,
    triggers: DEFAULT_TRIGGERS,
    slots: [{ id: 'home', page: 'home', slots: DEFAULT_SLOTS.map(({ id, kind, count }) => ({ id, kind, count })) }],
    items: items.map(toCatalogItem),
  }) as RuleSet;
}

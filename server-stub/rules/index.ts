/**
 * rules/: each app's rules as data — campaigns, real-time tags, triggers, slot layouts, catalog
 * items (sdk/contract-admin.ts) — in releases: stored (store.ts), the demo app's seed (seed.ts),
 * made live in the engine and announced to devices (registry.ts, stream.ts), previewed and dry-run
 * before they go live (preview.ts, match.ts). The admin API (server-stub/admin/) builds on these.
 */
export { createRulesRegistry, RulesError, validRuleSet, type RegistryOptions, type ReleaseListener, type RulesEngine, type RulesRegistry } from './registry';
export { createRulesStore, RELEASES_CHANNEL, type ReleaseInfo, type RulesStore } from './store';
export { SEED_APP, seedRuleSet, toCatalogItem } from './seed';
export { createReleaseStreams, type ReleaseStreams } from './stream';
export { dryRun, dryRunTriggers, preview, type DryRun, type PreviewResult, type PreviewSample, type TriggerFire } from './preview';
export { matches, tagsOf, type SampleEvent } from './match';

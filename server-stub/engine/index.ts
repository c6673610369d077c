/**
 * engine/: deciding — catalog, profiles, strategies, model, arbitration, reasons — on a thread of its
 * own (thread.ts, worker.ts, service.ts), and the decision log.
 *
 * The arbitration engine of the reference backend, run on its own thread by engine/service.ts:
 * `ingest` with each newly stored batch (inside the service's transaction that also moves its
 * cursor), `decide` for POST /v1/decide, `config` for GET /v1/config, `image` for GET /v1/images/:id.svg.
 *
 * @example
 * const engine = createEngine({ db, modelDir: join(dataDir, 'models') });
 * engine.decide('demo', { anonymousId: 'a1', sessionId: 's1', context: { page: '/', channel: 'web', locale: 'en' },
 *   slots: [{ id: 'home.today', kind: 'picks', count: 4 }] });
 */
import { join } from 'node:path';
import type { Config, DecideRequest, DecideResponse, RiskTolerance, SlotwiseEvent } from '../../sdk/contract';
import type { Release, RuleSet } from '../../sdk/contract-admin';
import type { Db } from '../store/db';
import { decide, decideJson, DEFAULT_POLICY, pageSection, type Arbiter, type LiveRules, type Policy } from './arbitrate';
import { DEFAULT_CATALOG_SIZE, generateCatalog } from './catalog';
import { catalogFromRows, loadCatalogFile } from './catalog-file';
import { buildConfig, releaseConfig, type ConfigOptions } from './config';
import { createDecisionLog } from './decision-log';
import { createWriter, type WriterStats } from './writer';
import { featurize, signalsOf, type Vector } from './features';
import { itemSvg } from './images';
import { catalogOf, ownCatalog, type AppCatalog } from './app-catalog';
import { createCampaignCaps, validTimeZone } from './caps';
import type { Indexes } from './indexes';
import { compile, defaultModel, loadNewestModel, recenter, type Model, type ModelFile } from './model';
import { newProfile } from './profile';
import type { CustomerView } from './customer-view';
import { createProfileStore } from './profiles';
import { createRealtime } from './realtime';
import { createScoreAudiences, seedModels } from './score-audiences';
import { bankSeedEntry } from '../models/bank-seed';
import { createItemScores, type ItemScores } from './scores';
import { migrateEngine } from './schema';
import { createStats, type AppStats } from './stats';
import { activeCampaigns, DEFAULT_CAMPAIGNS, resolveCampaigns, type Campaign, type ResolvedCampaign } from './strategies/campaigns';
import { segmentOf } from './profile';
import { poolOfKind, SEGMENTS } from './types';

export type { Policy } from './arbitrate';
export type { Campaign, Pin } from './strategies/campaigns';

export interface EngineOptions {
  db: Db;
  /** operator catalog file (JSON array of items); default: the generated catalog. @example 'catalog.json' */
  catalogFile?: string;
  /** operator catalog rows given directly, validated like a file's (extension). @example [{ id: 'x', kind: 'card', title: 'Card' }] */
  catalog?: unknown[];
  /** size of the generated catalog, default 300. @example 10_000 */
  catalogSize?: number;
  /** seed of the generated catalog, default 1. @example 7 */
  seed?: number;
  /** where model files live; the newest is loaded. @example '.slotwise-data/models' */
  modelDir: string;
  /**
   * the response-model registry score audiences read the live models from (`npm run models -- live`).
   * @default `<modelDir>/registry`
   * @example '.slotwise-data/models/registry'
   */
  registryDir?: string;
  /**
   * with the demo's campaigns (no `campaigns`), registers the demo's bank-marketing response model and
   * marks it live when the registry has never had a live model for its target (the server does;
   * writes to `registryDir`). @default false @example true
   */
  seedModels?: boolean;
  /** campaigns of an app without a release, replacing the default welcome / reactivation / churn-rescue / wealth-week rules (extension) */
  campaigns?: Campaign[];
  /** each app's live release at start (server-stub/rules/); later ones arrive by `activate`. @example [{ app: 'demo', release }] */
  releases?: { app: string; release: Release }[];
  /** caps, diversity, exploration and TTL (extension). @example { epsilon: 0 } */
  policy?: Partial<Policy>;
  /** the device rules `config()` publishes for an app without a release (extension) */
  config?: ConfigOptions;
  /**
   * the apps' IANA time zone: where the days of campaign caps (`caps.perDay`) begin.
   * @default 'Asia/Shanghai' @example 'Europe/Berlin'
   */
  timeZone?: string;
  now?: () => number;
  log?: (message: string) => void;
}

export interface Engine {
  /** newly stored events (never duplicates), once each, inside the caller's transaction */
  ingest(appKey: string, events: SlotwiseEvent[], receivedAt: number): void;
  /** `view`: the customer's merged view (customer-view.ts), when the server looked one up */
  decide(appKey: string, request: DecideRequest, view?: CustomerView): DecideResponse;
  /** `decide` as the answer's JSON text, made faster than JSON.stringify of it (what the server sends) */
  decideJson(appKey: string, request: DecideRequest, view?: CustomerView): string;
  config(appKey: string): Config;
  /**
   * Makes `release` the app's live rules; returns its config answer. One assignment: a decide
   * reads the app's rules once, so it runs wholly under the old release or wholly under the new one.
   */
  activate(app: string, release: Release): Config;
  /**
   * A decide under `rules` instead of the app's live ones, with no side effect: no decision log row.
   * `traits.riskTolerance` stands in for the stored tolerance of the request's user.
   */
  preview(app: string, rules: RuleSet, request: DecideRequest, traits?: { riskTolerance?: RiskTolerance }): PreviewAnswer;
  /** an item's SVG image, served by the server itself */
  image(itemId: string): string | undefined;
  /** stores the buffered decision log and statistics now, and returns when they are (extension) */
  flush(): void;
  /** loads the newest model file, e.g. after `npm run train`; returns its version (extension) */
  reloadModel(): string;
  /** the loaded model's version (extension) */
  readonly modelVersion: string;
  /** sizes of the engine's in-memory state and the writer thread's work since the last call (diagnostics.ts) */
  diagnostics(): EngineDiagnostics;
  close(): void;
}

/** What `preview` answers: the decision, and the campaigns that were live for the request. */
export interface PreviewAnswer {
  answer: DecideResponse;
  /** ids of the campaigns live for this request (page, window, segment, tags), highest priority first */
  campaigns: string[];
}

type AppRules = LiveRules & {
  config: Config;
  /** item id → the campaigns with caps that pin or boost it (an impression of it counts for them) */
  capped: Map<string, ResolvedCampaign[]>;
};

/** The campaigns with caps by the ids of the items they pin or boost. */
function cappedByItem(campaigns: readonly ResolvedCampaign[]): Map<string, ResolvedCampaign[]> {
  const out = new Map<string, ResolvedCampaign[]>();
  for (const c of campaigns) {
    if (!c.caps) continue;
    for (const id of new Set([...(c.pins ?? []).map((p) => p.itemId), ...(c.boost?.itemIds ?? [])])) {
      const list = out.get(id);
      if (list) list.push(c);
      else out.set(id, [c]);
    }
  }
  return out;
}

export interface EngineDiagnostics {
  /** entries per cache: profiles and aliases (LRU), answer JSON pieces, SVG images, co-viewed pairs */
  sizes: Record<string, number>;
  writer: WriterStats;
}

/** Cold vectors over (a stride of) the catalog: the default model's reference sample. */
function referenceSample(index: Indexes, stats: AppStats, now: number): Vector[] {
  const step = Math.max(1, Math.floor(index.items.length / 2000));
  const sample: Vector[] = [];
  for (let i = 0; i < index.items.length; i += step) {
    const item = index.items[i]!;
    const segment = SEGMENTS[i % SEGMENTS.length]!;
    const signals = signalsOf(newProfile(now), { now, byId: index.byId, stats, segment });
    const pool = poolOfKind(item.kind);
    const slotKind = pool === 'product' ? (i % 2 ? 'picks' : 'feed') : pool;
    sample.push(featurize({ now, page: 'home', stats, signals }, item, slotKind));
  }
  return sample;
}

export function createEngine(options: EngineOptions): Engine {
  const { db } = options;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  migrateEngine(db);

  const items = options.catalogFile
    ? loadCatalogFile(options.catalogFile, log)
    : options.catalog
      ? catalogFromRows(options.catalog, { source: 'catalog', log })
      : generateCatalog({ size: options.catalogSize ?? DEFAULT_CATALOG_SIZE, seed: options.seed, now: now() });
  if (!items.length) throw new Error('the catalog holds no valid item');
  // the catalog of apps without a release; an app's release brings its own items (app-catalog.ts)
  const ownItems = ownCatalog(items, now());
  const { index } = ownItems;
  const registryDir = options.registryDir ?? join(options.modelDir, 'registry');
  // the demo's campaigns target the bank-marketing model: a fresh data directory gets it live
  if (options.seedModels && !options.campaigns) {
    try {
      seedModels(registryDir, () => [bankSeedEntry()]);
    } catch (error) {
      log(`engine: the demo's response model could not be seeded: ${(error as Error).message}`);
    }
  }
  const audiences = createScoreAudiences({ dir: registryDir, log });
  const seedCampaigns = resolveCampaigns(options.campaigns ?? DEFAULT_CAMPAIGNS, index, log, options.campaigns && audiences.targets);
  const seedRules: AppRules = { release: 0, catalog: ownItems, campaigns: seedCampaigns, config: buildConfig(options.config), capped: cappedByItem(seedCampaigns) };
  /** a release's rules; `previous` (the app's catalog now) is kept when the items did not change */
  const rulesOf = (rules: RuleSet, release: number, previous?: AppCatalog): AppRules => {
    const catalog = catalogOf(rules.items, now(), previous);
    const campaigns = resolveCampaigns(rules.campaigns, catalog.index, (m) => log(`release ${release}: ${m}`), audiences.targets);
    return {
      release,
      catalog,
      campaigns,
      config: releaseConfig(rules, release, options.config?.ttlMs),
      capped: cappedByItem(campaigns),
    };
  };
  const live = new Map<string, AppRules>();
  for (const { app, release } of options.releases ?? []) live.set(app, rulesOf(release.rules, release.version));
  const rulesFor = (app: string) => live.get(app) ?? seedRules;
  // the models campaigns' score audiences need are loaded before the first decide
  const warm = (r: AppRules) => audiences.warm(r.campaigns.flatMap((c) => (c.audience ? [c.audience.model] : [])));
  warm(seedRules);
  for (const r of live.values()) warm(r);

  /** each app's statistics over its live catalog; a new catalog's start from the previous one's */
  const statsByApp = new Map<string, { index: Indexes; stats: AppStats }>();
  const stats = (app: string, over: Indexes): AppStats => {
    const held = statsByApp.get(app);
    if (held?.index === over) return held.stats;
    const made = createStats(db, over, app, held?.stats);
    // a preview's catalog gets statistics of its own for the call; a live one replaces the app's
    if (over !== rulesFor(app).catalog.index) return made;
    if (held) writeStats(held.stats);
    statsByApp.set(app, { index: over, stats: made });
    return made;
  };
  const liveStats = (app: string) => stats(app, rulesFor(app).catalog.index);

  const fallback = (): ModelFile => recenter(defaultModel(), referenceSample(index, createStats(db, index, ''), now()));
  const loadModel = (): Model => {
    const file = loadNewestModel(options.modelDir, log);
    if (file) log(`engine: model ${file.version} from ${options.modelDir}`);
    return compile(file ?? fallback());
  };
  let model = loadModel();

  const profiles = createProfileStore(db);
  const writer = createWriter(db, log);
  const decisionLog = createDecisionLog(writer);
  const writeStats = (s: AppStats) => {
    const rows = s.checkpoint();
    if (rows.items.length || rows.pairs.length || rows.unpaired.length) writer.write({ stats: rows });
  };
  const checkpoint = () => {
    for (const { stats: s } of statsByApp.values()) writeStats(s);
  };
  const checkpoints = setInterval(checkpoint, 1000);
  checkpoints.unref?.();
  const policy = { ...DEFAULT_POLICY, ...options.policy };
  const scoresOf = new WeakMap<AppStats, ItemScores>();
  const scores = (app: string, over: Indexes) => {
    const st = stats(app, over);
    let s = scoresOf.get(st);
    if (!s || s.model !== model) scoresOf.set(st, (s = createItemScores(model, over.items, st)));
    return s;
  };
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  if (!validTimeZone(timeZone)) throw new Error(`timeZone: "${timeZone}" is not an IANA time zone`);
  const caps = createCampaignCaps({ db, timeZone: () => timeZone });
  const arbiter: Arbiter = { rules: rulesFor, policy, stats, scores, profiles, log: decisionLog, now, audiences, caps };
  const realtime = createRealtime({
    index: (app) => rulesFor(app).catalog.index,
    profiles,
    stats: liveStats,
    onImpression(app, key, e, t) {
      const id = e.itemId ?? e.properties.itemId;
      const campaigns = typeof id === 'string' ? rulesFor(app).capped.get(id) : undefined;
      // an impression counts while the campaign runs: before its start, the item was not its own
      if (campaigns) caps.count(app, key, campaigns.filter((c) => (c.start === undefined || t >= c.start) && (c.end === undefined || t < c.end)).map((c) => c.id), t);
    },
    onMerge: (app, from, to) => caps.merge(app, from, to),
  });
  /** SVG images by item id, of every catalog held; emptied when a release brings other items */
  const images = new Map<string, string>();

  return {
    ingest: realtime,
    decide: (app, request, view) => decide(arbiter, app, request, view),
    decideJson: (app, request, view) => decideJson(arbiter, app, request, view),
    config: (app) => rulesFor(app).config,
    activate(app, release) {
      // built before the swap, so a decide never sees a half-built release
      const current = rulesFor(app);
      const next = rulesOf(release.rules, release.version, current.catalog);
      live.set(app, next);
      if (next.catalog !== current.catalog) images.clear();
      return next.config;
    },
    preview(app, rules, request, traits) {
      const draft = rulesOf(rules, rulesFor(app).release, rulesFor(app).catalog);
      const key = request.userId ?? request.anonymousId;
      const t = now();
      // the sample's tolerance over the stored profile, on a copy: the store is only read
      const risk = traits?.riskTolerance;
      const view = risk ? { ...profiles, get: (a: string, k: string) => (k === key ? { ...(profiles.get(a, k) ?? newProfile(t)), risk } : profiles.get(a, k)) } : profiles;
      const quiet: Arbiter = { ...arbiter, profiles: view, rules: () => draft, log: { add() {}, flush() {}, close() {} } };
      const answer = decide(quiet, app, request);
      const personalized = request.personalized !== false;
      const stored = personalized ? view.get(app, key) : undefined;
      const campaigns = activeCampaigns(draft.campaigns, {
        now: t,
        page: pageSection(request.context.page),
        segment: personalized ? segmentOf(stored, t) : undefined,
        tags: personalized ? request.tags : undefined,
        traits: personalized ? stored?.traits : undefined,
      }).map((c) => c.id);
      return { answer, campaigns };
    },
    image(itemId) {
      const hit = images.get(itemId);
      if (hit !== undefined) return hit;
      let item = index.byId.get(itemId);
      for (const r of live.values()) item = r.catalog.index.byId.get(itemId) ?? item;
      if (!item) return undefined;
      const svg = itemSvg(item);
      if (images.size >= 2000) images.delete(images.keys().next().value!);
      images.set(itemId, svg);
      return svg;
    },
    flush() {
      decisionLog.flush();
      checkpoint();
      writer.sync();
    },
    reloadModel() {
      model = loadModel();
      return model.version;
    },
    get modelVersion() {
      return model.version;
    },
    diagnostics() {
      let [jsonHeads, jsonQuoted, jsonNumbers] = [0, 0, 0];
      for (const { heads, quoted, numbers } of new Set([seedRules, ...live.values()].map((r) => r.catalog.json))) {
        jsonHeads += heads.size;
        jsonQuoted += quoted.size;
        jsonNumbers += numbers.size;
      }
      let coviews = 0;
      for (const { stats: s } of statsByApp.values()) coviews += s.pairs();
      return { sizes: { ...profiles.sizes(), jsonHeads, jsonQuoted, jsonNumbers, images: images.size, coviews }, writer: writer.stats() };
    },
    close() {
      clearInterval(checkpoints);
      decisionLog.close();
      checkpoint();
      writer.sync(true);
    },
  };
}

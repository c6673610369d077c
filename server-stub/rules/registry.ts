/**
 * Each app's live release, and the one way to change it. The registry runs on the HTTP thread:
 * it validates a release (schemas and `checkRuleSet`), stores it and makes it live in one
 * transaction (store.ts), posts the swap to the engine thread (`EngineHost.activate`: a decide runs
 * wholly under one release), and then tells subscribers (the config streams) the version and its
 * config at once, without waiting for the engine's reply: the engine thread handles messages in
 * the order they were posted, so whatever a device sends after hearing of version N — a decide, a
 * config request — is handled after the swap to N. A device that hears the config needs no
 * round trip for it (publish → device is one push).
 *
 * Activations of one registry run one after another: two publishes never interleave their
 * store write and engine swap, so the store's live release and the engine's always agree.
 *
 * @example
 * const release = await registry.publish('demo', rules);   // validated → version N+1, live
 * registry.subscribe('demo', (version, config) => …);      // on every change
 * await registry.rollback('demo', 3);                     // release 3's rules, as version N+2
 */
import { firstProblem } from '../../sdk/contract';
import { checkRuleSet, ruleSetSchemas, type Release, type RuleSet } from '../../sdk/contract-admin';
import type { Config, Problem } from '../../sdk/contract';
import { releaseConfig } from '../engine/config';
import { HttpError } from '../wire/errors';
import type { ReleaseInfo, RulesStore } from './store';

/** A rule set or release that may not go live: the first problem is the error, all are listed. */
export class RulesError extends HttpError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const first = problems[0]!;
    super(400, first.code, first.message, { path: first.path, extra: problems.length > 1 ? { problems } : undefined });
    this.problems = problems;
  }
}

/** What the registry needs of the engine (engine/thread.ts `EngineHost`). */
export interface RulesEngine {
  /** `config` is the release's config answer (engine/config.ts `releaseConfig`), made here once */
  activate(app: string, release: Release, config: Config): Promise<unknown>;
}

export interface RulesRegistry {
  /** the app's live release; undefined when it has none (it is then served the built-in seed as release 0) */
  live(app: string): Release | undefined;
  /** the live version, 0 when none */
  version(app: string): number;
  /** every app's live release */
  lives(): { app: string; release: Release }[];
  release(app: string, version: number): Release | undefined;
  /** the app's releases, newest first */
  releases(app: string): ReleaseInfo[];
  /**
   * Validates `rules` (RulesError, a 400, naming the field) and makes them release N+1, live.
   * @example await registry.publish('demo', { ...rules, campaigns: [...rules.campaigns, campaign] })
   */
  publish(app: string, rules: unknown, publishedAt?: number): Promise<Release>;
  /**
   * Makes `release` live as given: a new version (above every stored one) is validated and stored;
   * a stored version is made live again (a rollback that keeps the old number).
   */
  activate(app: string, release: Release): Promise<Release>;
  /** publishes release `version`'s rules as a new release */
  rollback(app: string, version: number): Promise<Release>;
  /** `listener(version, config)` on every change of the app's live release (config: its GET /v1/config answer); returns the unsubscribe */
  subscribe(app: string, listener: ReleaseListener): () => void;
  /** the engine to swap releases into (set once it runs: the seed is stored before it starts) */
  attach(engine: RulesEngine): void;
}

/** Told of every new live release: its version and its config answer (engine/config.ts `releaseConfig`). */
export type ReleaseListener = (version: number, config: Config) => void;

/** `rules` as a rule set that may go live, or RulesError. */
export function validRuleSet(rules: unknown): RuleSet {
  const parsed = ruleSetSchemas().ruleSet.safeParse(rules);
  if (!parsed.success) throw new RulesError([firstProblem(parsed.error)]);
  const problems = checkRuleSet(parsed.data);
  if (problems.length) throw new RulesError(problems);
  return parsed.data;
}

export interface RegistryOptions {
  store: RulesStore;
  now: () => number;
  /** stored as release 1 of `app` when the store holds no release of it (a fresh data directory) */
  seed?: { app: string; rules: () => RuleSet };
  log?: (message: string) => void;
}

export function createRulesRegistry(o: RegistryOptions): RulesRegistry {
  const { store } = o;
  const live = new Map(store.lives().map((r) => [r.app, r.release]));
  const listeners = new Map<string, Set<ReleaseListener>>();
  let engine: RulesEngine | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  if (o.seed && !live.has(o.seed.app) && store.latest(o.seed.app) === 0) {
    const release: Release = { version: 1, publishedAt: o.now(), rules: o.seed.rules() };
    store.putLive(o.seed.app, release);
    live.set(o.seed.app, release);
  }

  /** runs `step` after every activation before it, whatever became of them */
  const enqueue = <T>(step: () => T | Promise<T>): Promise<T> => {
    const next = queue.then(step, step);
    queue = next.catch(() => {});
    return next;
  };

  /**
   * Stores, swaps and announces; called inside the queue only. Once stored the release is live: an
   * engine thread that fails or restarts starts under it (EngineHost keeps the releases it was given).
   */
  const swap = async (app: string, release: Release): Promise<Release> => {
    store.putLive(app, release);
    live.set(app, release);
    const config = releaseConfig(release.rules, release.version);
    const swapped = engine?.activate(app, release, config);
    const listening = listeners.get(app);
    if (listening?.size) {
      for (const listener of listening) {
        try {
          listener(release.version, config);
        } catch (error) {
          o.log?.(`rules: a listener of ${app} failed: ${(error as Error).message}`);
        }
      }
    }
    await swapped;
    return release;
  };

  const registry: RulesRegistry = {
    live: (app) => live.get(app),
    version: (app) => live.get(app)?.version ?? 0,
    lives: () => [...live].map(([app, release]) => ({ app, release })),
    release: (app, version) => store.get(app, version),
    releases: (app) => store.list(app),
    publish(app, rules, publishedAt) {
      let valid: RuleSet;
      try {
        valid = validRuleSet(rules);
      } catch (error) {
        return Promise.reject(error);
      }
      // the version is taken inside the queue, so two publishes never get the same one
      return enqueue(() => swap(app, { version: store.latest(app) + 1, publishedAt: publishedAt ?? o.now(), rules: valid }));
    },
    activate(app, release) {
      return enqueue(() => {
        const stored = Number.isSafeInteger(release?.version) ? store.get(app, release.version) : undefined;
        if (stored) return swap(app, stored);
        const parsed = ruleSetSchemas().release.safeParse(release);
        if (!parsed.success) throw new RulesError([firstProblem(parsed.error)]);
        // parsed with the release: only the semantic checks are left
        const problems = checkRuleSet(parsed.data.rules);
        if (problems.length) throw new RulesError(problems);
        const latest = store.latest(app);
        if (release.version <= latest) throw new HttpError(409, 'stale_release', `version ${release.version} is not above the stored ${latest}`, { path: 'version' });
        return swap(app, parsed.data);
      });
    },
    rollback(app, version) {
      const old = store.get(app, version);
      if (!old) return Promise.reject(new HttpError(404, 'not_found', `no release ${version} of ${app}`, { path: 'version' }));
      return registry.publish(app, old.rules);
    },
    subscribe(app, listener) {
      let set = listeners.get(app);
      if (!set) listeners.set(app, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (!set.size && listeners.get(app) === set) listeners.delete(app);
      };
    },
    attach(e) {
      engine = e;
    },
  };
  return registry;
}

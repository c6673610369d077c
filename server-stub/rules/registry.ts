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
 * Many instances (PostgreSQL): the store is shared, and a release made live on another instance
 * reaches this one through `refresh(app)` — server.ts calls it on the store's notification, and
 * for every app after a dropped notification connection — which re-reads the live release and,
 * when it changed, swaps it into the engine and tells the subscribers, in the same queue.
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
import { VersionTaken, type ReleaseInfo, type RulesStore } from './store';

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
  release(app: string, version: number): Promise<Release | undefined>;
  /** the app's releases, newest first */
  releases(app: string): Promise<ReleaseInfo[]>;
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
  /**
   * Reads `app`'s live release (every app's without one) from the store again and makes it live
   * here when it is not: what another instance published. Resolves once done.
   * @example store.listen((app) => registry.refresh(app))
   */
  refresh(app?: string): Promise<void>;
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

export async function createRulesRegistry(o: RegistryOptions): Promise<RulesRegistry> {
  const { store } = o;
  const live = new Map((await store.lives()).map((r) => [r.app, r.release]));
  const listeners = new Map<string, Set<ReleaseListener>>();
  let engine: RulesEngine | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  if (o.seed && !live.has(o.seed.app) && (await store.latest(o.seed.app)) === 0) {
    const release: Release = { version: 1, publishedAt: o.now(), rules: o.seed.rules() };
    try {
      await store.putLive(o.seed.app, release, true);
      live.set(o.seed.app, release);
    } catch (error) {
      // another instance starting at the same time stored its seed first: that one is live
      if (!(error instanceof VersionTaken)) throw error;
      const theirs = await store.live(o.seed.app);
      if (theirs) live.set(o.seed.app, theirs);
    }
  }

  /** runs `step` after every activation before it, whatever became of them */
  const enqueue = <T>(step: () => T | Promise<T>): Promise<T> => {
    const next = queue.then(step, step);
    queue = next.catch(() => {});
    return next;
  };

  /**
   * Stores (unless `stored`: read from the shared store, another instance's), swaps and announces;
   * called inside the queue only. Once stored the release is live: an engine thread that fails or
   * restarts starts under it (EngineHost keeps the releases it was given).
   */
  const swap = async (app: string, release: Release, fresh = false, stored = false): Promise<Release> => {
    if (!stored) await store.putLive(app, release, fresh);
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
      // another instance may take the same number first: the next one is tried (a few times)
      return enqueue(async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await swap(app, { version: (await store.latest(app)) + 1, publishedAt: publishedAt ?? o.now(), rules: valid }, true);
          } catch (error) {
            if (!(error instanceof VersionTaken) || attempt === 4) throw error;
          }
        }
      });
    },
    activate(app, release) {
      return enqueue(async () => {
        const stored = Number.isSafeInteger(release?.version) ? await store.get(app, release.version) : undefined;
        if (stored) return swap(app, stored);
        const parsed = ruleSetSchemas().release.safeParse(release);
        if (!parsed.success) throw new RulesError([firstProblem(parsed.error)]);
        // parsed with the release: only the semantic checks are left
        const problems = checkRuleSet(parsed.data.rules);
        if (problems.length) throw new RulesError(problems);
        const latest = await store.latest(app);
        if (release.version <= latest) throw new HttpError(409, 'stale_release', `version ${release.version} is not above the stored ${latest}`, { path: 'version' });
        try {
          return await swap(app, parsed.data, true);
        } catch (error) {
          if (error instanceof VersionTaken) throw new HttpError(409, 'stale_release', `version ${release.version} was stored meanwhile (another instance)`, { path: 'version' });
          throw error;
        }
      });
    },
    async rollback(app, version) {
      const old = await store.get(app, version);
      if (!old) throw new HttpError(404, 'not_found', `no release ${version} of ${app}`, { path: 'version' });
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
    refresh(app) {
      return enqueue(async () => {
        const theirs = app === undefined ? await store.lives() : [{ app, release: await store.live(app) }];
        for (const t of theirs) {
          const mine = live.get(t.app);
          // versions only grow: an older one read late (a notification overtaken) is not news
          if (!t.release || (mine && mine.version >= t.release.version)) continue;
          await swap(t.app, t.release, false, true);
        }
      });
    },
  };
  return registry;
}

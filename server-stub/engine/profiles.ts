/**
 * Profiles in SQLite behind a small LRU cache. Ingest loads, mutates and upserts the profiles a
 * batch touched, once per user per batch; decide reads through the cache, and remembers users
 * without a profile too, so a cold user costs one SELECT, not one per request.
 *
 * Invariant: the cache never holds a profile older than the table (ingest writes both).
 */
import type { Db } from '../store/db';
import { newProfile, type Profile } from './profile';

export interface ProfileStore {
  /** the stored profile, or undefined for a user never seen */
  get(app: string, key: string): Profile | undefined;
  /** the userId an anonymousId was identified as */
  alias(app: string, anonymousId: string): string | undefined;
  setAlias(app: string, anonymousId: string, userId: string): void;
  /** writes profiles (inside the caller's transaction) and caches them */
  save(app: string, profiles: Map<string, Profile>, now: number): void;
  remove(app: string, key: string): void;
  /** forget cached entries (after a failed batch the table is the truth) */
  forget(app: string, keys: Iterable<string>): void;
  /** entries cached (diagnostics) */
  sizes(): { profiles: number; aliases: number };
}

/**
 * A cache of at most `max` entries that keeps the recently used ones, in two generations: entries
 * are set in `young`; a hit in `old` is copied to `young`; when `young` holds max / 2, it becomes
 * `old` and the previous `old` is dropped whole. So a hit in `young` — the steady state of a hot
 * set smaller than max / 2 — changes nothing. (Moving every hit to the end of one Map, as before,
 * filled its table with deleted entries at the rate of decides; each rehash of a table of
 * thousands of entries was old-space garbage — the engine thread's old space grew ~1 MB per 10 000
 * decides, towards a major GC in a later benchmark run.)
 */
export class Lru<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly half: number;
  constructor(max: number) {
    this.half = Math.max(1, Math.floor(max / 2));
  }
  get size(): number {
    let n = this.young.size;
    for (const k of this.old.keys()) if (!this.young.has(k)) n++;
    return n;
  }
  get(k: string): V | undefined {
    const v = this.young.get(k);
    if (v !== undefined) return v;
    const o = this.old.get(k);
    if (o !== undefined) this.put(k, o);
    return o;
  }
  set(k: string, v: V): void {
    // a stale copy in `old` is never read: `young` is looked at first
    this.put(k, v);
  }
  delete(k: string): void {
    this.young.delete(k);
    this.old.delete(k);
  }
  private put(k: string, v: V): void {
    if (!this.young.has(k) && this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(k, v);
  }
}

const NONE = null;

export function createProfileStore(db: Db, { cacheSize = 20_000 } = {}): ProfileStore {
  const select = db.prepare('SELECT data FROM engine_profiles WHERE app_key = ? AND user_key = ?').pluck();
  const upsert = db.prepare(
    `INSERT INTO engine_profiles (app_key, user_key, data, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (app_key, user_key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
  );
  const del = db.prepare('DELETE FROM engine_profiles WHERE app_key = ? AND user_key = ?');
  const selectAlias = db.prepare('SELECT user_id FROM engine_aliases WHERE app_key = ? AND anonymous_id = ?').pluck();
  const upsertAlias = db.prepare(
    `INSERT INTO engine_aliases (app_key, anonymous_id, user_id) VALUES (?, ?, ?)
     ON CONFLICT (app_key, anonymous_id) DO UPDATE SET user_id = excluded.user_id`,
  );
  const cache = new Lru<Profile | typeof NONE>(cacheSize);
  const aliases = new Lru<string | typeof NONE>(cacheSize * 2);
  const k = (app: string, key: string) => `${app}\u0000${key}`;

  return {
    get(app, key) {
      const ck = k(app, key);
      const hit = cache.get(ck);
      if (hit !== undefined) return hit ?? undefined;
      const data = select.get(app, key) as string | undefined;
      let profile: Profile | undefined;
      if (data !== undefined) {
        try {
          profile = { ...newProfile(0), ...(JSON.parse(data) as Profile) };
        } catch {
          profile = undefined; // a damaged row is a cold user, rewritten by the next event
        }
      }
      cache.set(ck, profile ?? NONE);
      return profile;
    },
    alias(app, anonymousId) {
      const ck = k(app, anonymousId);
      const hit = aliases.get(ck);
      if (hit !== undefined) return hit ?? undefined;
      const user = selectAlias.get(app, anonymousId) as string | undefined;
      aliases.set(ck, user ?? NONE);
      return user;
    },
    setAlias(app, anonymousId, userId) {
      upsertAlias.run(app, anonymousId, userId);
      aliases.set(k(app, anonymousId), userId);
    },
    save(app, profiles, now) {
      for (const [key, p] of profiles) {
        upsert.run(app, key, JSON.stringify(p), now);
        cache.set(k(app, key), p);
      }
    },
    remove(app, key) {
      del.run(app, key);
      cache.set(k(app, key), NONE);
    },
    forget(app, keys) {
      for (const key of keys) {
        cache.delete(k(app, key));
        aliases.delete(k(app, key));
      }
    },
    sizes: () => ({ profiles: cache.size, aliases: aliases.size }),
  };
}

/**
 * Campaign caps (`caps.perDay`, `caps.lifetime`): how often one user sees a campaign's items.
 * Counted from the impression events the engine follows — its ingest, from the store's events log,
 * shared by every instance with PostgreSQL — so a cap holds across instances as far as their
 * engines have followed the log (engine/service.ts). An impression counts for every capped
 * campaign of the app's live release that pins or boosts its item and whose window holds it.
 *
 * Counts are rows of the engine's own file, written in the ingest transaction that moves its
 * cursor, so a replayed batch never counts twice; decides read them through a small cache that a
 * write invalidates. Days begin at midnight in the app's time zone (`timeZone`), not UTC: a
 * Shanghai customer's "today" starts at 00:00 in Shanghai.
 *
 * @example
 * const caps = createCampaignCaps({ db, timeZone: () => 'Asia/Shanghai' });
 * caps.count('demo', 'u42', ['wealth_week'], Date.now());  // in ingest, one impression
 * caps.allows('demo', 'u42', campaign, Date.now());         // false once at a cap
 */
import type { Campaign } from '../../sdk/contract-admin';
import { migrate, type Db } from '../store/db';
import { Lru } from './profiles';

const DAY = 86_400_000;

const STEPS = [
  (db: Db) =>
    db.exec(`
      CREATE TABLE engine_campaign_caps (
        app_key TEXT NOT NULL, user_key TEXT NOT NULL, campaign TEXT NOT NULL,
        day INTEGER NOT NULL, n INTEGER NOT NULL, total INTEGER NOT NULL,
        PRIMARY KEY (app_key, user_key, campaign)
      ) WITHOUT ROWID;
    `),
];

/** A user's count for one campaign: `n` impressions on local day `day`, `total` ever. */
interface Count {
  day: number;
  n: number;
  total: number;
}

export interface CampaignCaps {
  /** one impression of `key` for each of `campaigns`, at `t` (inside the ingest transaction) */
  count(app: string, key: string, campaigns: readonly string[], t: number): void;
  /** adds an anonymous visitor's counts to the user they identified as (identify) */
  merge(app: string, from: string, to: string): void;
  /** whether `key` may still see `campaign`'s items at `now` (true for a campaign without caps) */
  allows(app: string, key: string, campaign: Pick<Campaign, 'id' | 'caps'>, now: number): boolean;
  /** forgets the cache (a transaction that counted rolled back) */
  forget(): void;
}

/**
 * `(t) => the local day number of t in `timeZone`` — days since 1970-01-01 in that zone. The
 * zone's offset is asked of Intl once per quarter hour of UTC time (offsets change at most that often).
 */
export function localDays(timeZone: string): (t: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const offsets = new Map<number, number>();
  const QUARTER = 900_000;
  const offsetAt = (t: number) => {
    const q = Math.floor(t / QUARTER);
    let offset = offsets.get(q);
    if (offset === undefined) {
      const at = q * QUARTER;
      const p = Object.fromEntries(format.formatToParts(at).map((x) => [x.type, x.value]));
      offset = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - at;
      if (offsets.size > 4096) offsets.clear();
      offsets.set(q, offset);
    }
    return offset;
  };
  return (t) => Math.floor((t + offsetAt(t)) / DAY);
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function validTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export interface CampaignCapsOptions {
  db: Db;
  /** the app's IANA time zone, where its days begin. @example () => 'Asia/Shanghai' */
  timeZone(app: string): string;
  /** users whose counts are cached. @default 20 000 */
  cacheSize?: number;
}

export function createCampaignCaps(o: CampaignCapsOptions): CampaignCaps {
  const { db } = o;
  migrate(db, 'campaign-caps', STEPS);
  const select = db.prepare('SELECT campaign, day, n, total FROM engine_campaign_caps WHERE app_key = ? AND user_key = ?');
  // a late impression (an earlier day than the stored one) counts for the lifetime only
  const bump = db.prepare(
    `INSERT INTO engine_campaign_caps (app_key, user_key, campaign, day, n, total) VALUES (?, ?, ?, ?, 1, 1)
     ON CONFLICT (app_key, user_key, campaign) DO UPDATE SET
       n = CASE WHEN excluded.day > day THEN 1 WHEN excluded.day = day THEN n + 1 ELSE n END,
       day = max(day, excluded.day), total = total + 1`,
  );
  const mergeInto = db.prepare(
    `INSERT INTO engine_campaign_caps (app_key, user_key, campaign, day, n, total)
     SELECT app_key, ?, campaign, day, n, total FROM engine_campaign_caps WHERE app_key = ? AND user_key = ?
     ON CONFLICT (app_key, user_key, campaign) DO UPDATE SET
       n = CASE WHEN excluded.day > day THEN excluded.n WHEN excluded.day = day THEN n + excluded.n ELSE n END,
       day = max(day, excluded.day), total = total + excluded.total`,
  );
  const remove = db.prepare('DELETE FROM engine_campaign_caps WHERE app_key = ? AND user_key = ?');
  let cache = new Lru<Map<string, Count>>(o.cacheSize ?? 20_000);
  const zones = new Map<string, { zone: string; day: (t: number) => number }>();
  const dayOf = (app: string, t: number) => {
    const zone = o.timeZone(app);
    let z = zones.get(app);
    if (!z || z.zone !== zone) zones.set(app, (z = { zone, day: localDays(zone) }));
    return z.day(t);
  };
  const cacheKey = (app: string, key: string) => `${app}\u0000${key}`;
  const countsOf = (app: string, key: string) => {
    const k = cacheKey(app, key);
    let counts = cache.get(k);
    if (!counts) {
      counts = new Map();
      for (const r of select.all(app, key) as ({ campaign: string } & Count)[]) counts.set(r.campaign, { day: r.day, n: r.n, total: r.total });
      cache.set(k, counts);
    }
    return counts;
  };

  return {
    count(app, key, campaigns, t) {
      if (!campaigns.length) return;
      const day = dayOf(app, t);
      for (const id of campaigns) bump.run(app, key, id, day);
      cache.delete(cacheKey(app, key));
    },
    merge(app, from, to) {
      if (from === to) return;
      mergeInto.run(to, app, from);
      remove.run(app, from);
      cache.delete(cacheKey(app, from));
      cache.delete(cacheKey(app, to));
    },
    allows(app, key, campaign, now) {
      const caps = campaign.caps;
      if (!caps || (caps.perDay === undefined && caps.lifetime === undefined)) return true;
      const c = countsOf(app, key).get(campaign.id);
      if (!c) return true;
      if (caps.lifetime !== undefined && c.total >= caps.lifetime) return false;
      return caps.perDay === undefined || c.day !== dayOf(app, now) || c.n < caps.perDay;
    },
    forget() {
      cache = new Lru(o.cacheSize ?? 20_000);
    },
  };
}

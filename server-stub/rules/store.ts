/**
 * Where releases live: the SQL of rules/, all of it, behind `RulesStore`, one text for both
 * stores (SQLite and PostgreSQL, through store/sql.ts). A release is stored whole, as JSON, and
 * never changed; which one is live is one row per app, switched in the same transaction that
 * stores a new release, so a reader sees the old live release or the new one, never neither.
 *
 * On PostgreSQL every instance shares the tables: `putLive` takes the rules lock (serialising
 * the writes of all instances) and sends `NOTIFY slotwise_releases` with the app in the same
 * transaction, delivered at commit; each instance's registry then re-reads that app's live
 * release (registry.ts).
 */
import type { Release } from '../../sdk/contract-admin';
import { openSql, type SqlTarget } from '../store/sql';
import type { Db } from '../store/db';

/** A stored release without its rules: what a list of releases shows. */
export interface ReleaseInfo {
  version: number;
  publishedAt: number;
  live: boolean;
}

export interface RulesStore {
  readonly kind: 'sqlite' | 'postgres';
  /** every app's live release */
  lives(): Promise<{ app: string; release: Release }[]>;
  /** one app's live release */
  live(app: string): Promise<Release | undefined>;
  /** one stored release */
  get(app: string, version: number): Promise<Release | undefined>;
  /** the app's releases, newest first */
  list(app: string): Promise<ReleaseInfo[]>;
  /** the highest version stored for the app, 0 when none */
  latest(app: string): Promise<number>;
  /**
   * Stores `release` (unless that version is stored already) and makes it live, atomically.
   * `fresh`: the version must be new (a publish); when another instance stored it meanwhile this
   * rejects with `VersionTaken` and changes nothing.
   */
  putLive(app: string, release: Release, fresh?: boolean): Promise<void>;
}

/** `putLive(…, fresh)` found the version taken (by another instance's publish). */
export class VersionTaken extends Error {}

/** The channel a PostgreSQL `putLive` notifies, with the app as the payload. */
export const RELEASES_CHANNEL = 'slotwise_releases';
/** The advisory lock of rules transactions on PostgreSQL ("slotru"). */
export const RULES_LOCK = 0x736c6f747275;

const SQLITE = [
  (db: Db) =>
    db.exec(`
      CREATE TABLE rule_releases (
        app TEXT NOT NULL, version INTEGER NOT NULL, published_at INTEGER NOT NULL, rules TEXT NOT NULL,
        PRIMARY KEY (app, version)
      ) WITHOUT ROWID;
      CREATE TABLE rule_live (app TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
    `),
];
const POSTGRES = [
  `CREATE TABLE rule_releases (
     app TEXT NOT NULL, version INTEGER NOT NULL, published_at BIGINT NOT NULL, rules TEXT NOT NULL,
     PRIMARY KEY (app, version)
   );
   CREATE TABLE rule_live (app TEXT PRIMARY KEY, version INTEGER NOT NULL);`,
];

interface Row {
  app: string;
  version: number;
  published_at: number;
  rules: string;
}

const releaseOf = (r: Row): Release => ({ version: r.version, publishedAt: r.published_at, rules: JSON.parse(r.rules) as Release['rules'] });

/**
 * Migrates the rules tables on `target` and returns the store over them.
 * @example const store = await createRulesStore({ kind: 'sqlite', db });
 */
export async function createRulesStore(target: SqlTarget): Promise<RulesStore> {
  const sql = await openSql(target, 'rules', { sqlite: SQLITE, postgres: POSTGRES }, RULES_LOCK);
  const LIVE = 'SELECT r.* FROM rule_live l JOIN rule_releases r ON r.app = l.app AND r.version = l.version';
  return {
    kind: sql.kind,
    lives: async () => (await sql.all<Row>(LIVE)).map((r) => ({ app: r.app, release: releaseOf(r) })),
    live: async (app) => {
      const row = await sql.one<Row>(`${LIVE} WHERE l.app = ?`, app);
      return row && releaseOf(row);
    },
    async get(app, version) {
      const row = await sql.one<Row>('SELECT * FROM rule_releases WHERE app = ? AND version = ?', app, version);
      return row && releaseOf(row);
    },
    list: async (app) =>
      (
        await sql.all<{ version: number; published_at: number; live: number | boolean }>(
          `SELECT r.version, r.published_at, (l.version IS NOT NULL) AS live FROM rule_releases r
           LEFT JOIN rule_live l ON l.app = r.app AND l.version = r.version WHERE r.app = ? ORDER BY r.version DESC`,
          app,
        )
      ).map((r) => ({ version: r.version, publishedAt: r.published_at, live: r.live === 1 || r.live === true })),
    latest: async (app) => ((await sql.one<{ v: number }>('SELECT coalesce(max(version), 0) AS v FROM rule_releases WHERE app = ?', app))?.v ?? 0),
    putLive: (app, r, fresh = false) =>
      sql.atomic(async () => {
        const stored = await sql.run('INSERT INTO rule_releases (app, version, published_at, rules) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', app, r.version, r.publishedAt, JSON.stringify(r.rules));
        if (fresh && stored === 0) throw new VersionTaken(`release ${r.version} of ${app} is stored already`);
        await sql.run('INSERT INTO rule_live (app, version) VALUES (?, ?) ON CONFLICT (app) DO UPDATE SET version = excluded.version', app, r.version);
        if (sql.kind === 'postgres') await sql.run(`SELECT pg_notify('${RELEASES_CHANNEL}', ?)`, app);
      }),
  };
}


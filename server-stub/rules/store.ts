/**
 * Where releases live: the SQL of rules/, all of it, behind `RulesStore`, so a PostgreSQL store
 * (server-stub/store/) can implement the same five calls. A release is stored whole, as JSON, and
 * never changed; which one is live is one row per app, switched in the same transaction that
 * stores a new release, so a reader sees the old live release or the new one, never neither.
 */
import type { Release } from '../../sdk/contract-admin';
import { migrate, type Db } from '../store/db';

/** A stored release without its rules: what a list of releases shows. */
export interface ReleaseInfo {
  version: number;
  publishedAt: number;
  live: boolean;
}

export interface RulesStore {
  /** every app's live release */
  lives(): { app: string; release: Release }[];
  /** one stored release */
  get(app: string, version: number): Release | undefined;
  /** the app's releases, newest first */
  list(app: string): ReleaseInfo[];
  /** the highest version stored for the app, 0 when none */
  latest(app: string): number;
  /** stores `release` (unless that version is stored already) and makes it live, atomically */
  putLive(app: string, release: Release): void;
}

const STEPS = [
  (db: Db) =>
    db.exec(`
      CREATE TABLE rule_releases (
        app TEXT NOT NULL, version INTEGER NOT NULL, published_at INTEGER NOT NULL, rules TEXT NOT NULL,
        PRIMARY KEY (app, version)
      ) WITHOUT ROWID;
      CREATE TABLE rule_live (app TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
    `),
];

interface Row {
  app: string;
  version: number;
  published_at: number;
  rules: string;
}

const releaseOf = (r: Row): Release => ({ version: r.version, publishedAt: r.published_at, rules: JSON.parse(r.rules) as Release['rules'] });

export function createSqliteRulesStore(db: Db): RulesStore {
  migrate(db, 'rules', STEPS);
  const lives = db.prepare('SELECT r.* FROM rule_live l JOIN rule_releases r ON r.app = l.app AND r.version = l.version');
  const get = db.prepare('SELECT * FROM rule_releases WHERE app = ? AND version = ?');
  const list = db.prepare(
    `SELECT r.version, r.published_at, (l.version IS NOT NULL) AS live FROM rule_releases r
     LEFT JOIN rule_live l ON l.app = r.app AND l.version = r.version WHERE r.app = ? ORDER BY r.version DESC`,
  );
  const latest = db.prepare('SELECT coalesce(max(version), 0) FROM rule_releases WHERE app = ?').pluck();
  const insert = db.prepare('INSERT OR IGNORE INTO rule_releases (app, version, published_at, rules) VALUES (?, ?, ?, ?)');
  const setLive = db.prepare('INSERT INTO rule_live (app, version) VALUES (?, ?) ON CONFLICT (app) DO UPDATE SET version = excluded.version');
  const putLive = db.transaction((app: string, r: Release) => {
    insert.run(app, r.version, r.publishedAt, JSON.stringify(r.rules));
    setLive.run(app, r.version);
  });
  return {
    lives: () => (lives.all() as Row[]).map((r) => ({ app: r.app, release: releaseOf(r) })),
    get(app, version) {
      const row = get.get(app, version) as Row | undefined;
      return row && releaseOf(row);
    },
    list: (app) =>
      (list.all(app) as { version: number; published_at: number; live: number }[]).map((r) => ({ version: r.version, publishedAt: r.published_at, live: r.live === 1 })),
    latest: (app) => latest.get(app) as number,
    putLive: (app, release) => putLive.immediate(app, release),
  };
}

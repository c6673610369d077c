/**
 * store/: every durable read and write (SQLite today), migrations, group commit.
 *
 * The store: one SQLite file, `<dataDir>/slotwise.db`, opened by better-sqlite3 in WAL mode.
 *
 * Durability: "acknowledged" means "on disk". In WAL mode NORMAL only syncs at checkpoints, so a
 * commit the client was told about (200 → the SDK deletes the events from its queue) could vanish
 * on power loss or an OS crash. So a connection opened here is `synchronous = FULL` (the WAL is
 * fsynced in every COMMIT), unless it hands that fsync to `createWalSync` (wal-sync.ts), as the
 * ingest connection does: its COMMIT returns without waiting for the disk, and acknowledgements
 * wait for an fsync of the WAL made off the thread. Either way one fsync per group of batches.
 *
 * Schema versions: the store's own tables are versioned by `PRAGMA user_version`. Other parts
 * (the engine) version theirs with `migrate(db, component, steps)`, which records its version in
 * the `schema_versions` table, so the two never fight over user_version.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;
/** One step of a schema; step i moves the schema from version i to i + 1. Never edit a shipped step. */
export type Migration = (db: Db) => void;

/**
 * The events table. Indexes are few on purpose: each secondary index costs about as much CPU per
 * insert as the whole row (measured: ~7 µs/row with the primary key, +5–7 µs per extra index),
 * and ingest must take 50 000 events/s. So:
 * - `id` (primary key) makes storage idempotent;
 * - `events_decision` (partial: only impressions, clicks … carry a decision id) joins feedback to
 *   the decision log for training;
 * - time order needs no index: rowid is the arrival order, so training and replays scan
 *   `WHERE rowid > ?` incrementally;
 * - per-user state is kept up to date by the engine at ingest (`engine.ingest`) in its own tables,
 *   so nothing reads events by user or anonymousId on a hot path. Should something need to, it is
 *   one more migration step here.
 */
const STORE: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE events (
        id           TEXT PRIMARY KEY,
        app_key      TEXT NOT NULL,
        type         TEXT NOT NULL,
        name         TEXT NOT NULL,
        ts           INTEGER NOT NULL,
        received_at  INTEGER NOT NULL,
        anonymous_id TEXT NOT NULL,
        user_id      TEXT,
        session_id   TEXT NOT NULL,
        decision_id  TEXT,
        slot_id      TEXT,
        item_id      TEXT,
        position     INTEGER,
        properties   TEXT NOT NULL,
        context      TEXT NOT NULL
      );
      CREATE INDEX events_decision ON events (decision_id) WHERE decision_id IS NOT NULL;
    `),
];

/**
 * WAL pages past which a connection's commit checkpoints (SQLite's default is 1 000: every 4 MB the
 * committing thread copied the log into the database and fsynced it, stalling an ingest commit or
 * a decide for tens of ms). The engine's writer thread checkpoints every 250 ms (engine/writer.ts),
 * so the log is copied off the threads that answer requests. The log restarts from its beginning
 * only when a write begins with all of it copied; under sustained ingest that moment may not come,
 * and at this bound (64 MB) the committing connection checkpoints once — what the writer has not
 * copied yet, little — and the next write restarts the log. Also the bound should the writer be gone.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 16_384;

/** The store's current schema version (`PRAGMA user_version` of an up-to-date database). */
export const STORE_VERSION = STORE.length;

/** Opens (creating if needed) `<dataDir>/slotwise.db` and brings the store's schema up to date. */
export function openDb(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'slotwise.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma('foreign_keys = ON');
  // a second process (npm run train, a test's read-only handle) may hold a read lock briefly
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > STORE.length) {
    db.close();
    throw new Error(`${dataDir}/slotwise.db has store schema v${current}, newer than this server (v${STORE.length})`);
  }
  db.transaction(() => {
    for (let v = current; v < STORE.length; v++) STORE[v]!(db);
    db.pragma(`user_version = ${STORE.length}`);
  }).immediate();
  return db;
}

/**
 * Brings `component`'s tables up to `steps.length`, each step in the same transaction as its
 * version bump, so a crash mid-migration leaves the previous version intact.
 * @example migrate(db, 'engine', [(db) => db.exec('CREATE TABLE decisions (…)')]);
 */
export function migrate(db: Db, component: string, steps: Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as
      | { version: number }
      | undefined;
    const current = row?.version ?? 0;
    if (current > steps.length) throw new Error(`${component} schema v${current} is newer than this server (v${steps.length})`);
    for (let v = current; v < steps.length; v++) steps[v]!(db);
    db.prepare('INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version').run(
      component,
      steps.length,
    );
  }).immediate();
}

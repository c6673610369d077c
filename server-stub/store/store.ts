/**
 * The store seam: every durable read and write of the events log goes through a `Store`, with two
 * implementations — SQLite (`sqlite.ts`, embedded, the default for `npm start`) and PostgreSQL
 * (`postgres.ts`, `--store postgres://…` or `SLOTWISE_DATABASE_URL`, for many instances).
 *
 * What a store guarantees, whichever it is:
 * - `append` is idempotent by event id (an id already stored, by any batch, any app, any instance,
 *   is a duplicate and never overwritten) and resolves only once what it stored is durable;
 * - every stored event has a position in one log (`row`: SQLite's rowid, PostgreSQL's `seq`),
 *   increasing in commit order, so a reader that follows `row > cursor` never skips a row that
 *   commits later (postgres.ts says how that holds with sequences). Positions may have gaps.
 * - a store that cannot answer (PostgreSQL down, pool exhausted, a statement timed out) rejects
 *   with `StoreUnavailableError`, which the HTTP boundary answers 503 with `Retry-After`; nothing
 *   waits without bound.
 *
 * Where the engine's state lives: the engine's profiles, cursor, statistics and decision log are a
 * projection of the events log, kept by each instance's engine thread in its own SQLite file
 * (`<dataDir>/slotwise.db`, engine/service.ts) and rebuilt from the log when it is lost. With
 * SQLite the log is in that same file; with PostgreSQL the log is shared and each instance follows
 * it (follow.ts), woken by LISTEN/NOTIFY.
 *
 * Adding tables for a capability (admin, analytics, models …): give the capability its own
 * component name and one list of steps per implementation, and migrate both on start:
 *
 * ```ts
 * // SQLite: steps run in one IMMEDIATE transaction with their version bump (db.ts)
 * migrate(db, 'admin', [(db) => db.exec('CREATE TABLE admin_users (id TEXT PRIMARY KEY, …)')]);
 * // PostgreSQL: steps run in one transaction under pg_advisory_lock (pg-migrate.ts), so
 * // instances that start together migrate once
 * await migratePostgres(pool, 'admin', ['CREATE TABLE admin_users (id TEXT PRIMARY KEY, …)']);
 * ```
 * Versions are per component (`schema_versions` in both stores), so capabilities never fight over
 * one number; a shipped step is never edited, a change is a new step.
 *
 * A capability whose SQL reads the same on both (admin/store.ts, rules/store.ts) writes it once over
 * `Sql` (sql.ts): `openSql(target, component, { sqlite, postgres }, lock)` migrates whichever store
 * the server runs on and returns an async executor with `atomic()` transactions. On PostgreSQL those
 * tables are shared by every instance; what one instance changes that others hold in memory is
 * announced with NOTIFY (`PostgresStore.subscribe`/`notify`) and re-read by them.
 */
import type { SlotwiseEvent } from '../../sdk/contract';

/** An event that passed the schema, with its JSON columns already serialised. */
export interface Valid {
  event: SlotwiseEvent;
  properties: string;
  context: string;
}

/** What one `append` stored: the newly stored events (never the duplicates), in log order. */
export interface Appended {
  app: string;
  events: SlotwiseEvent[];
  receivedAt: number;
  /** log position of `events[0]` (0 when nothing was new) */
  firstRow: number;
  /** log position of the last new event; rows between may belong to nobody (gaps) */
  lastRow: number;
  /**
   * Set when the store knows the log held nothing else between `after` and `lastRow` (PostgreSQL:
   * appends are serialised): a follower at `after` may hand this batch over as it is, without
   * reading it back.
   */
  after?: number;
}

/** One stored event as a follower reads it back. */
export interface LogRow {
  row: number;
  app: string;
  receivedAt: number;
  event: SlotwiseEvent;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** stores one validated batch for `app`, durably and exactly once (see above) */
  append(app: string, events: Valid[], receivedAt: number): Promise<Appended>;
  /** events stored after log position `after`, in log order, at most `limit` */
  read(after: number, limit: number): Promise<LogRow[]>;
  /** rows in the events log (of one app) */
  count(app?: string): Promise<number>;
  /** resolves when the store answers a trivial query within its timeout (readiness) */
  ping(): Promise<void>;
  /**
   * Calls `wake` whenever another writer (another instance) may have appended events. SQLite has
   * no other writer and never calls it. Returns a function that stops listening.
   */
  listen(wake: () => void): () => void;
  close(): Promise<void>;
}

/** The store cannot answer now; the client should retry (HTTP 503 with Retry-After). */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    /** seconds the client should wait */
    readonly retryAfterS = 1,
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}


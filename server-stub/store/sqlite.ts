/**
 * The SQLite store: the events log in `<dataDir>/slotwise.db` (db.ts), appended by group commit
 * (group-commit.ts) with the WAL fsynced off the thread (wal-sync.ts). The hot path is what it was
 * before the seam: one synchronous savepoint per batch inside a group's transaction, and the only
 * await is the one on the group's durable commit.
 */
import type { SlotwiseEvent } from '../../sdk/contract';
import { openDb, type Db } from './db';
import { createGroupCommit } from './group-commit';
import type { Appended, LogRow, Store, Valid } from './store';
import { createWalSync } from './wal-sync';

export interface SqliteStore extends Store {
  readonly kind: 'sqlite';
  /** the connection (the HTTP thread's); tests and the health count read through it */
  readonly db: Db;
}

interface EventRow {
  row: number;
  id: string;
  app_key: string;
  type: SlotwiseEvent['type'];
  name: string;
  ts: number;
  received_at: number;
  anonymous_id: string;
  user_id: string | null;
  session_id: string;
  decision_id: string | null;
  slot_id: string | null;
  item_id: string | null;
  position: number | null;
  properties: string;
  context: string;
}

/** The SELECT list that `logRowOf` reads (the engine's catch-up reads it too). */
export const EVENT_COLUMNS = `id, app_key, type, name, ts, received_at, anonymous_id, user_id, session_id,
  decision_id, slot_id, item_id, position, properties, context`;

/** Opens (and migrates) the store in `dataDir`. @example const store = openSqliteStore('.slotwise-data'); */
export function openSqliteStore(dataDir: string): SqliteStore {
  const db = openDb(dataDir);
  // ingest commits without waiting for the disk; its acknowledgements wait for this fsync
  const wal = createWalSync(db);
  const store = sqliteStore(db, { durable: wal.sync });
  return {
    ...store,
    async close() {
      await wal.close();
      db.close();
    },
  };
}

/**
 * The store over an open connection. Without `durable`, each COMMIT must be durable itself
 * (`synchronous = FULL`, as `openDb` leaves it). `close` closes the connection.
 * @example const store = sqliteStore(openDb(dir));
 */
export function sqliteStore(db: Db, { durable }: { durable?: () => Promise<void> } = {}): SqliteStore {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO events (${EVENT_COLUMNS})
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const page = db.prepare(`SELECT rowid AS row, ${EVENT_COLUMNS} FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?`);
  const countAll = db.prepare('SELECT count(*) FROM events').pluck();
  const countApp = db.prepare('SELECT count(*) FROM events WHERE app_key = ?').pluck();
  // the engine's threads take the same write lock: the group commit waits for it on the event loop,
  // never asleep in SQLite's busy handler with every request on this thread (group-commit.ts)
  db.pragma('busy_timeout = 0');
  const commit = createGroupCommit(db, { durable });

  /** the batch's rows are consecutive: nothing else inserts inside its savepoint */
  const stored = (app: string, events: Valid[], receivedAt: number): Appended => {
    const fresh: SlotwiseEvent[] = [];
    let firstRow = 0;
    for (const { event: e, properties, context } of events) {
      const { changes, lastInsertRowid } = insert.run(
        e.id, app, e.type, e.name, e.ts, receivedAt, e.anonymousId, e.userId ?? null, e.sessionId,
        e.decisionId ?? null, e.slotId ?? null, e.itemId ?? null, e.position ?? null, properties, context,
      );
      if (!changes) continue;
      if (!fresh.length) firstRow = Number(lastInsertRowid);
      fresh.push(e);
    }
    return { app, events: fresh, receivedAt, firstRow, lastRow: fresh.length ? firstRow + fresh.length - 1 : 0 };
  };

  return {
    kind: 'sqlite',
    db,
    append: (app, events, receivedAt) => commit(() => stored(app, events, receivedAt), events.length),
    read: async (after, limit) => (page.all(after, limit) as EventRow[]).map(logRowOf),
    count: async (app) => (app === undefined ? countAll.get() : countApp.get(app)) as number,
    ping: async () => {},
    listen: () => () => {},
    async close() {
      db.close();
    },
  };
}

const column = (text: string): Record<string, unknown> => {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** A stored row (either store's columns) as the event it was. */
export function logRowOf(r: EventRow): LogRow {
  const e: SlotwiseEvent = {
    id: r.id,
    type: r.type,
    name: r.name,
    ts: Number(r.ts),
    anonymousId: r.anonymous_id,
    sessionId: r.session_id,
    properties: column(r.properties),
    context: column(r.context) as unknown as SlotwiseEvent['context'],
  };
  if (r.user_id !== null) e.userId = r.user_id;
  if (r.decision_id !== null) e.decisionId = r.decision_id;
  if (r.slot_id !== null) e.slotId = r.slot_id;
  if (r.item_id !== null) e.itemId = r.item_id;
  if (r.position !== null) e.position = r.position;
  return { row: Number(r.row), app: r.app_key, receivedAt: Number(r.received_at), event: e };
}

export type { EventRow };

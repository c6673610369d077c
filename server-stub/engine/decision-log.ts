/**
 * The decision log: one row per served item. Rows are buffered and written in one transaction
 * every `flushMs` (or sooner when many wait), off the request path's critical section.
 *
 * For a file database the log writes through its own connection with `synchronous = NORMAL`:
 * the store fsyncs every ingest commit (events are acknowledged to clients), but a decision row
 * lost to a power cut costs one training example, and an fsync per flush would stall decide.
 * Both connections live on this thread, so they never wait on each other.
 */
import Database from 'better-sqlite3';
import type { Db } from '../db';

export interface DecisionRow {
  decisionId: string;
  app: string;
  /** null when personalisation is off: the log then keeps no user */
  userKey: string | null;
  slotId: string;
  itemId: string;
  position: number;
  strategy: string;
  score: number;
  explored: boolean;
  personalized: boolean;
  model: string;
  ts: number;
  features: string;
}

export interface DecisionLog {
  add(row: DecisionRow): void;
  /** writes everything buffered now */
  flush(): void;
  close(): void;
}

export function createDecisionLog(db: Db, { flushMs = 50, maxBuffered = 2000, log = (_m: string) => {} } = {}): DecisionLog {
  const own = !db.memory && db.name ? new Database(db.name, { fileMustExist: true }) : undefined;
  if (own) {
    own.pragma('journal_mode = WAL');
    own.pragma('synchronous = NORMAL');
    own.pragma('busy_timeout = 2000');
  }
  const writer = own ?? db;
  const insert = writer.prepare(
    `INSERT INTO engine_decision_log (decision_id, app_key, user_key, slot_id, item_id, position, strategy, score, explored,
       personalized, model, ts, features) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const write = writer.transaction((rows: DecisionRow[]) => {
    for (const r of rows) {
      insert.run(r.decisionId, r.app, r.userKey, r.slotId, r.itemId, r.position, r.strategy, r.score, +r.explored, +r.personalized, r.model, r.ts, r.features);
    }
  });
  let buffer: DecisionRow[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!buffer.length) return;
    const rows = buffer;
    buffer = [];
    try {
      write(rows);
    } catch (error) {
      log(`decision log: ${rows.length} rows not written: ${(error as Error).message}`);
    }
  }

  return {
    add(row) {
      if (closed) return;
      buffer.push(row);
      if (buffer.length >= maxBuffered) flush();
      else if (!timer) {
        timer = setTimeout(flush, flushMs);
        timer.unref?.();
      }
    },
    flush,
    close() {
      if (closed) return;
      flush();
      closed = true;
      own?.close();
    },
  };
}

/**
 * The decision log: one row per decision, its served items as JSON (the `engine_decision_items`
 * view unfolds them, see schema.ts). Rows are buffered and written in one transaction every
 * `flushMs` (or sooner when many wait), so decide never waits on SQLite.
 *
 * For a file database the log writes through its own connection with `synchronous = NORMAL`:
 * the store fsyncs every ingest commit (events are acknowledged to clients), but a decision lost
 * to a power cut costs one training example, and an fsync per flush would stall decide. Both
 * connections live on this thread, so they never wait on each other.
 */
import Database from 'better-sqlite3';
import type { Db } from '../db';

export interface LoggedItem {
  slot: string;
  item: string;
  position: number;
  strategy: string;
  score: number;
  explored: 0 | 1;
  /** the feature vector, already JSON (features.ts `serialize`) */
  features: string;
}

export interface Decision {
  decisionId: string;
  app: string;
  /** null when personalisation is off: the log then keeps no user */
  userKey: string | null;
  personalized: boolean;
  model: string;
  ts: number;
  items: LoggedItem[];
}

export interface DecisionLog {
  add(decision: Decision): void;
  /** writes everything buffered now */
  flush(): void;
  close(): void;
}

const itemsJson = (items: LoggedItem[]) =>
  '[' +
  items
    .map(
      (i) =>
        `{"slot":${JSON.stringify(i.slot)},"item":${JSON.stringify(i.item)},"position":${i.position},"strategy":${JSON.stringify(i.strategy)},` +
        `"score":${i.score},"explored":${i.explored},"features":${i.features}}`,
    )
    .join(',') +
  ']';

export function createDecisionLog(db: Db, { flushMs = 50, maxBuffered = 500, log = (_m: string) => {} } = {}): DecisionLog {
  const own = !db.memory && db.name ? new Database(db.name, { fileMustExist: true }) : undefined;
  if (own) {
    own.pragma('journal_mode = WAL');
    own.pragma('synchronous = NORMAL');
    own.pragma('busy_timeout = 2000');
  }
  const writer = own ?? db;
  const insert = writer.prepare(
    'INSERT INTO engine_decisions (decision_id, app_key, user_key, personalized, model, ts, items) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const write = writer.transaction((rows: Decision[]) => {
    for (const d of rows) insert.run(d.decisionId, d.app, d.userKey, +d.personalized, d.model, d.ts, itemsJson(d.items));
  });
  let buffer: Decision[] = [];
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
      log(`decision log: ${rows.length} decisions not written: ${(error as Error).message}`);
    }
  }

  return {
    add(decision) {
      if (closed || !decision.items.length) return;
      buffer.push(decision);
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

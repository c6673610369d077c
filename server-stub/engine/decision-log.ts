/**
 * The decision log: one row per decision in `engine_decisions`, its served items as JSON (the
 * `engine_decision_items` view unfolds them, see schema.ts).
 *
 * Decisions are buffered and handed over every `flushMs` to a writer worker thread with its own
 * SQLite connection (`synchronous = NORMAL`), so neither building the JSON nor SQLite runs on the
 * thread that answers requests. The store fsyncs every ingest commit because events are
 * acknowledged to clients; a decision lost to a power cut costs one training example.
 * `flush()` and `close()` wait (Atomics.wait, bounded) until the worker has written everything
 * handed to it, so a closed engine has logged every decision it made. An in-memory database, or a
 * worker that failed, is written on this thread instead.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Db } from '../db';
import { CATEGORICAL, NUMERIC } from './features';

export interface LoggedItem {
  slot: string;
  item: string;
  position: number;
  strategy: string;
  score: number;
  explored: 0 | 1;
  /** the feature vector the item was scored on (NaN / '' = absent) */
  num: ArrayLike<number>;
  cat: string[];
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
  /** writes everything buffered now, and returns when it is in the table */
  flush(): void;
  close(): void;
}

/**
 * A decision's items as JSON; features by name, absent ones left out, numbers to 4 decimals.
 * It also runs inside the writer worker, rebuilt from its source text, so it uses nothing but its
 * arguments and built-ins.
 */
export function itemsJson(items: LoggedItem[], numeric: readonly string[], categorical: readonly string[]): string {
  let out = '';
  for (const i of items) {
    let f = '';
    for (let j = 0; j < numeric.length; j++) {
      const x = i.num[j]!;
      if (Number.isNaN(x)) continue;
      const r = Math.round(x * 1e4) / 1e4;
      f += (f ? ',' : '') + '"' + numeric[j] + '":' + (Number.isFinite(r) ? String(r) : 'null');
    }
    for (let j = 0; j < categorical.length; j++) {
      const level = i.cat[j];
      if (level) f += (f ? ',' : '') + '"' + categorical[j] + '":' + JSON.stringify(level);
    }
    out +=
      (out ? ',' : '') +
      '{"slot":' + JSON.stringify(i.slot) + ',"item":' + JSON.stringify(i.item) + ',"position":' + i.position +
      ',"strategy":' + JSON.stringify(i.strategy) + ',"score":' + i.score + ',"explored":' + i.explored + ',"features":{' + f + '}}';
  }
  return '[' + out + ']';
}

const INSERT = 'INSERT INTO engine_decisions (decision_id, app_key, user_key, personalized, model, ts, items) VALUES (?, ?, ?, ?, ?, ?, ?)';

const workerSource = () => `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const itemsJson = ${itemsJson.toString()};
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
const insert = db.prepare(workerData.insert);
const write = db.transaction((rows) => {
  for (const d of rows) insert.run(d.decisionId, d.app, d.userKey, d.personalized ? 1 : 0, d.model, d.ts, itemsJson(d.items, workerData.numeric, workerData.categorical));
});
const done = new Int32Array(workerData.done);
parentPort.on('message', (m) => {
  if (m.rows) {
    try { write(m.rows); } catch (e) { parentPort.postMessage({ error: String((e && e.message) || e), lost: m.rows.length }); }
  }
  if (m.sync) {
    if (m.close) db.close();
    Atomics.store(done, 0, m.sync);
    Atomics.notify(done, 0);
    if (m.close) parentPort.close();
  }
});
`;

/** How long flush() and close() wait for the worker at most. */
const SYNC_TIMEOUT_MS = 10_000;

export function createDecisionLog(db: Db, { flushMs = 50, maxBuffered = 500, log = (_m: string) => {} } = {}): DecisionLog {
  let buffer: Decision[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  // on this thread: the fallback
  let local: ((rows: Decision[]) => void) | undefined;
  const writeHere = (rows: Decision[]) => {
    if (!local) {
      const insert = db.prepare(INSERT);
      local = db.transaction((rs: Decision[]) => {
        for (const d of rs) insert.run(d.decisionId, d.app, d.userKey, +d.personalized, d.model, d.ts, itemsJson(d.items, NUMERIC, CATEGORICAL));
      });
    }
    try {
      local(rows);
    } catch (error) {
      log(`decision log: ${rows.length} decisions not written: ${(error as Error).message}`);
    }
  };

  // on the worker
  const done = new Int32Array(new SharedArrayBuffer(4));
  let sequence = 0;
  let worker: Worker | undefined;
  if (!db.memory && db.name) {
    try {
      worker = new Worker(workerSource(), {
        eval: true,
        workerData: {
          file: db.name,
          sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
          insert: INSERT,
          numeric: [...NUMERIC],
          categorical: [...CATEGORICAL],
          done: done.buffer,
        },
      });
      worker.on('message', (m: { error?: string; lost?: number }) => {
        if (m.error) log(`decision log: ${m.lost} decisions not written: ${m.error}`);
      });
      worker.on('error', (error) => {
        log(`decision log: the writer thread failed (${error.message}); writing on the main thread from now on`);
        worker = undefined;
      });
      // after the listeners, which would otherwise hold the process open
      worker.unref();
    } catch (error) {
      log(`decision log: no writer thread (${(error as Error).message}); writing on the main thread`);
      worker = undefined;
    }
  }

  /** waits until the worker has handled everything posted before; false on timeout */
  const sync = (close: boolean): boolean => {
    if (!worker) return true;
    const target = ++sequence;
    worker.postMessage({ sync: target, close });
    const until = Date.now() + SYNC_TIMEOUT_MS;
    for (let seen = Atomics.load(done, 0); seen !== target; seen = Atomics.load(done, 0)) {
      const left = until - Date.now();
      if (left <= 0 || Atomics.wait(done, 0, seen, left) === 'timed-out') {
        log(`decision log: the writer thread did not answer within ${SYNC_TIMEOUT_MS} ms`);
        return false;
      }
    }
    return true;
  };

  function handOver(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!buffer.length) return;
    const rows = buffer;
    buffer = [];
    if (worker) worker.postMessage({ rows });
    else writeHere(rows);
  }

  return {
    add(decision) {
      if (closed || !decision.items.length) return;
      buffer.push(decision);
      if (buffer.length >= maxBuffered) handOver();
      else if (!timer) {
        timer = setTimeout(handOver, flushMs);
        timer.unref?.();
      }
    },
    flush() {
      handOver();
      sync(false);
    },
    close() {
      if (closed) return;
      handOver();
      closed = true;
      if (worker && sync(true)) worker = undefined;
      else void worker?.terminate();
    },
  };
}

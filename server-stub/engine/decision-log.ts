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
 * Decisions as they cross to the writer: per decision 6 `meta` values (id, app, user key,
 * personalised 0/1, model, ts) and an item count; per item `3 + categorical` strings (slot, item,
 * strategy, levels) and `3 + numeric` numbers (position, score, explored, features) — one typed
 * array and two plain arrays per batch, which clone far faster than a graph of small objects.
 */
export interface Batch {
  meta: (string | number | null)[];
  counts: number[];
  strings: string[];
  nums: Float64Array;
}

/**
 * The rows of `engine_decisions` for a batch: the items as JSON, features by name, absent ones left
 * out, numbers to 4 decimals. It also runs inside the writer worker, rebuilt from its source text,
 * so it uses nothing but its arguments and built-ins.
 */
export function rowsOf(batch: Batch, numeric: readonly string[], categorical: readonly string[]): unknown[][] {
  const rows: unknown[][] = [];
  const sw = 3 + categorical.length;
  const nw = 3 + numeric.length;
  let item = 0;
  for (let d = 0; d < batch.counts.length; d++) {
    let json = '';
    for (let k = 0; k < batch.counts[d]!; k++, item++) {
      const s = item * sw;
      const n = item * nw;
      let f = '';
      for (let j = 0; j < numeric.length; j++) {
        const x = batch.nums[n + 3 + j]!;
        if (Number.isNaN(x)) continue;
        const r = Math.round(x * 1e4) / 1e4;
        f += (f ? ',' : '') + '"' + numeric[j] + '":' + (Number.isFinite(r) ? String(r) : 'null');
      }
      for (let j = 0; j < categorical.length; j++) {
        const level = batch.strings[s + 3 + j];
        if (level) f += (f ? ',' : '') + '"' + categorical[j] + '":' + JSON.stringify(level);
      }
      json +=
        (json ? ',' : '') +
        '{"slot":' + JSON.stringify(batch.strings[s]) + ',"item":' + JSON.stringify(batch.strings[s + 1]) + ',"position":' + batch.nums[n] +
        ',"strategy":' + JSON.stringify(batch.strings[s + 2]) + ',"score":' + batch.nums[n + 1] + ',"explored":' + batch.nums[n + 2] + ',"features":{' + f + '}}';
    }
    rows.push([...batch.meta.slice(d * 6, d * 6 + 6), '[' + json + ']']);
  }
  return rows;
}

const INSERT = 'INSERT INTO engine_decisions (decision_id, app_key, user_key, personalized, model, ts, items) VALUES (?, ?, ?, ?, ?, ?, ?)';

const workerSource = () => `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const rowsOf = ${rowsOf.toString()};
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
const insert = db.prepare(workerData.insert);
const write = db.transaction((rows) => { for (const row of rows) insert.run(row); });
const done = new Int32Array(workerData.done);
parentPort.on('message', (m) => {
  if (m.batch) {
    try { write(rowsOf(m.batch, workerData.numeric, workerData.categorical)); }
    catch (e) { parentPort.postMessage({ error: String((e && e.message) || e), lost: m.batch.counts.length }); }
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
  let meta: (string | number | null)[] = [];
  let counts: number[] = [];
  let strings: string[] = [];
  let nums: number[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  // on this thread: the fallback
  let local: ((rows: unknown[][]) => void) | undefined;
  const writeHere = (batch: Batch) => {
    if (!local) {
      const insert = db.prepare(INSERT);
      local = db.transaction((rows: unknown[][]) => {
        for (const row of rows) insert.run(row);
      });
    }
    try {
      local(rowsOf(batch, NUMERIC, CATEGORICAL));
    } catch (error) {
      log(`decision log: ${batch.counts.length} decisions not written: ${(error as Error).message}`);
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
    if (!counts.length) return;
    const batch: Batch = { meta, counts, strings, nums: Float64Array.from(nums) };
    meta = [];
    counts = [];
    strings = [];
    nums = [];
    if (worker) worker.postMessage({ batch });
    else writeHere(batch);
  }

  return {
    add(d) {
      if (closed || !d.items.length) return;
      meta.push(d.decisionId, d.app, d.userKey, d.personalized ? 1 : 0, d.model, d.ts);
      counts.push(d.items.length);
      for (const i of d.items) {
        strings.push(i.slot, i.item, i.strategy);
        for (let j = 0; j < CATEGORICAL.length; j++) strings.push(i.cat[j] ?? '');
        nums.push(i.position, i.score, i.explored);
        for (let j = 0; j < NUMERIC.length; j++) nums.push(i.num[j] ?? NaN);
      }
      if (counts.length >= maxBuffered) handOver();
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

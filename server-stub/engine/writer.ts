/**
 * The engine's background writer: a worker thread with its own SQLite connection
 * (`synchronous = NORMAL`) that writes what the request path should not wait for — the decision
 * log and the checkpoints of the item statistics. The store fsyncs every ingest commit because
 * events are acknowledged to clients; a decision or a second of statistics lost to a power cut
 * costs a little learning, nothing a client was promised.
 *
 * `sync()` waits (Atomics.wait, bounded) until the worker has written everything handed to it, so
 * a closed engine has stored everything it produced. An in-memory database, or a worker that
 * failed, is written on this thread instead, through the same code.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from '../store/db';
import { rowsOf, type Batch } from './decision-rows';
import { CATEGORICAL, NUMERIC } from './feature-names';

/** Rows of a statistics checkpoint. */
export interface StatsRows {
  /** [app, item_id, imp, clk, view, conv, t] */
  items: unknown[][];
  /** [app, a, b, n] */
  pairs: unknown[][];
  /** [app, a, b] */
  unpaired: unknown[][];
}

export interface Message {
  decisions?: Batch;
  stats?: StatsRows;
}

export interface Writer {
  write(message: Message): void;
  /** waits until everything written so far is stored; `close` also closes the worker */
  sync(close?: boolean): void;
}

const SQL = {
  decision: 'INSERT INTO engine_decisions (decision_id, app_key, user_key, personalized, model, ts, items, format) VALUES (?, ?, ?, ?, ?, ?, ?, 2)',
  item: `INSERT INTO engine_item_stats (app_key, item_id, imp, clk, view, conv, t) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (app_key, item_id) DO UPDATE SET imp = excluded.imp, clk = excluded.clk, view = excluded.view, conv = excluded.conv, t = excluded.t`,
  pair: 'INSERT INTO engine_coviews (app_key, a, b, n) VALUES (?, ?, ?, ?) ON CONFLICT (app_key, a, b) DO UPDATE SET n = excluded.n',
  unpair: 'DELETE FROM engine_coviews WHERE app_key = ? AND a = ? AND b = ?',
};

/**
 * Writes one message in one transaction. Runs in the worker too, rebuilt from its source text with
 * `rowsOf`, so it uses nothing but its arguments.
 */
export function applyMessage(
  m: Message,
  s: { transaction: (fn: () => void) => () => void; decision: { run(row: unknown[]): unknown }; item: { run(row: unknown[]): unknown }; pair: { run(row: unknown[]): unknown }; unpair: { run(row: unknown[]): unknown } },
  rows: typeof rowsOf,
  numeric: readonly string[],
  categorical: readonly string[],
): void {
  s.transaction(() => {
    if (m.decisions) for (const row of rows(m.decisions, numeric, categorical)) s.decision.run(row);
    if (m.stats) {
      for (const row of m.stats.items) s.item.run(row);
      for (const row of m.stats.pairs) s.pair.run(row);
      for (const row of m.stats.unpaired) s.unpair.run(row);
    }
  })();
}

const describe = (m: Message) =>
  [m.decisions && `${m.decisions.meta.length / 4} decisions`, m.stats && `${m.stats.items.length} item statistics`].filter(Boolean).join(' and ');

const workerSource = () => `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
// background work: this thread yields the CPU to the threads answering requests (Linux: a thread id
// is a process id to setpriority, so this lowers this thread alone); elsewhere it simply runs
try { require('node:os').setPriority(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()), 10); } catch {}
const Database = require(workerData.sqlite);
const rowsOf = ${rowsOf.toString()};
const applyMessage = ${applyMessage.toString()};
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
// IMMEDIATE: other threads write the same file; take the write lock (waiting for it) up front
const st = { transaction: (fn) => { const t = db.transaction(fn); return () => t.immediate(); } };
for (const [name, sql] of Object.entries(workerData.sql)) st[name] = db.prepare(sql);
const done = new Int32Array(workerData.done);
parentPort.on('message', (m) => {
  if (m.decisions || m.stats) {
    try { applyMessage(m, st, rowsOf, workerData.numeric, workerData.categorical); }
    catch (e) { parentPort.postMessage({ error: String((e && e.message) || e), lost: [m.decisions && m.decisions.meta.length / 4 + ' decisions', m.stats && m.stats.items.length + ' item statistics'].filter(Boolean).join(' and ') }); }
  }
  if (m.sync) {
    if (m.close) db.close();
    Atomics.store(done, 0, m.sync);
    Atomics.notify(done, 0);
    if (m.close) parentPort.close();
  }
});
`;

/** How long sync() waits for the worker at most. */
const SYNC_TIMEOUT_MS = 10_000;

export function createWriter(db: Db, log: (message: string) => void = () => {}): Writer {
  let local: Parameters<typeof applyMessage>[1] | undefined;
  const here = (m: Message) => {
    local ??= {
      transaction: (fn) => {
        const t = db.transaction(fn);
        return () => t.immediate();
      },
      decision: db.prepare(SQL.decision),
      item: db.prepare(SQL.item),
      pair: db.prepare(SQL.pair),
      unpair: db.prepare(SQL.unpair),
    };
    try {
      applyMessage(m, local, rowsOf, NUMERIC, CATEGORICAL);
    } catch (error) {
      log(`engine writer: ${describe(m)} not written: ${(error as Error).message}`);
    }
  };

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
          sql: SQL,
          numeric: [...NUMERIC],
          categorical: [...CATEGORICAL],
          done: done.buffer,
        },
      });
      worker.on('message', (m: { error?: string; lost?: string }) => {
        if (m.error) log(`engine writer: ${m.lost} not written: ${m.error}`);
      });
      worker.on('error', (error) => {
        log(`engine writer: the writer thread failed (${error.message}); writing on the main thread from now on`);
        worker = undefined;
      });
      // after the listeners, which would otherwise hold the process open
      worker.unref();
    } catch (error) {
      log(`engine writer: no writer thread (${(error as Error).message}); writing on the main thread`);
      worker = undefined;
    }
  }

  return {
    write(m) {
      if (worker) worker.postMessage(m);
      else here(m);
    },
    sync(close = false) {
      if (!worker) return;
      const target = ++sequence;
      worker.postMessage({ sync: target, close });
      const until = Date.now() + SYNC_TIMEOUT_MS;
      for (let seen = Atomics.load(done, 0); seen !== target; seen = Atomics.load(done, 0)) {
        const left = until - Date.now();
        if (left <= 0 || Atomics.wait(done, 0, seen, left) === 'timed-out') {
          log(`engine writer: the writer thread did not answer within ${SYNC_TIMEOUT_MS} ms`);
          void worker.terminate();
          worker = undefined;
          return;
        }
      }
      if (close) worker = undefined;
    },
  };
}

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

/** What the writer thread did since the last `stats()`: its transactions and WAL checkpoints (diagnostics.ts). */
export interface WriterStats {
  transactions: number;
  /** the longest a transaction held (or waited for) the write lock */
  transactionMaxMs: number;
  checkpoints: number;
  checkpointMaxMs: number;
  checkpointTotalMs: number;
  /** the most pages the WAL held at a checkpoint (it restarts from its start once all is copied) */
  walPagesMax: number;
  /** checkpoints that could not copy all of the WAL (a reader or writer in the way) */
  checkpointsBusy: number;
}

export interface Writer {
  write(message: Message): void;
  /** the writer thread's work since the last call (zeros without a thread) */
  stats(): WriterStats;
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
  // rows are made before the transaction: only the inserts hold the write lock
  const decisions = m.decisions ? rows(m.decisions, numeric, categorical) : [];
  s.transaction(() => {
    for (const row of decisions) s.decision.run(row);
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
const { setPriority } = require('node:os');
// Background work: this thread yields the CPU to the threads answering requests (Linux: a thread
// id is a process id to setpriority, so this lowers this thread alone). But it shares SQLite's one
// write lock with them: held by a thread at nice 10 on a busy host, the lock waited seconds for
// the CPU while the HTTP thread's ingest gave up ("database is locked"). So it takes the lock at
// the priority of the threads waiting for it (a priority ceiling). Raising a priority again needs
// CAP_SYS_NICE; without it this thread stays at nice 0 rather than invert priorities.
let tid = 0;
let nice = false;
try {
  const fs = require('node:fs');
  const capabilities = BigInt('0x' + /CapEff:\\s*([0-9a-f]+)/.exec(fs.readFileSync('/proc/thread-self/status', 'utf8'))[1]);
  if ((capabilities >> 23n) & 1n) {
    tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, 10);
    nice = true;
  }
} catch {}
const Database = require(workerData.sqlite);
const rowsOf = ${rowsOf.toString()};
const applyMessage = ${applyMessage.toString()};
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
// IMMEDIATE: other threads write the same file; take the write lock (waiting for it) up front
// counters the engine thread reads (Writer.stats): [transactions, longest, checkpoints, longest,
// total ms, most WAL pages, incomplete checkpoints]; only this thread adds to them, the reader zeroes them after reading
const counters = new Float64Array(workerData.counters);
const timed = (at, ms) => { counters[at]++; if (ms > counters[at + 1]) counters[at + 1] = ms; };
const st = { transaction: (fn) => { const t = db.transaction(fn); return () => { if (nice) setPriority(tid, 0); const t0 = performance.now(); try { t.immediate(); } finally { timed(0, performance.now() - t0); if (nice) setPriority(tid, 10); } }; } };
for (const [name, sql] of Object.entries(workerData.sql)) st[name] = db.prepare(sql);
// This thread checkpoints the WAL for every connection (the others only past
// WAL_AUTOCHECKPOINT_PAGES, store/db.ts): copying the log into the database and its fsync
// never stall the threads that answer requests. PASSIVE: it takes no lock a writer waits for.
const checkpoint = setInterval(() => {
  const t0 = performance.now();
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    const ms = performance.now() - t0;
    timed(2, ms);
    counters[4] += ms;
    if (r) {
      if (r.log > counters[5]) counters[5] = r.log;
      if (r.busy || r.checkpointed < r.log) counters[6]++;
    }
  } catch {}
}, workerData.checkpointMs);
const done = new Int32Array(workerData.done);
parentPort.on('message', (m) => {
  if (m.decisions || m.stats) {
    try { applyMessage(m, st, rowsOf, workerData.numeric, workerData.categorical); }
    catch (e) { parentPort.postMessage({ error: String((e && e.message) || e), lost: [m.decisions && m.decisions.meta.length / 4 + ' decisions', m.stats && m.stats.items.length + ' item statistics'].filter(Boolean).join(' and ') }); }
  }
  if (m.sync) {
    if (m.close) { clearInterval(checkpoint); db.close(); }
    Atomics.store(done, 0, m.sync);
    Atomics.notify(done, 0);
    if (m.close) parentPort.close();
  }
});
`;

/** How often the writer thread checkpoints the WAL (PASSIVE: a no-op when nothing is new). */
const CHECKPOINT_MS = 250;

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
  const counters = new Float64Array(new SharedArrayBuffer(7 * 8));
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
          counters: counters.buffer,
          checkpointMs: CHECKPOINT_MS,
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
    stats() {
      const [transactions, transactionMaxMs, checkpoints, checkpointMaxMs, checkpointTotalMs, walPagesMax, checkpointsBusy] = Array.from(counters, (x) => Math.round(x * 100) / 100);
      // a count the thread adds between this read and the reset is lost: fine for diagnostics
      counters.fill(0);
      return { transactions: transactions!, transactionMaxMs: transactionMaxMs!, checkpoints: checkpoints!, checkpointMaxMs: checkpointMaxMs!, checkpointTotalMs: checkpointTotalMs!, walPagesMax: walPagesMax!, checkpointsBusy: checkpointsBusy! };
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

/**
 * Durable commits without blocking the thread that commits: the write-ahead log is fsynced off
 * the event loop, and a commit is acknowledged only after an fsync that began after it.
 *
 * With `synchronous = FULL` SQLite fsyncs the WAL inside COMMIT, on the calling thread: on this
 * host that is 6–7 ms per commit during which the HTTP thread reads, parses and answers nothing
 * (decides included), and the next group cannot even start. `createWalSync` switches the connection
 * to `synchronous = NORMAL` — COMMIT writes the WAL frames and returns — and `sync()` fdatasyncs
 * the `-wal` file on libuv's thread pool. Acknowledging after `sync()` resolves means what FULL
 * meant: the commit is on disk.
 *
 * Why that holds:
 * - fsync makes every written page of the file durable, whichever descriptor wrote it;
 * - the WAL is only ever rewritten from its start after a checkpoint copied its frames into the
 *   database and synced it (NORMAL syncs at every checkpoint), so frames no longer in the WAL are
 *   already durable in the database; the file itself is never replaced while a connection is open;
 * - WAL frames carry checksums chained from the log's start, so recovery after a crash never keeps
 *   a later commit (the engine's cursor, the decision log) without the events before it;
 * - fsyncs are coalesced: callers that arrive while one runs share the next, which starts after
 *   their commits returned, so every caller's frames were written before its fsync began.
 * - An fsync that fails poisons the store: it and every later `sync()` reject (the kernel may have
 *   dropped the unwritten pages and a later fsync would wrongly succeed), so nothing more is
 *   acknowledged until the server is restarted and SQLite recovers from what is on disk.
 *
 * Committed but not yet synced data is visible to readers (the engine may apply events a moment
 * before they are acknowledged); only acknowledgements wait.
 */
import { close, fdatasync, open } from 'node:fs';
import type { Db } from './db';

export interface WalSync {
  /** resolves once everything committed on the connection before the call is on disk */
  sync(): Promise<void>;
  /** closes the WAL's descriptor (after the last sync settled) */
  close(): Promise<void>;
}

/**
 * Takes over the durability of `db`'s commits (a WAL-mode file database). A connection that is not
 * (in memory, another journal mode) keeps its own synchronous setting and `sync()` resolves at once.
 * @example const wal = createWalSync(db); commitSomething(); await wal.sync(); acknowledge();
 */
export function createWalSync(db: Db): WalSync {
  const wal = !db.memory && db.pragma('journal_mode', { simple: true }) === 'wal';
  if (!wal) return { sync: () => Promise.resolve(), close: () => Promise.resolve() };
  db.pragma('synchronous = NORMAL');
  const path = `${db.name}-wal`;
  let fd: Promise<number> | undefined;
  let running: Promise<void> | undefined;
  /** callers waiting for the fsync after the running one */
  let next: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;
  let poisoned: Error | undefined;

  const descriptor = () =>
    (fd ??= new Promise<number>((resolve, reject) => open(path, 'r+', (error, n) => (error ? reject(error) : resolve(n)))));

  const fsyncOnce = async (): Promise<void> => {
    const n = await descriptor();
    await new Promise<void>((resolve, reject) => fdatasync(n, (error) => (error ? reject(error) : resolve())));
  };

  const start = (): Promise<void> => {
    if (poisoned) return Promise.reject(poisoned);
    running = fsyncOnce().then(
      () => {
        running = undefined;
        if (next) startNext();
      },
      (error: Error) => {
        poisoned = new Error(`the write-ahead log could not be synced to disk (${error.message}); nothing more is acknowledged until a restart`);
        running = undefined;
        if (next) startNext();
        throw poisoned;
      },
    );
    return running;
  };
  const startNext = () => {
    const waiting = next!;
    next = undefined;
    start().then(waiting.resolve, waiting.reject);
  };

  return {
    sync() {
      if (poisoned) return Promise.reject(poisoned);
      if (!running) return start();
      if (!next) {
        let resolve!: () => void;
        let reject!: (e: unknown) => void;
        const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
        next = { promise, resolve, reject };
      }
      return next.promise;
    },
    async close() {
      await Promise.allSettled([running, next?.promise]);
      if (!fd) return;
      const n = await fd.catch(() => undefined);
      fd = undefined;
      if (n !== undefined) await new Promise<void>((resolve) => close(n, () => resolve()));
    },
  };
}

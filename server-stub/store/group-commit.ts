/**
 * Group commit: units of work submitted in the same turn of the event loop (typically the bodies of
 * several concurrent POST /v1/events that finished arriving while the previous commit was
 * fsyncing) run in ONE immediate transaction, each under its own savepoint, and share its fsync.
 *
 * Invariants:
 * - a promise resolves only after the COMMIT that holds its work has returned, so with
 *   `synchronous = FULL` "resolved" means "on disk", as without grouping;
 * - work that throws is rolled back to its savepoint alone and rejects alone; the rest commits;
 * - if the transaction itself is lost (COMMIT fails, or SQLite rolled everything back after an I/O
 *   error) every unit in the group rejects: nothing is acknowledged that might not be stored.
 *   (Rejected work may still have been stored only if SQLite reports a failed COMMIT that in fact
 *   succeeded; ingest is idempotent by event id, so the client's retry is then all duplicates.)
 * - a group holds at most `maxWeight` (e.g. events) unless a single unit is heavier, so one commit
 *   stays short and the acknowledgements of the first requests are not held back by the last.
 * - with `durable` (store/wal-sync.ts), the COMMIT itself does not fsync: a group's units resolve
 *   only after `durable()`, called after the COMMIT returned, resolves, and all reject if it
 *   rejects. The next group commits meanwhile, so the thread never waits for the disk.
 * - other connections (the engine's threads) take the same write lock. Waiting for it in SQLite's
 *   busy handler would put this thread to sleep, every request on it with it; so with
 *   `busy_timeout = 0` on this connection, a group whose BEGIN finds the lock taken — before any of
 *   its work ran — is tried again from the event loop every `retryMs`, first in line, until
 *   `lockTimeoutMs` after its first try; then its units reject with SQLITE_BUSY.
 */
import type { Db } from './db';

export interface GroupCommitOptions {
  /** the weight (e.g. events) above which the rest waits for the next group. @default 2000 @example { maxWeight: 5000 } */
  maxWeight?: number;
  /** makes what was committed durable; units resolve after it. Without it, COMMIT must be durable
   * itself (`synchronous = FULL`). @example { durable: createWalSync(db).sync } */
  durable?: () => Promise<void>;
  /** how long a group waits for the write lock, retrying, before it fails. @default 30000 @example { lockTimeoutMs: 5000 } */
  lockTimeoutMs?: number;
  /** pause between two tries for the write lock. @default 2 @example { retryMs: 5 } */
  retryMs?: number;
}

export type GroupCommit = <T>(work: () => T, weight?: number) => Promise<T>;

interface Job {
  work: () => unknown;
  weight: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function createGroupCommit(db: Db, { maxWeight = 2000, durable, lockTimeoutMs = 30_000, retryMs = 2 }: GroupCommitOptions = {}): GroupCommit {
  let queue: Job[] = [];
  let scheduled = false;
  /** the group waiting for the write lock, and since when */
  let waiting: { jobs: Job[]; since: number } | undefined;
  /** set once a group's transaction body runs: BEGIN succeeded */
  let began = false;
  // called inside `group`, a better-sqlite3 transaction function runs as a SAVEPOINT
  const one = db.transaction((job: Job) => job.work());
  const group = db.transaction((jobs: Job[]): Outcome[] => {
    began = true;
    return jobs.map((job) => {
      try {
        return { ok: true, value: one(job) };
      } catch (error) {
        // the savepoint is rolled back; if SQLite dropped the whole transaction, so does the group
        if (!db.inTransaction) throw error;
        return { ok: false, error };
      }
    });
  });

  const flush = () => {
    scheduled = false;
    let jobs: Job[];
    if (waiting) jobs = waiting.jobs;
    else {
      let n = 0;
      let weight = 0;
      while (n < queue.length && (n === 0 || weight + queue[n]!.weight <= maxWeight)) weight += queue[n++]!.weight;
      jobs = queue.slice(0, n);
      queue = queue.slice(n);
    }
    let outcomes: Outcome[];
    began = false;
    try {
      outcomes = group.immediate(jobs);
    } catch (error) {
      if (!began && String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) {
        // nothing of the group ran: it keeps its place and tries again without blocking the thread
        waiting ??= { jobs, since: Date.now() };
        if (Date.now() - waiting.since < lockTimeoutMs) return void setTimeout(flush, retryMs);
      }
      waiting = undefined;
      if (queue.length) schedule();
      for (const job of jobs) job.reject(error);
      return;
    }
    waiting = undefined;
    if (queue.length) schedule();
    // a unit that failed was rolled back: nothing of it waits for the disk
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (!o.ok) job.reject(o.error);
    });
    const settle = (synced: Outcome) =>
      jobs.forEach((job, i) => {
        const o = outcomes[i]!;
        if (!o.ok) return;
        if (synced.ok) job.resolve(o.value);
        else job.reject(synced.error);
      });
    if (!durable) return settle({ ok: true, value: undefined });
    durable().then(
      () => settle({ ok: true, value: undefined }),
      (error: unknown) => settle({ ok: false, error }),
    );
  };
  // setImmediate runs after the poll phase, so every body that completed in this turn joins
  const schedule = () => {
    // a group waiting for the lock has its own timer; the rest follows it
    if (scheduled || waiting) return;
    scheduled = true;
    setImmediate(flush);
  };

  return <T>(work: () => T, weight = 1) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, weight, resolve: resolve as (value: unknown) => void, reject });
      schedule();
    });
}

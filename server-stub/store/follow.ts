/**
 * Following a shared events log (PostgreSQL) for this instance's engine: read every row after the
 * engine's cursor, in log order, and hand it over in batches (consecutive rows of one app and one
 * arrival, as ingest stored them). Woken by the store (LISTEN/NOTIFY), by this instance's own
 * appends, and by a slow poll as a safety net.
 *
 * Invariants:
 * - each message says which position it continues from (`after`); the engine applies it only if
 *   that is its cursor (engine/service.ts). So nothing is applied twice or past a hole, even when
 *   messages sent to an engine thread that died are lost: the new thread reports its cursor
 *   (`reset`) and the follower reads again from there.
 * - a batch this instance appended is handed over as it is (`local`) when the follower stands
 *   where it begins — the usual case on an instance that takes most of its own traffic — so its
 *   events are not read back; else it is read with the rows before it.
 * - `reach(row)` resolves once every row up to `row` has been handed over; the engine handles its
 *   messages in order, so a decide asked after that sees those rows (read-your-writes for the
 *   instance that took the events). It is bounded: past `reachTimeoutMs` it resolves anyway
 *   (the events are stored; the answer must not wait on a slow read) and says so in the log.
 */
import type { IngestMessage } from '../engine/service';
import type { LogRow, Store } from './store';

export interface FollowerOptions {
  store: Store;
  /** hands a batch to the engine thread */
  deliver(message: IngestMessage): void;
  log: (message: string) => void;
  /** rows read per query. @default 2000 @example { page: 500 } */
  page?: number;
  /** the safety-net poll, ms. @default 1000 @example { pollMs: 250 } */
  pollMs?: number;
  /** @default 5000 @example { reachTimeoutMs: 1000 } */
  reachTimeoutMs?: number;
}

export interface Follower {
  /** the engine's cursor (a new engine thread is ready): hand over from here */
  reset(cursor: number): void;
  /** resolves once every row up to `row` was handed over (bounded, see above) */
  reach(row: number): Promise<void>;
  /**
   * A batch this instance just appended: handed over as it is when the follower stands exactly
   * where it begins (`after`), so the instance's own events are not read back; false otherwise
   * (then `reach` reads it with whatever came before it).
   */
  local(batch: IngestMessage): boolean;
  /** read now: something may have been appended */
  wake(): void;
  /** log position handed over last (undefined before the engine was ready) */
  readonly cursor: number | undefined;
  close(): Promise<void>;
}

export function createFollower(o: FollowerOptions): Follower {
  const page = o.page ?? 2000;
  const reachTimeoutMs = o.reachTimeoutMs ?? 5000;
  let cursor: number | undefined;
  /** bumped by reset: a read begun before it hands nothing over */
  let generation = 0;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let failing = false;
  const waiters = new Set<{ row: number; done: () => void }>();

  /** a hand-over failed and none succeeded since: the next failure is not logged again */
  let refusing = false;
  const deliver = (batch: IngestMessage): boolean => {
    try {
      o.deliver(batch);
      refusing = false;
      return true;
    } catch (error) {
      // as with SQLite: the batch is stored all the same, and is read back with the next one
      // (the cursor stays before it); its waiters are answered rather than held
      if (!refusing) o.log(`engine: batch of ${batch.app} not handed over (stored all the same): ${(error as Error).stack ?? error}`);
      refusing = true;
      return false;
    }
  };
  /** rows up to here were handed over, or failed to be (a waiter for them has its answer) */
  let settled = 0;
  /** rows handed over since the last reset, while catching up */
  let caughtUp: number | undefined;
  const settle = () => {
    if (cursor === undefined) return;
    const upTo = Math.max(cursor, settled);
    for (const w of waiters) if (w.row <= upTo) w.done();
  };

  /** hands rows over in batches; returns the new cursor and whether a delivery failed */
  const handOver = (rows: LogRow[], after: number): { to: number; failed: boolean } => {
    let from = after;
    for (let i = 0; i < rows.length; ) {
      let j = i + 1;
      while (j < rows.length && rows[j]!.app === rows[i]!.app && rows[j]!.receivedAt === rows[i]!.receivedAt) j++;
      const batch = rows.slice(i, j);
      const lastRow = batch[batch.length - 1]!.row;
      if (!deliver({ app: batch[0]!.app, receivedAt: batch[0]!.receivedAt, events: batch.map((r) => r.event), firstRow: batch[0]!.row, lastRow, after: from })) {
        settled = Math.max(settled, rows[rows.length - 1]!.row);
        return { to: from, failed: true };
      }
      from = lastRow;
      i = j;
    }
    return { to: from, failed: false };
  };

  const pump = async () => {
    do {
      again = false;
      for (;;) {
        if (cursor === undefined || closed) return;
        const at = generation;
        const from = cursor;
        let rows: LogRow[];
        try {
          rows = await o.store.read(from, page);
        } catch (error) {
          if (!failing) o.log(`follower: reading the events log failed (${(error as Error).message}); retrying`);
          failing = true;
          return;
        }
        if (failing) o.log('follower: reading the events log again');
        failing = false;
        if (closed) return;
        if (at !== generation) continue; // reset or a local hand-over meanwhile: read again from the new cursor
        const { to, failed } = handOver(rows, from);
        cursor = to;
        if (caughtUp !== undefined) caughtUp += rows.length;
        settle();
        if (failed) return;
        if (rows.length < page) {
          if (caughtUp) o.log(`engine: caught up with ${caughtUp} stored events`);
          caughtUp = undefined;
          break;
        }
      }
    } while (again);
  };

  const wake = () => {
    if (running) {
      again = true;
      return;
    }
    running = pump().finally(() => (running = undefined));
  };

  const timer = setInterval(wake, o.pollMs ?? 1000);
  timer.unref();
  const unlisten = o.store.listen(wake);

  return {
    reset(at) {
      generation++;
      cursor = at;
      caughtUp = 0;
      settle();
      wake();
    },
    reach(row) {
      if (cursor !== undefined && row <= cursor) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const w = {
          row,
          done: () => {
            clearTimeout(timeout);
            waiters.delete(w);
            resolve();
          },
        };
        const timeout = setTimeout(() => {
          o.log(`follower: row ${row} not handed to the engine within ${reachTimeoutMs} ms; answering without it`);
          w.done();
        }, reachTimeoutMs);
        waiters.add(w);
        wake();
      });
    },
    local(batch) {
      if (batch.after === undefined || cursor === undefined || batch.after !== cursor || closed) return false;
      // a read in flight began before this batch: it is dropped and made again from the new cursor
      generation++;
      if (!deliver(batch)) {
        settled = Math.max(settled, batch.lastRow);
        settle();
        return true;
      }
      cursor = batch.lastRow;
      settle();
      return true;
    },
    wake,
    get cursor() {
      return cursor;
    },
    async close() {
      closed = true;
      clearInterval(timer);
      unlisten();
      await running;
      for (const w of waiters) w.done();
    },
  };
}

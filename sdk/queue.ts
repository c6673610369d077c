/**
 * The durable queue's front: `push` is the hot path of `track()` and only appends a capture to
 * memory. From the end of that task on, slices (slices.ts) build the captured calls into events
 * and write them, one IndexedDB transaction per slice; the first slice starts from a microtask.
 *
 * Why a microtask and not `setTimeout(0)`: a microtask runs before the task ends, so the write
 * starts before the browser can run anything else — a navigation, `pagehide`, the tab being
 * frozen. `setTimeout(0)` waits for a later task (≥ 1 ms, up to 1 s in background tabs) and
 * would leave the events of the last task before an unload in memory only.
 *
 * Under `pending` consent events stay in memory (nothing written); `denied` drops them.
 *
 * Invariant (no event lost at unload): from `push` until the server acknowledged it, a granted
 * event is always in at least one of: the memory buffer, the IndexedDB queue, or the journal in
 * localStorage (sdk/journal.ts). A write in flight is not durable (an unload aborts it, in
 * Chromium even one already started, and what a page does at `pagehide` does not always reach
 * storage), so each write is journaled synchronously before it starts and dropped from the
 * journal once it is durable. A page hidden before its store opened journals its buffer too. The
 * next start moves what other pages left into its queue (`restore`). Without IndexedDB the memory
 * store keeps its own records until its events leave it (db.ts `memoryStore`). A beacon at `pagehide` is
 * only a head start and may drop what does not fit. Without localStorage (blocked, full) the
 * journal is off, silently: a page that is going away could do nothing with a report.
 */
import { LIMITS } from './contract';
import type { SlotwiseEvent, ConsentState } from './contract';
import { memoryStore, type Row, type Store } from './db';
import { SlotwiseError, toSlotwiseError } from './errors';
import type { IdentityState } from './identity';
import type { Journal } from './journal';
import { FIRST_SLICE, pause, SLICE_MS } from './slices';
import type { Capture } from './capture';

export interface QueueOptions {
  /** the app's journal (the memory store, if any, mirrors itself in the same one) */
  journal: Journal;
  /** most events kept, in memory and on disk; the oldest go first */
  max: number;
  consent(): ConsentState;
  identity(): IdentityState;
  /** the clock of the slices' budget and of `deadline` (ms) */
  now(): number;
  /** a capture's event (envelope, middleware, listeners); undefined when dropped. Never throws. */
  build(c: Capture): SlotwiseEvent | undefined;
  /** yields to the browser between two slices (default: slices.ts `pause`) */
  pause?(): Promise<unknown>;
  /** ms a slice may run (default `SLICE_MS`) */
  budget?: number;
  /** calls the first slice after a task takes at least, whatever the budget (default `FIRST_SLICE`) */
  first?: number;
  report(error: SlotwiseError): void;
  /** `n` events are durable now (or in the memory store): time to think about sending */
  persisted(n: number): void;
  /** how many of the oldest stored events are in a request now (never dropped for the cap) */
  sending?(): number;
  /** the page is going away: send these (not yet durable) events right now */
  beacon(rows: Row[]): void;
}

export interface Queue {
  /** the hot path: memory only */
  push(call: Capture): void;
  /** writes what is buffered now, at once; resolves when it is durable */
  persist(): Promise<void>;
  /** the store once open, or undefined before */
  store(): Store | undefined;
  /** the store is open: start writing; events buffered so far go in the first write */
  ready(store: Store): void;
  /** what is not written yet (all of it before `ready`, or under pending consent), oldest first */
  buffered(): (Capture | SlotwiseEvent)[];
  /** consent denied: forget every event held in memory */
  forget(): void;
  /**
   * The page is being hidden and may never run again: write the buffer now and send every
   * event not yet durable by beacon, now and for every write until `hidden(false)`.
   */
  hidden(on: boolean): void;
}

export function createQueue(o: QueueOptions): Queue {
  let store: Store | undefined;
  // not written yet: captured calls, and the events of those built for the journal at a hide
  let calls: (Capture | SlotwiseEvent | undefined)[] = [];
  let writing: Row[] = [];
  let scheduled = false;
  let hiding = false;
  // rows already handed to a beacon: visibilitychange and pagehide often come together
  const beaconed = new WeakSet<Row>();
  const beacon = (rows: Row[]) => {
    rows = rows.filter((r) => !beaconed.has(r));
    for (const r of rows) beaconed.add(r);
    if (rows.length) o.beacon(rows);
  };
  let dropped = 0;
  const journal = o.journal;
  // journal records of calls hidden before the store opened: dropped with the write that takes the last
  let early: string[] = [];
  let chain: Promise<void> = Promise.resolve();
  // what the start takes over from other pages' journal records (beside the writes, not before them)
  let restoring = chain;

  const fail = (e: unknown) => o.report(toSlotwiseError('storage_failed', e));
  const overflow = (n: number) => {
    if (!n) return;
    // one report per burst, not one per event
    if (!dropped) queueMicrotask(() => {
      o.report(new SlotwiseError('queue_overflow', `queue full: ${dropped} oldest dropped`, { dropped }));
      dropped = 0;
    });
    dropped += n;
  };

  const schedule = () => {
    if (scheduled || !more()) return;
    scheduled = true;
    queueMicrotask(() => void persist(false, o.first ?? FIRST_SLICE));
  };

  const writable = () => store && o.consent() == 'granted';
  const more = () => writable() && calls.length;
  // the next slice, once the browser had its turn
  let next: Promise<void> | undefined;
  /** the event of `calls[i]`, built once: so neither a slice retried after a throw nor a second hide builds it again */
  const event = (i: number) => {
    const x = calls[i];
    return x && ('context' in x ? x : (calls[i] = o.build(x)));
  };

  /**
   * One slice — as much as fits in the budget (a timed trigger's deadline, a user-blocking task
   * in triggers.ts, runs at the next pause at the latest): the
   * oldest calls built into events (middleware, listeners), serialised, journaled and their write
   * started — then the rest after `pause()`; at hide (the page may get no other task) and when
   * the host asks (`flush`, `close`), all at once. Resolves when all is durable. Nothing is built
   * before it can be written (the store open, consent granted): tags and triggers listen only
   * under consent anyway.
   * Nothing is lost to a slice that throws: `build` never throws, and calls leave `calls` once
   * their write started; what throws after that is reported.
   */
  function persist(all?: boolean, min = 1): Promise<void> {
    scheduled = false;
    try {
      all ||= hiding;
      const end = o.now() + (o.budget ?? SLICE_MS);
      const rows: Row[] = [];
      let c = 0;
      // one call at a time, the oldest first; at least one per slice, so every slice makes progress
      if (more())
        do {
          const e = event(c);
          if (e) serialize(e, rows);
        } while (++c < calls.length && (all || c < min || o.now() < end));
      if (c) {
        // the memory store journals what it takes itself, for as long as it holds it
        const keys = store!.durable ? [journal.put(rows)] : [];
        writing = writing.concat(rows);
        // writes are chained: in order, one at a time, so a fallback to memory cannot reorder them
        chain = chain
          .then(() => write(rows, keys))
          .catch(fail)
          .finally(() => {
            writing = writing.slice(rows.length);
          });
        calls.splice(0, c);
        // the records of calls hidden before the store opened go with the write that takes the last
        if (!calls.length) keys.push(...early), (early = []);
        if (hiding) beacon(rows);
      }
      return more() ? (next ??= (o.pause ?? pause)().then(() => ((next = undefined), persist()))) : chain;
    } catch (e) {
      return fail(e), chain;
    }
  }

  /** a failed write keeps its journal records: the next start queues them */
  async function write(rows: Row[], keys: string[]): Promise<void> {
    // tracked under consent, so written even if consent went back to pending since; not if denied
    if (o.consent() == 'denied') return;
    const kv = { identity: o.identity() };
    try {
      overflow(await store!.append(rows, o.max, kv, o.sending?.()));
    } catch (e) {
      if (!store!.durable) throw e;
      // IndexedDB broke under us (not a full disk: append handles quota by dropping): go on in memory
      o.report(toSlotwiseError('storage_failed', e, 'IndexedDB failed; in memory'));
      store = memoryStore(journal);
      journal.claim();
      overflow(await store.append(rows, o.max, kv, o.sending?.()));
    }
    journal.drop(keys);
    o.persisted(rows.length);
  }

  /**
   * Moves what other pages journaled (`left`, read before this page journaled anything) into the
   * store, each id once, beside this page's own writes. A record may be a live tab's write in
   * flight. Waiting one task lets such a write start; the queue, read after it (IndexedDB runs
   * transactions on one store in the order they were made), then holds its events, and once it
   * landed its record is gone: either way they are not queued twice. (Two tabs starting at once
   * may both take one dead page's record: a duplicate the server ignores, never a loss.)
   * Records of a live page's memory queue are its own: they are taken when its lock frees, i.e.
   * when it is gone (read again then: it may have sent some).
   */
  async function restore(left: ReturnType<Journal['read']>): Promise<void> {
    if (!left.length) return;
    await new Promise((r) => setTimeout(r));
    const locks = globalThis.navigator?.locks;
    for (const name of new Set(left.map(([, , lock]) => lock))) {
      const mine = () => take(left.filter(([, , lock]) => lock == name));
      if (!locks) await mine();
      // held: a live page's memory queue; its records are taken when it is gone, as they are then
      else if (!(await locks.request(name, { ifAvailable: true }, (l) => l && mine().then(() => 1))))
        // taken when that page is gone, maybe long after: only if this client may still store
        void locks.request(name, () => o.consent() == 'granted' && store && take(journal.read().filter(([, , lock]) => lock == name))).catch(fail);
    }
  }

  async function take(left: ReturnType<Journal['read']>): Promise<void> {
    const queued = new Set([...(await store!.head(o.max)), ...calls, ...writing].map((r) => r?.id));
    const present = new Set(journal.keys());
    const fresh = left.flatMap(([k, rows]) => (present.has(k) ? rows : [])).filter((r) => !queued.has(r.id) && !!queued.add(r.id));
    if (fresh.length) overflow(await store!.append(fresh, o.max)), o.persisted(fresh.length);
    journal.drop(left.map(([k]) => k));
  }

  /** JSON once, here, off the `track()` call; an event that cannot be sent is reported, not queued */
  function serialize(e: SlotwiseEvent, rows: Row[]): Row[] {
    let body = '';
    let size = 0;
    try {
      size = utf8((body = JSON.stringify(e)));
    } catch {}
    if (size && size <= LIMITS.batchBytes - 64) rows.push({ id: e.id, body, size });
    else o.report(new SlotwiseError(size ? 'too_large' : 'invalid_argument', `event "${e.name}" not sent: ${size ? size + ' B, too large' : 'not JSON'}`, { id: e.id, size }));
    return rows;
  }

  return {
    push(call) {
      // trimmed with some slack, so a long burst past the cap costs O(1) per event, not a copy each
      if (calls.push(call) > o.max + (o.max >> 2)) overflow(calls.length - o.max), (calls = calls.slice(-o.max));
      schedule();
    },
    // flush and close wait for the start's restore too
    persist: () => restoring.then(() => persist(true)),
    store: () => store,
    ready(s) {
      store = s;
      if (!s.durable) journal.claim();
      if (o.consent() == 'granted') restoring = restore(journal.read()).catch(fail);
      schedule();
    },
    buffered: () => calls.filter((c) => c) as (Capture | SlotwiseEvent)[],
    forget() {
      calls = [];
      journal.clear();
    },
    hidden(on) {
      hiding = on;
      if (!on) return;
      void persist();
      // a store still opening cannot take the calls: build them and journal their events (pending
      // consent keeps them in memory only); the write that takes them drops these records
      const rows: Row[] = [];
      if (!store && o.consent() == 'granted')
        for (let i = 0; i < calls.length; i++) {
          const e = event(i);
          if (e) serialize(e, rows);
        }
      if (rows.length) early.push(journal.put(rows));
      beacon([...writing, ...rows]);
    },
  };
}

/** UTF-8 length: most events are ASCII, one native scan; the rest are encoded (off `track()`, in a slice) */
export const utf8 = (s: string): number => (/[^\0-\x7f]/.test(s) ? new TextEncoder().encode(s).length : s.length);

/**
 * The durable queue's front: `push` is the hot path of `track()` and only appends to memory.
 * Everything pushed during one task is written in ONE IndexedDB transaction, started from a
 * microtask at the end of that task.
 *
 * Why a microtask and not `setTimeout(0)`: a microtask runs before the task ends, so the write
 * starts before the browser can run anything else — a navigation, `pagehide`, the tab being
 * frozen. `setTimeout(0)` waits for a later task (≥ 1 ms, up to 1 s in background tabs) and
 * would leave the events of the last task before an unload in memory only. One transaction per
 * task keeps `track()` cheap in a burst: 1 000 calls in one handler are one write.
 *
 * Under `pending` consent events stay in memory (nothing written); `denied` drops them.
 *
 * Invariant (no event lost at unload): from `push` until the server acknowledged it, a granted
 * event is always in at least one of: the memory buffer, a write in flight (`writing`), the
 * IndexedDB queue, or the rescue record in localStorage. A write in flight is not durable: an
 * unload aborts it (in Chromium even one already started). So when the page is hidden (pagehide,
 * visibilitychange→hidden, freeze) every event not yet known durable is copied synchronously into
 * localStorage (`slotwise:rescue:<appKey>`, versioned JSON, bounded), before any beacon is tried;
 * a beacon is only a head start and may drop what does not fit. A finished write takes its events
 * out of the rescue; the next start moves what is left into IndexedDB before its own first write
 * (skipping ids already queued: the server is idempotent, but the queue holds an id once).
 * What cannot even be rescued (storage full) is reported.
 */
import { LIMITS } from './contract';
import type { SlotwiseEvent, ConsentState } from './contract';
import { memoryStore, isQuota, type Row, type Store } from './db';
import { SlotwiseError, toSlotwiseError } from './errors';
import type { IdentityState } from './identity';

export interface QueueOptions {
  /** the app key: names the rescue record */
  key: string;
  /** most events kept, in memory and on disk; the oldest go first */
  max: number;
  consent(): ConsentState;
  identity(): IdentityState;
  now(): number;
  report(error: SlotwiseError): void;
  /** `n` events are durable now (or in the memory store): time to think about sending */
  persisted(n: number): void;
  /** the page is going away: send these (not yet durable) events right now */
  beacon(rows: Row[]): void;
}

export interface Queue {
  /** the hot path: memory only */
  push(event: SlotwiseEvent): void;
  /** writes what is buffered now; resolves when it is durable */
  persist(): Promise<void>;
  /** the store once open, or undefined before */
  store(): Store | undefined;
  /** the store is open: start writing; events buffered so far go in the first write */
  ready(store: Store): void;
  /** events not written yet (all of them before `ready`), oldest first */
  buffered(): SlotwiseEvent[];
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
  let buffer: SlotwiseEvent[] = [];
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
  const rkey = 'slotwise:rescue:' + o.key;
  let rescued = false;
  let chain: Promise<void> = Promise.resolve();

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
    if (scheduled || !store || o.consent() != 'granted') return;
    scheduled = true;
    queueMicrotask(() => void persist());
  };

  function persist(): Promise<void> {
    scheduled = false;
    if (!store || o.consent() != 'granted' || !buffer.length) return chain;
    const events = buffer;
    buffer = [];
    const rows = serialize(events);
    writing.push(...rows);
    if (hiding) rescue(), beacon(rows);
    // writes are chained: in order, one at a time, so a fallback to memory cannot reorder them
    return (chain = chain
      .then(() => write(rows))
      .catch((e) => o.report(toSlotwiseError('storage_failed', e)))
      .finally(() => {
        writing = writing.slice(rows.length);
      }));
  }

  async function write(rows: Row[]): Promise<void> {
    // tracked under consent, so written even if consent went back to pending since; not if denied
    if (o.consent() == 'denied') return;
    const kv = { identity: o.identity() };
    try {
      overflow(await store!.append(rows, o.max, kv));
    } catch (e) {
      if (!store!.durable) throw e;
      // IndexedDB broke under us (not a full disk: append handles quota by dropping): go on in memory
      o.report(toSlotwiseError('storage_failed', e, 'IndexedDB failed; now in memory'));
      store = memoryStore();
      overflow(await store.append(rows, o.max, kv));
    }
    if (rescued) edit(rows.map((r) => r.id));
    o.persisted(rows.length);
  }

  /**
   * Read-modify-write of the rescue record, which other tabs of the app share: takes out the
   * `gone` ids (durable now), adds `add` (each id once, the newest `max` kept). Only a failed
   * rescue is reported: a stale record costs a duplicate the server ignores, never an event.
   */
  function edit(gone: string[], add: Row[] = []) {
    try {
      const seen = new Set(gone);
      const rows = [...readRescue(rkey), ...add].filter((r) => !seen.has(r.id) && !!seen.add(r.id)).slice(-o.max);
      rows.length ? localStorage.setItem(rkey, JSON.stringify({ v: 1, rows })) : localStorage.removeItem(rkey);
    } catch (e) {
      // no localStorage (blocked, some WebViews) or full: the write and the beacons are all there is
      if (add.length) o.report(toSlotwiseError('storage_failed', e, `${add.length} event(s) not rescued at unload`));
    }
  }

  /** copies the events of writes in flight (and `early` ones) into the rescue record, synchronously */
  const rescue = (early: Row[] = []) => (early = [...writing, ...early]).length && ((rescued = true), edit([], early));

  /** moves what an earlier page rescued into the store, ahead of this page's events */
  async function restore(): Promise<void> {
    let rows = readRescue(rkey);
    if (!rows.length) return;
    // this page's own events may be in the record too (hidden before the store opened): written next
    const queued = new Set([...(await store!.head(o.max)), ...buffer, ...writing].map((r) => r.id));
    const ids = rows.map((r) => r.id);
    rows = rows.filter((r) => !queued.has(r.id));
    if (rows.length) overflow(await store!.append(rows, o.max));
    // only the ids read: another tab may have rescued more since
    edit(ids);
    o.persisted(rows.length);
  }

  /** JSON once, here, off the `track()` call; an event that cannot be sent is reported, not queued */
  function serialize(events: SlotwiseEvent[]): Row[] {
    const rows: Row[] = [];
    for (const e of events) {
      let body: string;
      try {
        body = JSON.stringify(e);
      } catch (cause) {
        o.report(new SlotwiseError('invalid_argument', `event "${e.name}" is not JSON-serialisable: ${(cause as Error).message}`, { id: e.id, cause }));
        continue;
      }
      const size = utf8(body);
      if (size > LIMITS.batchBytes - 64) {
        o.report(new SlotwiseError('too_large', `event "${e.name}": ${size} B, too large`, { id: e.id, size }));
        continue;
      }
      rows.push({ id: e.id, body, size });
    }
    return rows;
  }

  return {
    push(event) {
      buffer.push(event);
      // trimmed with some slack, so a long burst past the cap costs O(1) per event, not a copy each
      if (buffer.length > o.max + (o.max >> 2)) overflow(buffer.length - o.max), (buffer = buffer.slice(-o.max));
      schedule();
    },
    persist,
    store: () => store,
    ready(s) {
      store = s;
      if (o.consent() == 'granted') chain = chain.then(restore).catch((e) => o.report(toSlotwiseError('storage_failed', e)));
      schedule();
    },
    buffered: () => buffer,
    forget() {
      buffer = [];
      try {
        localStorage.removeItem(rkey);
      } catch {}
    },
    hidden(on) {
      hiding = on;
      if (!on) return;
      void persist();
      // a store still opening cannot take the buffer: rescue it as it is (pending consent keeps it in memory)
      const early = store || o.consent() != 'granted' ? [] : serialize(buffer);
      rescue(early);
      beacon([...writing, ...early]);
    },
  };
}

/** UTF-8 length without allocating an encoded copy */
export function utf8(s: string): number {
  // most events are ASCII: one native scan instead of a loop in JS
  if (!/[^\0-\x7f]/.test(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 2 bytes up to 0x7ff, 3 up to 0xffff, 4 for a surrogate pair (counted on its high half)
    if (c > 0x7f) n += c < 0x800 ? 1 : c >= 0xdc00 && c < 0xe000 ? 0 : 2;
  }
  return n;
}

/** the rows of a rescue record; anything malformed (another release, a tampered value) is skipped */
function readRescue(key: string): Row[] {
  try {
    const r = JSON.parse(localStorage.getItem(key)!) as { v?: number; rows?: Row[] } | null;
    return r?.v == 1 && Array.isArray(r.rows)
      ? r.rows.filter((x) => typeof x?.id == 'string' && typeof x.body == 'string').map(({ id, body }) => ({ id, body, size: utf8(body) }))
      : [];
  } catch {
    return [];
  }
}

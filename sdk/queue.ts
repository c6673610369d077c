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
 */
import { LIMITS } from './contract';
import type { SlotwiseEvent, ConsentState } from './contract';
import { memoryStore, isQuota, type Row, type Store } from './db';
import { SlotwiseError, toSlotwiseError } from './errors';
import type { IdentityState } from './identity';

export interface QueueOptions {
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
  let chain: Promise<void> = Promise.resolve();

  const overflow = (n: number) => {
    if (!n) return;
    // one report per burst, not one per event
    if (!dropped) queueMicrotask(() => {
      o.report(new SlotwiseError('queue_overflow', `queue full: dropped the ${dropped} oldest event(s)`, { dropped }));
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
    if (hiding) beacon(rows);
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
      o.report(toSlotwiseError('storage_failed', e, `IndexedDB write failed, keeping events in memory: ${(e as Error)?.message ?? e}`));
      store = memoryStore();
      overflow(await store.append(rows, o.max, kv));
    }
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
        o.report(new SlotwiseError('too_large', `event "${e.name}" is ${size} bytes, over the ${LIMITS.batchBytes}-byte request limit`, { id: e.id, size }));
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
      schedule();
    },
    buffered: () => buffer,
    forget() {
      buffer = [];
    },
    hidden(on) {
      hiding = on;
      if (!on) return;
      void persist();
      beacon(writing);
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

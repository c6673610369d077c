/**
 * Issue 22: what track() causes is done in slices (sdk/slices.ts, queue.ts `persist`) that end on
 * a time budget, with the browser's scheduler between them. Here the clock and the scheduler are
 * the test's: building an event costs `cost` ms on the injected clock, and the scheduler's turn
 * comes when the test says, so every slice boundary is observed, not timed. The queue runs on the
 * real memory store and the real journal (localStorage).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Capture } from '../../sdk/capture';
import type { SlotwiseEvent } from '../../sdk/contract';
import { memoryStore, type Row, type Store } from '../../sdk/db';
import type { SlotwiseError } from '../../sdk/errors';
import { createJournal } from '../../sdk/journal';
import { createQueue, utf8, type QueueOptions } from '../../sdk/queue';
import { fakeBackend, freshIDB, peek, settle, testClients, until } from '../helpers/capture';

let n = 0;
const call = (name = 'e'): Capture => ({
  type: 'track',
  name,
  properties: { n },
  id: `id-${n++}`,
  ts: 1,
  anonymousId: 'a',
  sessionId: 's',
  page: undefined,
  use: [],
});

/** a queue on the injected clock and scheduler; `writes` holds the ids of each write, in order */
function harness({ cost = 1, durable = false, ...o }: Partial<QueueOptions> & { cost?: number; durable?: boolean } = {}) {
  let t = 0;
  const yields: (() => void)[] = [];
  const built: string[] = [];
  const errors: SlotwiseError[] = [];
  const writes: string[][] = [];
  const store: Store = memoryStore();
  (store as { durable: boolean }).durable = durable;
  const append = store.append.bind(store);
  // the real store, seen from outside: every write and what it held
  store.append = (rows: Row[], ...rest) => (writes.push(rows.map((r) => r.id)), append(rows, ...rest));
  const queue = createQueue({
    journal: createJournal('slices-test', utf8),
    max: 10_000,
    consent: () => 'granted',
    identity: () => ({ anonymousId: 'a', sessionId: 's', lastActivity: 0 }),
    now: () => t,
    build(c) {
      t += cost;
      built.push(c.id);
      return { id: c.id, type: c.type, name: c.name, ts: c.ts, anonymousId: c.anonymousId, sessionId: c.sessionId, properties: c.properties as SlotwiseEvent['properties'], context: { channel: 'web', sdk: { name: 'slotwise', version: 'test' } } };
    },
    pause: () => new Promise<void>((r) => yields.push(r)),
    budget: 8,
    first: 1,
    report: (e) => errors.push(e),
    persisted() {},
    beacon() {},
    ...o,
  });
  queue.ready(store);
  return {
    queue,
    store,
    yields,
    built,
    errors,
    writes,
    clock: { set: (ms: number) => (t = ms), get: () => t },
    /** the browser's turn: the next slice runs */
    async turn() {
      yields.shift()?.();
      await settle(5);
    },
  };
}

beforeEach(() => localStorage.clear());

describe('slices (injected clock and scheduler)', () => {
  it('end on their budget: 8 ms of 1 ms events per slice, the next one after the browser had its turn', async () => {
    const h = harness();
    const ids = Array.from({ length: 20 }, () => call()).map((c) => (h.queue.push(c), c.id));
    // nothing during the calls: capture only
    expect(h.built).toEqual([]);
    await settle(5);
    expect(h.writes).toEqual([ids.slice(0, 8)]);
    // nothing more until the browser's turn
    await settle(5);
    expect(h.writes).toHaveLength(1);
    expect(h.yields).toHaveLength(1);
    await h.turn();
    expect(h.writes).toEqual([ids.slice(0, 8), ids.slice(8, 16)]);
    await h.turn();
    expect(h.writes).toEqual([ids.slice(0, 8), ids.slice(8, 16), ids.slice(16)]);
    // the last slice asked for no further turn
    expect(h.yields).toHaveLength(0);
    expect((await h.store.head(100)).map((r) => r.id)).toEqual(ids);
  });

  it('the first slice after a task takes at least `first` calls past its budget, then slices end on budget again', async () => {
    const h = harness({ first: 12 });
    const ids = Array.from({ length: 30 }, () => call()).map((c) => (h.queue.push(c), c.id));
    await settle(5);
    // 12 ms of 1 ms events in the end-of-task slice: the budget (8 ms) did not cut it
    expect(h.writes).toEqual([ids.slice(0, 12)]);
    await h.turn();
    expect(h.writes).toEqual([ids.slice(0, 12), ids.slice(12, 20)]);
    await h.turn();
    expect(h.writes.map((w) => w.length)).toEqual([12, 8, 8]);
    // a new task's first slice takes its minimum again
    for (let i = 0; i < 14; i++) h.queue.push(call());
    while (h.yields.length) await h.turn();
    expect(h.writes.flat()).toHaveLength(44);
  });

  it('a slow event ends its slice: at least one event per slice, so every slice makes progress', async () => {
    const h = harness({ cost: 50 });
    for (let i = 0; i < 3; i++) h.queue.push(call());
    await settle(5);
    expect(h.writes.map((w) => w.length)).toEqual([1]);
    await h.turn();
    await h.turn();
    expect(h.writes.map((w) => w.length)).toEqual([1, 1, 1]);
  });

  it('keep the order: calls made while a burst is being sliced are built and written after it', async () => {
    const h = harness();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) h.queue.push(call()), ids.push(`id-${n - 1}`);
    await settle(5);
    // a later task calls again while 4 of the burst still wait
    for (let i = 0; i < 6; i++) h.queue.push(call()), ids.push(`id-${n - 1}`);
    while (h.yields.length) await h.turn();
    expect(h.built).toEqual(ids);
    expect(h.writes.flat()).toEqual(ids);
  });

  it('a slice that throws loses nothing: reported, its events written by the next slice, each built once', async () => {
    const journal = createJournal('slices-test', utf8);
    const put = journal.put.bind(journal);
    let faults = 1;
    // a fault in the middle of a slice, after its events were built, before their write started
    journal.put = (rows) => {
      if (faults-- > 0) throw new Error('storage blew up');
      return put(rows);
    };
    // a durable store: the queue journals each write before it starts
    const h = harness({ journal, durable: true });
    const ids = Array.from({ length: 5 }, () => call()).map((c) => (h.queue.push(c), c.id));
    await settle(5);
    expect(h.errors.map((e) => e.message)).toEqual([expect.stringMatching(/storage blew up/)]);
    expect(h.writes).toEqual([]);
    // the next slice (a later call, a flush, the page hiding) takes them, ahead of the new one
    const last = call();
    h.queue.push(last);
    ids.push(last.id);
    await settle(5);
    expect(h.writes.flat()).toEqual(ids);
    expect(h.built).toEqual(ids);
  });

  it('at pagehide everything waiting is built, written and beaconed at once, whatever the budget', async () => {
    const beaconed: string[] = [];
    const h = harness({ beacon: (rows) => beaconed.push(...rows.map((r) => r.id)) });
    const ids = Array.from({ length: 30 }, () => call()).map((c) => (h.queue.push(c), c.id));
    h.queue.hidden(true);
    expect(h.built).toEqual(ids);
    expect(beaconed).toEqual(ids);
    await settle(5);
    expect(h.writes).toEqual([ids]);
    expect(h.yields).toHaveLength(0);
  });
});

const make = testClients();

describe('slices in the client', () => {
  let yields: (() => void)[] = [];
  beforeEach(() => {
    yields = [];
    vi.stubGlobal('scheduler', { yield: () => new Promise<void>((r) => yields.push(r)) });
  });
  afterEach(() => vi.unstubAllGlobals());
  const turns = async () => {
    while (yields.length) yields.shift()!(), await settle();
  };

  it('flush() builds and writes what waits at once, without waiting for the browser', async () => {
    const backend = fakeBackend();
    const sw = make({ indexedDB: freshIDB(), fetch: backend.fetch });
    await sw.flush();
    const ids = Array.from({ length: 900 }, (_, i) => sw.track('burst', { i }));
    await sw.flush();
    expect(backend.sentIds()).toEqual(ids);
  });

  it('the page may change its objects after track() returns: the event keeps what was passed', async () => {
    const backend = fakeBackend();
    const sw = make({ indexedDB: freshIDB(), fetch: backend.fetch });
    await sw.flush();
    const props = { step: 1, form: { fields: ['name'] }, when: new Date(0) };
    sw.track('flat', { step: 1 });
    sw.track('nested', props);
    props.step = 2;
    props.form.fields.push('phone');
    const flat = { step: 1 };
    sw.track('flat', flat);
    flat.step = 3;
    await sw.flush();
    expect(backend.requests.flatMap((r) => r.body.events).map((e) => e.properties)).toEqual([
      { step: 1 },
      { step: 1, form: { fields: ['name'] }, when: '1970-01-01T00:00:00.000Z' },
      { step: 1 },
    ]);
  });

  it('a slice that throws loses nothing: reported, never thrown into the page, every event stored once', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    let thrown = 0;
    // the pagehide beacon fails on the spot (a fault of the page's fetch), in the middle of a slice
    const fetch = ((url: string, init?: RequestInit) => {
      if (init?.keepalive && !thrown++) throw new Error('fetch blew up');
      return backend.fetch(url, init);
    }) as typeof globalThis.fetch;
    const sw = make({ indexedDB: idb, fetch, flush: { count: 500, intervalMs: 60_000 } });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    await sw.flush();
    const ids = Array.from({ length: 700 }, (_, i) => sw.track('leaving', { i }));
    window.dispatchEvent(new Event('pagehide'));
    window.dispatchEvent(new Event('pageshow'));
    expect(thrown).toBe(1);
    await until(() => errors.some((e) => e.includes('fetch blew up')));
    await sw.flush();
    expect([...backend.stored.keys()].sort()).toEqual([...ids].sort());
    expect((await peek(idb)).events).toHaveLength(0);
  });

  it('a burst past the cap keeps memory bounded: the oldest are dropped, counted and reported, the rest stored', async () => {
    const idb = freshIDB();
    // offline: no batch in flight (one would be spared by the cap, see the next test)
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const sw = make({ indexedDB: idb, fetch: offline, maxQueue: 1000, flush: { count: 500, intervalMs: 60_000 } });
    const dropped: number[] = [];
    sw.on('error', (e) => e.code == 'queue_overflow' && dropped.push(e.details!.dropped as number));
    await sw.flush();
    const ids = Array.from({ length: 5000 }, (_, i) => sw.track('flood', { i }));
    await settle();
    await turns();
    await settle();
    const kept = (await peek(idb)).events.map((r) => r.id);
    expect(kept).toEqual(ids.slice(-1000));
    expect(dropped.reduce((a, b) => a + b, 0)).toBe(4000);
  });

  it('past the cap with a batch in flight, the count is exact: stored + reported dropped == tracked', async () => {
    const backend = fakeBackend();
    // the server holds its answer to the first batch until the test lets it go
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const fetch = (async (url: string, init?: RequestInit) => {
      if (String(url).includes('/v1/events') && backend.requests.length == 0) {
        const answer = backend.fetch(url, init);
        await held;
        return answer;
      }
      return backend.fetch(url, init);
    }) as typeof globalThis.fetch;
    const sw = make({ indexedDB: freshIDB(), fetch, maxQueue: 300, flush: { count: 100, intervalMs: 60_000 } });
    let dropped = 0;
    sw.on('error', (e) => e.code == 'queue_overflow' && (dropped += e.details!.dropped as number));
    await sw.flush();
    const first = Array.from({ length: 200 }, (_, i) => sw.track('capped', { i }));
    await settle();
    await turns();
    await until(() => backend.requests.length == 1);
    // 200 in flight (stored by the server whatever happens next); 2 000 more push the queue past its cap
    for (let i = 0; i < 2000; i++) sw.track('capped', { i: 200 + i });
    await settle();
    await turns();
    release();
    await sw.flush();
    const inflight = backend.requests[0]!.body.events.map((e) => e.id);
    expect(inflight).toEqual(first.slice(0, inflight.length));
    expect(backend.stored.size + dropped).toBe(2200);
  });
});

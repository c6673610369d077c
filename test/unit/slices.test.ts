/**
 * Issue 22: what track() causes is done in slices (sdk/slices.ts, queue.ts `persist`) with the
 * browser's scheduler between them. The scheduler here is the test's: `scheduler.yield()` resolves
 * when the test says, so every slice boundary is observed, not timed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SLICE_EVENTS } from '../../sdk/slices';
import { fakeBackend, freshIDB, peek, settle, testClients, until } from '../helpers/capture';

const make = testClients();
let yields: (() => void)[] = [];
beforeEach(() => {
  yields = [];
  vi.stubGlobal('scheduler', { yield: () => new Promise<void>((r) => yields.push(r)) });
});
afterEach(() => vi.unstubAllGlobals());
/** lets the browser's turn end: the next slice runs */
const turn = async () => {
  yields.shift()?.();
  await settle();
};
/** a backend that does not answer: everything stays queued */
const silent = () => (() => new Promise<Response>(() => {})) as unknown as typeof fetch;

describe('slices', () => {
  it('end on their budget: one slice per turn of the browser, each at most SLICE_EVENTS events', async () => {
    const idb = freshIDB();
    const sw = make({ indexedDB: idb, fetch: silent(), flush: { count: 500, intervalMs: 60_000 } });
    await sw.flush();
    for (let i = 0; i < 1100; i++) sw.track('burst', { i });
    const stored: number[] = [];
    for (let k = 0; k < 6; k++) {
      await settle();
      stored.push((await peek(idb)).events.length);
      await turn();
    }
    expect(SLICE_EVENTS).toBe(250);
    expect(stored).toEqual([250, 500, 750, 1000, 1100, 1100]);
    // the last slice asked for no further turn
    expect(yields).toHaveLength(0);
  });

  it('keep the order: events tracked while a burst is still being sliced are queued and sent after it', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    const sw = make({ indexedDB: idb, fetch: backend.fetch, flush: { count: 500, intervalMs: 60_000 } });
    await sw.flush();
    const ids: string[] = [];
    for (let i = 0; i < 600; i++) ids.push(sw.track('first', { i }));
    await settle();
    // a later task tracks more while 350 of the burst still wait for their slices
    for (let i = 0; i < 100; i++) ids.push(sw.track('later', { i }));
    while (yields.length) await turn();
    await sw.flush();
    expect(backend.sentIds()).toEqual(ids);
    expect((await peek(idb)).events).toHaveLength(0);
  });

  it('flush() writes what waits at once, without waiting for the browser', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    const sw = make({ indexedDB: idb, fetch: backend.fetch });
    await sw.flush();
    const ids = Array.from({ length: 900 }, (_, i) => sw.track('burst', { i }));
    await sw.flush();
    expect(backend.sentIds()).toEqual(ids);
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
    const sw = make({ indexedDB: idb, fetch: silent(), maxQueue: 1000, flush: { count: 500, intervalMs: 60_000 } });
    const dropped: number[] = [];
    sw.on('error', (e) => e.code == 'queue_overflow' && dropped.push(e.details!.dropped as number));
    await sw.flush();
    const ids = Array.from({ length: 5000 }, (_, i) => sw.track('flood', { i }));
    await settle();
    while (yields.length) await turn();
    await settle();
    const kept = (await peek(idb)).events.map((r) => r.id);
    expect(kept).toEqual(ids.slice(-1000));
    expect(dropped.reduce((a, b) => a + b, 0)).toBe(4000);
  });
});

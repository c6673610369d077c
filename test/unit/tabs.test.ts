import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../sdk/client';
import { memoryStore, openStore } from '../../sdk/db';
import { createTabLock } from '../../sdk/tabs';
import type { SlotwiseClient } from '../../sdk/types';
import { fakeBackend, fakeClock, freshIDB, peek, settle, until } from '../helpers/capture';

/** Web Locks as the spec has them for `ifAvailable` (happy-dom has none) */
function fakeLocks(): LockManager {
  const held = new Set<string>();
  return {
    async request(name: string, _options: LockOptions, cb: (lock: Lock | null) => Promise<unknown>) {
      if (held.has(name)) return cb(null);
      held.add(name);
      try {
        return await cb({ name, mode: 'exclusive' } as Lock);
      } finally {
        held.delete(name);
      }
    },
    query: async () => ({ held: [], pending: [] }),
  } as unknown as LockManager;
}

const gate = () => {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
};

afterEach(() => vi.useRealTimers());

describe.each([
  ['a lease in IndexedDB', () => null],
  ['Web Locks', fakeLocks],
])('tab lock over %s', (_, locks) => {
  it('one tab at a time: the others skip while it runs, and can run after', async () => {
    const store = await openStore(freshIDB(), 'demo');
    const manager = locks();
    const a = createTabLock({ name: 'flush', kv: store, locks: manager });
    const b = createTabLock({ name: 'flush', kv: store, locks: manager });
    const g = gate();
    const running = a.run(() => g.p);
    await settle();
    expect(await b.run(async () => {})).toBe(false);
    // the same tab does not run it twice at once either
    expect(await a.run(async () => {})).toBe(false);
    g.open();
    expect(await running).toBe(true);
    expect(await b.run(async () => {})).toBe(true);
    store.close();
  });
});

describe('lease', () => {
  it('a tab that died holding the lease blocks the others until it expires', async () => {
    const tick = fakeClock();
    const store = await openStore(freshIDB(), 'demo');
    // what a crashed tab leaves behind
    await store.lease('flush', 'dead-tab', Date.now() + 30_000, Date.now());
    const b = createTabLock({ name: 'flush', kv: store, locks: null });
    expect(await b.run(async () => {})).toBe(false);
    await tick(30_001);
    expect(await b.run(async () => {})).toBe(true);
    store.close();
  });

  it('renews while it works; renew() says false once another tab took over, so the work stops', async () => {
    const tick = fakeClock();
    const store = memoryStore();
    const a = createTabLock({ name: 'flush', kv: store, locks: null, ttlMs: 30_000 });
    const renewals: boolean[] = [];
    const g = gate();
    const running = a.run(async (renew) => {
      renewals.push(await renew());
      await g.p;
      renewals.push(await renew());
    });
    await settle();
    // the interval keeps the lease alive past its first ttl
    await tick(45_000);
    expect(await store.lease('flush', 'other', Date.now() + 1, Date.now())).toBe(false);
    // a frozen tab: its lease lapses and another takes it
    await store.set('flush', { owner: 'other', until: Date.now() + 30_000 });
    g.open();
    await running;
    expect(renewals).toEqual([true, false]);
  });
});

describe.each([
  ['a lease in IndexedDB', () => undefined],
  ['Web Locks', fakeLocks],
])('three tabs, one queue (%s)', (_, locks) => {
  let tabs: SlotwiseClient[] = [];
  afterEach(async () => {
    await Promise.all(tabs.map((t) => t.close()));
    tabs = [];
    Object.defineProperty(navigator, 'locks', { value: null, configurable: true });
  });

  it('delivers every event of every tab exactly once, with never two batches in flight', async () => {
    Object.defineProperty(navigator, 'locks', { value: locks() ?? null, configurable: true });
    const idb = freshIDB();
    const backend = fakeBackend();
    let inFlight = 0;
    let most = 0;
    const slow = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const events = String(input instanceof Request ? input.url : input).endsWith('/v1/events');
      if (events) (inFlight++, (most = Math.max(most, inFlight)));
      try {
        await new Promise((r) => setTimeout(r, 3));
        return await backend.fetch(input, init);
      } finally {
        if (events) inFlight--;
      }
    }) as typeof fetch;
    tabs = [0, 1, 2].map(() =>
      createClient({ appKey: 'demo', endpoint: 'http://api.test', autocapture: false, indexedDB: idb, fetch: slow, flush: { count: 5, intervalMs: 20 } }),
    );
    const ids: string[] = [];
    for (let round = 0; round < 10; round++) {
      for (const t of tabs) for (let i = 0; i < 7; i++) ids.push(t.track(`t${tabs.indexOf(t)}`, { round, i }));
      await new Promise((r) => setTimeout(r, 2));
    }
    await until(() => backend.stored.size == ids.length, 20_000);
    await Promise.all(tabs.map((t) => t.flush()));
    expect([...backend.stored.keys()].sort()).toEqual([...ids].sort());
    // exactly once on the wire too, not just in storage
    expect(backend.sentIds()).toHaveLength(ids.length);
    expect(most).toBe(1);
    expect((await peek(idb)).events).toHaveLength(0);
  });
});

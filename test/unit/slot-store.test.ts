import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSlotStore } from '../../sdk/slot-store';
import type { SlotItem, SlotState } from '../../sdk/types';
import { FAKE_TIMERS, fakeCore, freshIdb, settle, type FakeCore } from './fake-core';

const it1: SlotItem = { id: 'a', kind: 'fund', title: 'A', position: 0, strategy: 's', score: 1, reasons: [], decisionId: 'd1', slotId: 'x' };
const it2: SlotItem = { ...it1, id: 'b', position: 1 };
const entry = (items = [it1, it2], exp = Date.now() + 60_000) => ({ items, decisionId: 'd1', exp });

let cores: FakeCore[] = [];
const make = (o: Parameters<typeof fakeCore>[0] = {}) => {
  const core = fakeCore(o);
  cores.push(core);
  return { core, store: createSlotStore(core) };
};
beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
  vi.setSystemTime(new Date('2025-03-03T10:00:00'));
});
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cores) await c.close();
  cores = [];
});

describe('slot store', () => {
  it('gives a subscriber the current state synchronously, then every change, until it unsubscribes', () => {
    const { store } = make({ idb: false });
    const seen: SlotState[] = [];
    store.publish({ slotId: 'x', items: [it1], status: 'network', decisionId: 'd1' });
    const off = store.subscribe('x', (s) => seen.push(s));
    expect(seen.map((s) => s.status)).toEqual(['network']);
    store.publish({ slotId: 'y', items: [], status: 'empty' });
    store.publish({ slotId: 'x', items: [], status: 'empty' });
    off();
    store.publish({ slotId: 'x', items: [it1], status: 'cache' });
    expect(seen.map((s) => s.status)).toEqual(['network', 'empty']);
    const fresh: SlotState[] = [];
    store.subscribe('z', (s) => fresh.push(s));
    expect(fresh).toEqual([{ slotId: 'z', items: [], status: 'loading' }]);
  });

  it('keeps entries per user, personalisation, page and slot across reloads', async () => {
    const idb = freshIdb();
    const a = make({ idb, userId: 'u1' });
    a.store.write('/home', 'x', entry());
    await settle();
    const b = make({ idb, userId: 'u1' });
    expect((await b.store.read('/home', 'x'))?.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(await b.store.read('/other', 'x')).toBeUndefined();
    expect(await b.store.read('/home', 'y')).toBeUndefined();
    b.core.set({ personalized: false });
    expect(await b.store.read('/home', 'x')).toBeUndefined();
    const c = make({ idb, userId: 'u2' });
    expect(await c.store.read('/home', 'x')).toBeUndefined();
  });

  it('writes nothing to the device before consent, but still serves this page from memory', async () => {
    const { core, store } = make({ consent: 'pending' });
    store.write('/home', 'x', entry());
    await settle();
    expect(await core.kv.keys('slot:')).toEqual([]);
    expect((await store.read('/home', 'x'))?.items).toHaveLength(2);
  });

  it('drop() removes an item from states and every cached page of the user', async () => {
    const idb = freshIdb();
    const a = make({ idb });
    a.store.write('/home', 'x', entry());
    a.store.write('/fund', 'y', entry([it1]));
    a.store.publish({ slotId: 'x', items: [it1, it2], status: 'network' });
    await settle();
    a.store.drop('a');
    expect(a.store.get('x')!.items.map((i) => i.id)).toEqual(['b']);
    expect((await a.store.read('/fund', 'y'))!.items).toEqual([]);
    await settle();
    const b = make({ idb });
    expect((await b.store.read('/home', 'x'))!.items.map((i) => i.id)).toEqual(['b']);
    expect((await b.store.read('/fund', 'y'))!.items).toEqual([]);
  });

  it('prunes entries a week past their expiry, keeps stale ones younger than that', async () => {
    const idb = freshIdb();
    const a = make({ idb });
    a.store.write('/old', 'x', entry(undefined, Date.now() - 8 * 864e5));
    a.store.write('/stale', 'x', entry(undefined, Date.now() - 864e5));
    await settle();
    const b = make({ idb });
    b.store.write('/home', 'x', entry());
    await settle();
    expect((await b.core.kv.keys('slot:')).map((k) => k.split('\u0001').at(-1))).toEqual(['/home', '/stale']);
  });

  it('clear() forgets everything', async () => {
    const idb = freshIdb();
    const a = make({ idb });
    a.store.write('/home', 'x', entry());
    await settle();
    await a.store.clear();
    expect(await a.store.read('/home', 'x')).toBeUndefined();
    expect(await a.core.kv.keys('slot:')).toEqual([]);
  });
});

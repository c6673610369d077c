import { describe, expect, it } from 'vitest';
import { createSlotStore } from '../../sdk/slot-store';
import type { SlotItem, SlotState } from '../../sdk/types';
import { fakeCore, fakeCoreLifecycle, freshIdb, settle } from './fake-core';

const it1: SlotItem = { id: 'a', kind: 'fund', title: 'A', position: 0, strategy: 's', score: 1, reasons: [], decisionId: 'd1', slotId: 'x' };
const it2: SlotItem = { ...it1, id: 'b', position: 1 };
const entry = (items = [it1, it2], exp = Date.now() + 60_000) => ({ items, decisionId: 'd1', exp });

const keep = fakeCoreLifecycle();
const make = (o: Parameters<typeof fakeCore>[0] = {}) => {
  const core = keep(fakeCore(o));
  return { core, store: createSlotStore(core) };
};

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

  it('hands this page’s cached slots to a subscriber synchronously once the start read is done', async () => {
    const idb = freshIdb();
    const a = make({ idb });
    a.store.write('/home', 'x', entry());
    a.store.write('/home', 'y', entry([it2], Date.now() - 1));
    await settle();
    // a reload: the start read runs without anyone asking for a slot; then subscribe() is synchronous
    const b = make({ idb });
    await settle();
    const x: SlotState[] = [];
    const y: SlotState[] = [];
    b.store.subscribe('x', (s) => x.push(s));
    b.store.subscribe('y', (s) => y.push(s));
    b.store.subscribe('z', () => {});
    expect(x).toEqual([{ slotId: 'x', items: [it1, it2], decisionId: 'd1', status: 'cache' }]);
    expect(y).toEqual([{ slotId: 'y', items: [it2], decisionId: 'd1', status: 'cache', stale: true }]);
    expect(b.store.get('z')).toEqual({ slotId: 'z', items: [], status: 'loading' });
    // told once: the same cached state again (decide() painting it too) is no change
    b.store.publish({ ...x[0]!, items: [...x[0]!.items] });
    expect(x).toHaveLength(1);
  });

  it('a subscriber that comes before the start read ends gets loading, then cache when the read ends (no network)', async () => {
    const idb = freshIdb();
    const a = make({ idb });
    a.store.write('/home', 'x', entry());
    await settle();
    const b = make({ idb, fetch: () => new Promise<Response>(() => {}) });
    const seen: SlotState[] = [];
    b.store.subscribe('x', (s) => seen.push(s));
    expect(seen.map((s) => s.status)).toEqual(['loading']);
    await settle();
    expect(seen.map((s) => s.status)).toEqual(['loading', 'cache']);
    expect(seen[1]!.items.map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('reads the start page’s entries once at start; other pages and later subscribers cost no read', async () => {
    const idb = freshIdb();
    const a = make({ idb });
    for (const [page, slot] of [['/home', 'x'], ['/home', 'y'], ['/other', 'x']]) a.store.write(page!, slot!, entry());
    await settle();
    const core = keep(fakeCore({ idb }));
    const calls: string[] = [];
    const { get, keys } = core.kv;
    core.kv.get = (k) => (calls.push('get ' + k.split('\u0001').slice(-2).join(' ')), get(k));
    core.kv.keys = (p) => (calls.push('keys ' + p), keys(p));
    const store = createSlotStore(core);
    await settle();
    expect(calls.sort()).toEqual(['get x /home', 'get y /home', 'keys slot:']);
    for (const id of ['x', 'y']) store.subscribe(id, () => {});
    expect(await store.read('/home', 'x')).toBeDefined();
    expect(calls).toHaveLength(3);
    expect(['x', 'y'].map((id) => store.get(id)!.status)).toEqual(['cache', 'cache']);
  });

  it('hands nothing out before core.ready: the stored user and personalisation decide, not provisional ones', async () => {
    const idb = freshIdb();
    const a = make({ idb, userId: 'u1' });
    a.store.write('/home', 'x', entry());
    await settle();

    // identified early as u1, but the stored setting (read at ready) is personalisation off
    const b = keep(fakeCore({ idb, userId: 'u1' }));
    let ready!: () => void;
    b.ready = new Promise<void>((r) => (ready = r));
    const store = createSlotStore(b);
    await settle();
    const seen: SlotState[] = [];
    store.subscribe('x', (s) => seen.push(s));
    expect(seen.map((s) => s.status)).toEqual(['loading']);
    b.set({ personalized: false });
    ready();
    await settle();
    expect(seen.map((s) => s.status)).toEqual(['loading']);

    // provisional anonymous id at first; the stored identity (u1) is adopted before ready
    const c = keep(fakeCore({ idb }));
    c.ready = new Promise<void>((r) => (ready = r));
    const later = createSlotStore(c);
    await settle();
    const got: SlotState[] = [];
    later.subscribe('x', (s) => got.push(s));
    c.set({ userId: 'u1' });
    ready();
    await settle();
    expect(got.map((s) => s.status)).toEqual(['loading', 'cache']);

    // another user on the device sees none of it
    const d = make({ idb, userId: 'u2' });
    await settle();
    d.store.subscribe('x', () => {});
    expect(d.store.get('x')!.status).toBe('loading');
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

  it('keeps entries per risk tolerance too: who() changes with user, tolerance and personalisation', async () => {
    const idb = freshIdb();
    const a = make({ idb, userId: 'u1', riskTolerance: 'C4' });
    const c4 = a.store.who();
    a.store.write('/home', 'x', entry());
    await settle();
    a.core.set({ riskTolerance: 'C1' });
    expect(a.store.who()).not.toBe(c4);
    expect(await a.store.read('/home', 'x')).toBeUndefined();
    a.core.set({ riskTolerance: undefined });
    expect(await a.store.read('/home', 'x')).toBeUndefined();
    const who = new Set([a.store.who()]);
    a.core.set({ personalized: false });
    who.add(a.store.who());
    a.core.set({ userId: 'u2', personalized: true });
    who.add(a.store.who());
    expect(who.size).toBe(3);
    // after a reload under the same user and tolerance, the entry is there, also for the start read
    const b = make({ idb, userId: 'u1', riskTolerance: 'C4' });
    b.core.ready = Promise.resolve();
    expect(b.store.who()).toBe(c4);
    expect((await b.store.read('/home', 'x'))?.items.map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('withdraw() takes every slot showing items down to loading at once; empty ones stay', () => {
    const { store } = make({ idb: false });
    const seen: SlotState[] = [];
    store.publish({ slotId: 'x', items: [it1], status: 'network', decisionId: 'd1' });
    store.publish({ slotId: 'y', items: [], status: 'empty' });
    store.publish({ slotId: 'z', items: [it2], status: 'cache', decisionId: 'd1', stale: true });
    store.subscribe('x', (s) => seen.push(s));
    store.withdraw();
    expect(seen).toEqual([{ slotId: 'x', items: [it1], status: 'network', decisionId: 'd1' }, { slotId: 'x', items: [], status: 'loading' }]);
    expect(store.get('y')).toEqual({ slotId: 'y', items: [], status: 'empty' });
    expect(store.get('z')).toEqual({ slotId: 'z', items: [], status: 'loading' });
  });

  it('drop() reaches the user’s entries under every tolerance, on the device too', async () => {
    const idb = freshIdb();
    const { core, store } = make({ idb, userId: 'u1', riskTolerance: 'C3' });
    store.write('/home', 'x', entry());
    core.set({ riskTolerance: 'C1' });
    store.write('/home', 'x', entry([it1]));
    await settle();
    store.drop('a');
    await settle();
    expect((await store.read('/home', 'x'))!.items).toEqual([]);
    const reloaded = make({ idb, userId: 'u1', riskTolerance: 'C3' });
    expect((await reloaded.store.read('/home', 'x'))!.items.map((i) => i.id)).toEqual(['b']);
  });
});

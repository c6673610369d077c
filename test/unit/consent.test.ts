import { describe, expect, it } from 'vitest';
import { consentKV } from '../../sdk/consent';
import type { ConsentState } from '../../sdk/contract';
import { openStore } from '../../sdk/db';
import { fakeBackend, freshIDB, peek, settle, testClients } from '../helpers/capture';

const make = testClients();

describe('consent', () => {
  it('pending: events stay in memory only — nothing in IndexedDB, nothing sent, no identity stored', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    const sw = make({ consent: 'pending', indexedDB: idb, fetch: backend.fetch });
    sw.identify('u1');
    sw.track('a');
    sw.track('b');
    await sw.flush();
    await settle();
    expect(backend.requests).toHaveLength(0);
    const disk = await peek(idb);
    expect(disk.events).toHaveLength(0);
    expect(disk.keys).not.toContain('identity');
  });

  it('pending → granted: the events held in memory are persisted and sent, in order', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    const sw = make({ consent: 'pending', indexedDB: idb, fetch: backend.fetch });
    sw.track('a');
    sw.track('b');
    await settle();
    sw.setConsent('granted');
    sw.track('c');
    await sw.flush();
    expect(backend.sentIds()).toHaveLength(3);
    expect(backend.requests.flatMap((r) => r.body.events.map((e) => e.name))).toEqual(['a', 'b', 'c']);
    expect((await peek(idb)).keys).toContain('identity');
  });

  it('pending → denied: the memory events are dropped; granted later sends only new ones', async () => {
    const backend = fakeBackend();
    const sw = make({ consent: 'pending', indexedDB: freshIDB(), fetch: backend.fetch });
    const anon = sw.anonymousId;
    sw.track('a');
    sw.setConsent('denied');
    expect(sw.track('ignored')).toBe('');
    sw.setConsent('granted');
    sw.track('b');
    await sw.flush();
    expect(backend.requests.flatMap((r) => r.body.events.map((e) => e.name))).toEqual(['b']);
    expect(sw.anonymousId).not.toBe(anon);
  });

  it('denied erases everything stored: queue, dead letters, identity', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    // one event refused for good (a dead letter), the rest waiting behind a 503
    backend.respond((req, n) => (n == 1 ? { status: 401, body: { error: { code: 'unknown_key', message: 'unknown key', path: '' } } } : { status: 503 }));
    const sw = make({ indexedDB: idb, fetch: backend.fetch });
    sw.identify('u1');
    await sw.flush();
    sw.track('a');
    sw.track('b');
    await sw.flush();
    let disk = await peek(idb);
    expect(disk.dead).toHaveLength(1);
    expect(disk.events).toHaveLength(2);
    expect(disk.keys).toContain('identity');

    sw.setConsent('denied');
    await settle();
    disk = await peek(idb);
    expect(disk.events).toHaveLength(0);
    expect(disk.dead).toHaveLength(0);
    expect(disk.keys).toEqual([]);
    const requests = backend.requests.length;
    sw.track('c');
    await sw.flush();
    expect(backend.requests).toHaveLength(requests);
  });

  it('a page that starts denied erases what an earlier page stored', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    backend.respond(() => ({ status: 503 }));
    const first = make({ indexedDB: idb, fetch: backend.fetch });
    first.track('a');
    await first.close();
    expect((await peek(idb)).events).toHaveLength(1);

    make({ consent: 'denied', indexedDB: idb, fetch: backend.fetch });
    await settle();
    const disk = await peek(idb);
    expect(disk.events).toHaveLength(0);
    expect(disk.keys).toEqual([]);
  });
});

describe('consent-gated key-value store (what the slots half stores)', () => {
  it('holds writes in memory until granted, forgets them when denied, always allows deleting', async () => {
    const idb = freshIDB();
    const store = await openStore(idb, 'demo');
    let state: ConsentState = 'pending';
    const kv = consentKV(Promise.resolve(store), () => state);
    await kv.set('tags', { a: 1 });
    expect(await kv.get('tags')).toEqual({ a: 1 });
    expect(await store.get('tags')).toBeUndefined();
    expect(await kv.keys('ta')).toEqual(['tags']);

    state = 'granted';
    await kv.commit();
    expect(await store.get('tags')).toEqual({ a: 1 });
    await kv.set('cache', 1);
    expect(await store.get('cache')).toBe(1);
    await kv.del('cache');
    expect(await store.get('cache')).toBeUndefined();

    state = 'denied';
    await kv.set('later', 2);
    kv.forget();
    expect(await kv.get('later')).toBeUndefined();
    expect(await store.get('later')).toBeUndefined();
    store.close();
  });

  it('leases are taken atomically whatever the consent (they hold nothing about the user)', async () => {
    const store = await openStore(freshIDB(), 'demo');
    const kv = consentKV(Promise.resolve(store), () => 'pending');
    expect(await kv.lease('l', 'tab1', 2000, 1000)).toBe(true);
    expect(await kv.lease('l', 'tab2', 2000, 1500)).toBe(false);
    expect(await kv.lease('l', 'tab2', 4000, 2001)).toBe(true);
    store.close();
  });
});

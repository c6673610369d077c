import { IDBCursor as FakeCursor, IDBObjectStore as FakeObjectStore, IDBOpenDBRequest, IDBDatabase as FakeDatabase } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DB_VERSION, memoryStore, openStore, upgrade } from '../../sdk/db';
import { utf8 } from '../../sdk/queue';
import { deadLetters, fakeBackend, fakeClock, freshIDB, peek, settle, until, testClients } from '../helpers/capture';

const make = testClients();
/** a backend that takes requests and never answers: everything stays queued */
const silent = () => (() => new Promise<Response>(() => {})) as unknown as typeof fetch;

describe('durable queue', () => {
  it('a second task gets its own transaction, after the first, in order', async () => {
    const idb = freshIDB();
    const sw = make({ indexedDB: idb, fetch: silent() });
    await sw.flush();
    sw.track('a');
    await Promise.resolve().then(() => new Promise((r) => setImmediate(r)));
    sw.track('b');
    await settle();
    expect((await peek(idb)).names).toEqual(['a', 'b']);
  });

  it('caps the queue: the oldest go first, and every drop is counted and reported', async () => {
    const idb = freshIDB();
    const sw = make({ indexedDB: idb, fetch: silent(), maxQueue: 50, flush: { count: 500, intervalMs: 60_000 } });
    const dropped: number[] = [];
    sw.on('error', (e) => e.code == 'queue_overflow' && dropped.push(e.details!.dropped as number));
    await sw.flush();
    for (let i = 0; i < 40; i++) sw.track(`e${i}`);
    await settle();
    for (let i = 40; i < 60; i++) sw.track(`e${i}`);
    await until(() => dropped.length == 1);
    expect(dropped).toEqual([10]);
    // 70 more in one task: 20 of them never fit, and all 50 stored ones go
    for (let i = 60; i < 130; i++) sw.track(`e${i}`);
    const total = () => dropped.reduce((a, b) => a + b, 0);
    await until(() => total() >= 80);
    await settle();
    expect(total()).toBe(10 + 70);
    const disk = await peek(idb);
    expect(disk.names).toEqual(Array.from({ length: 50 }, (_, i) => `e${i + 80}`));
  });

  it('caps what is held in memory too (pending consent), with the same report', async () => {
    const sw = make({ indexedDB: freshIDB(), consent: 'pending', maxQueue: 10, fetch: silent() });
    const dropped: number[] = [];
    sw.on('error', (e) => e.code == 'queue_overflow' && dropped.push(e.details!.dropped as number));
    for (let i = 0; i < 25; i++) sw.track(`e${i}`);
    await until(() => dropped.length > 0);
    await settle();
    expect(dropped).toEqual([15]);
  });

  it('QuotaExceededError: drops the oldest to make room, counts and reports, keeps the new events', async () => {
    const idb = freshIDB();
    const sw = make({ indexedDB: idb, fetch: silent(), flush: { count: 500, intervalMs: 60_000 } });
    const dropped: number[] = [];
    sw.on('error', (e) => e.code == 'queue_overflow' && dropped.push(e.details!.dropped as number));
    await sw.flush();
    for (let i = 0; i < 30; i++) sw.track(`old${i}`);
    await settle();

    // the disk is full until something is deleted (a fault we cannot produce for real)
    let full = true;
    const add = FakeObjectStore.prototype.add;
    vi.spyOn(FakeObjectStore.prototype, 'add').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (full && this.name == 'events') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return add.apply(this, args as never);
    });
    // dropping or trimming a stored chunk frees space
    for (const method of ['delete', 'update'] as const) {
      const original = FakeCursor.prototype[method] as (...a: unknown[]) => unknown;
      vi.spyOn(FakeCursor.prototype, method).mockImplementation(function (this: IDBCursor, ...args: unknown[]) {
        full = false;
        return original.apply(this, args) as never;
      });
    }
    for (let i = 0; i < 5; i++) sw.track(`new${i}`);
    await until(() => dropped.length > 0);
    await settle();
    expect(dropped).toEqual([5]);
    const disk = await peek(idb);
    expect(disk.names).toEqual([...Array.from({ length: 25 }, (_, i) => `old${i + 5}`), 'new0', 'new1', 'new2', 'new3', 'new4']);
  });

  it('QuotaExceededError with nothing left to drop: gives up the oldest new events, reported', async () => {
    const idb = freshIDB();
    const sw = make({ indexedDB: idb, fetch: silent() });
    const dropped: number[] = [];
    sw.on('error', (e) => e.code == 'queue_overflow' && dropped.push(e.details!.dropped as number));
    await sw.flush();
    vi.spyOn(FakeObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    for (let i = 0; i < 8; i++) sw.track(`e${i}`);
    await until(() => dropped.length > 0);
    await settle();
    expect(dropped).toEqual([8]);
    expect((await peek(idb)).events).toHaveLength(0);
  });

  it('IndexedDB failing under a running page: reported, and the page goes on in memory without losing events', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    let up = false;
    backend.respond((req) => (up ? backend.ack(req.body.events) : { status: 503 }));
    const sw = make({ indexedDB: idb, fetch: backend.fetch });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    await sw.flush();
    vi.spyOn(FakeObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('Internal error.', 'UnknownError');
    });
    sw.track('a');
    sw.track('b');
    await until(() => errors.includes('storage_failed'));
    vi.restoreAllMocks();
    up = true;
    sw.track('c');
    await sw.flush();
    await until(() => backend.stored.size == 3);
    expect([...backend.stored.values()].map((e) => e.name)).toEqual(['a', 'b', 'c']);
  });

  it('falls back to memory when IndexedDB never answers the open request', async () => {
    const tick = fakeClock();
    const backend = fakeBackend();
    const hanging = { open: () => new IDBOpenDBRequest() } as unknown as IDBFactory;
    const sw = make({ indexedDB: hanging, fetch: backend.fetch });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    sw.track('a');
    await tick(5000);
    await sw.flush();
    expect(errors).toEqual(['storage_unavailable']);
    expect(backend.sentIds()).toHaveLength(1);
  });

  it('a database from a newer release (higher version) is left alone: memory, reported once', async () => {
    const idb = freshIDB();
    await new Promise<void>((resolve) => {
      const req = idb.open('slotwise:demo', DB_VERSION + 1);
      req.onupgradeneeded = () => req.result.createObjectStore('future');
      req.onsuccess = () => (req.result.close(), resolve());
    });
    const backend = fakeBackend();
    const sw = make({ indexedDB: idb, fetch: backend.fetch });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    sw.track('a');
    await sw.flush();
    expect(errors).toEqual(['storage_unavailable']);
    expect(backend.sentIds()).toHaveLength(1);
  });
});

describe('store', () => {
  const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `e${from + i}`, body: `{"id":"e${from + i}"}`, size: 12 }));
  it.each([
    ['IndexedDB', freshIDB],
    ['memory', () => undefined],
  ])('%s: acks and dead letters cut across chunks; the count follows', async (_, factory) => {
    const idb = factory();
    const store = idb ? await openStore(idb, 'demo') : memoryStore();
    await store.append(rows(0, 6), 100);
    await store.append(rows(6, 6), 100);
    expect(await store.count()).toBe(12);
    // a batch that ends in the middle of the first chunk
    await store.ack((await store.head(4)));
    expect((await store.head(100)).map((r) => r.id)).toEqual(rows(4, 8).map((r) => r.id));
    // one bad event in the middle of the second chunk
    const [bad] = (await store.head(100)).filter((r) => r.id == 'e8');
    await store.bury([{ row: bad!, reason: { status: 400, code: 'invalid_event', message: 'm' } }], 1);
    expect((await store.head(100)).map((r) => r.id)).toEqual(['e4', 'e5', 'e6', 'e7', 'e9', 'e10', 'e11']);
    expect(await store.count()).toBe(7);
    // kept where they outlive the page, for inspection
    if (idb) expect((await deadLetters(idb)).map((d) => [d.id, d.reason.code])).toEqual([['e8', 'invalid_event']]);
    // the cap trims the oldest chunk, not just whole ones
    expect(await store.append(rows(12, 2), 8)).toBe(1);
    expect((await store.head(100)).map((r) => r.id)).toEqual(['e5', 'e6', 'e7', 'e9', 'e10', 'e11', 'e12', 'e13']);
    expect(await store.count()).toBe(8);
    await store.clear();
    expect(await store.count()).toBe(0);
    expect(await store.head(10)).toEqual([]);
    store.close();
  });
});

describe('schema versions', () => {
  it('upgrade from nothing creates the stores; a database left by an earlier page is read as is', async () => {
    const idb = freshIDB();
    const store = await openStore(idb, 'demo');
    await store.append([{ id: 'x1', body: '{"id":"x1"}', size: 11 }], 100, { identity: { anonymousId: 'a', sessionId: 's', lastActivity: 1 } });
    store.close();
    const again = await openStore(idb, 'demo');
    expect((await again.head(10)).map((r) => r.id)).toEqual(['x1']);
    expect(await again.get('identity')).toMatchObject({ anonymousId: 'a' });
    again.close();
  });

  it('runs every missing step in order: a version-0 database gets all stores', () => {
    const created: string[] = [];
    upgrade({ createObjectStore: (name: string) => created.push(name) } as never, 0);
    expect(created).toEqual(['events', 'dead', 'kv']);
    created.length = 0;
    upgrade({ createObjectStore: (name: string) => created.push(name) } as never, DB_VERSION);
    expect(created).toEqual([]);
  });
});

describe('utf8 length', () => {
  it.each(['ascii', 'é', '理财非存款，产品有风险', '😀 emoji', '\u07ff\u0800\uffff'])('%s', (s) => {
    expect(utf8(s)).toBe(new TextEncoder().encode(s).length);
  });
});

describe('the journal: every write in flight has a copy in localStorage', () => {
  const PREFIX = 'slotwise:wal:demo:';
  /** the ids in the journal's records, in record order */
  const journaled = () =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith(PREFIX))
      .flatMap((k) => localStorage.getItem(k)!.split('\n').map((line) => JSON.parse(line).id as string));
  afterEach(() => {
    vi.unstubAllGlobals();
    localStorage.clear();
  });
  /** a network that is down: sends fail fast and the events stay queued */
  const down = () => (async () => { throw new TypeError('Failed to fetch'); }) as unknown as typeof fetch;
  /**
   * a client whose events stay queued (network down, no flush due), on `idb`; its clock stands
   * still, so a slice never runs out of time: a task's burst is one slice, one write (slices.test.ts
   * tests the budget)
   */
  const offline = (idb: IDBFactory) => make({ indexedDB: idb, fetch: down(), flush: { count: 500, intervalMs: 60_000 }, now: () => 1.7e12 });

  it('a write is journaled before it starts and dropped once durable, with no pagehide needed', async () => {
    const idb = freshIDB();
    const sw = offline(idb);
    await sw.flush();
    const ids = Array.from({ length: 50 }, (_, i) => sw.track('burst', { i }));
    // the end of the task: the write has started, the journal already holds every event
    await Promise.resolve();
    expect(journaled()).toEqual(ids);
    await settle();
    expect(journaled()).toEqual([]);
    expect((await peek(idb)).events.map((r) => r.id)).toEqual(ids);
  });

  it('pagehide beacons the write in flight (as much as the 64 KB keepalive budget carries) and drops nothing', async () => {
    const backend = fakeBackend();
    const sw = make({ indexedDB: freshIDB(), fetch: backend.fetch, flush: { count: 500, intervalMs: 60_000 } });
    await sw.flush();
    const big = 'y'.repeat(1000);
    const ids = Array.from({ length: 100 }, (_, i) => sw.track('leaving', { i, big }));
    window.dispatchEvent(new Event('pagehide'));
    expect(journaled()).toEqual(ids);
    await settle();
    // the beacons carried only part (64 KB budget); once the write is durable the journal is
    // empty, and the queue still holds every event
    const beaconed = backend.requests.filter((r) => r.url.includes('?key=')).flatMap((r) => r.body.events.map((e) => e.id));
    expect(beaconed.length).toBeGreaterThan(0);
    expect(beaconed.length).toBeLessThan(100);
    expect(journaled()).toEqual([]);
    await sw.flush();
    expect([...backend.stored.keys()].sort()).toEqual([...ids].sort());
  });

  it('a page hidden before its store has opened journals its buffer too, and queues each event once', async () => {
    const idb = freshIDB();
    const sw = offline(idb);
    // no await since createClient: IndexedDB is still opening, the events wait in memory
    const ids = Array.from({ length: 20 }, (_, i) => sw.track('early', { i }));
    window.dispatchEvent(new Event('pagehide'));
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('pagehide'));
    expect(new Set(journaled())).toEqual(new Set(ids));
    // the page lived on: the buffer was written once, and its records dropped
    await sw.flush();
    await settle();
    expect((await peek(idb)).events.map((r) => r.id)).toEqual(ids);
    expect(journaled()).toEqual([]);
  });

  it('the next start moves what a dead page journaled into IndexedDB, beside its own events', async () => {
    const idb = freshIDB();
    const a = offline(idb);
    await a.flush();
    const ids = Array.from({ length: 30 }, (_, i) => a.track('burst', { i }));
    await Promise.resolve();
    // the page dies here: its write never lands (a fresh database), only the journal is left
    const saved = Object.entries(localStorage).filter(([k]) => k.startsWith(PREFIX));
    expect(saved).toHaveLength(1);
    await a.close();
    localStorage.clear();
    for (const [k, v] of saved) localStorage.setItem(k, v);
    const fresh = freshIDB();
    const b = offline(fresh);
    const later = b.track('later');
    await b.flush();
    await settle();
    const queued = (await peek(fresh)).events.map((r) => r.id);
    expect(queued.sort()).toEqual([...ids, later].sort());
    expect(journaled()).toEqual([]);
  });

  it('two records of one event (journaled at two hides) are queued once; another app\'s records are left alone', async () => {
    const row = (id: string) => JSON.stringify({ id, type: 'track', name: 'x' });
    localStorage.setItem(PREFIX + '1', [row('e1'), row('e2')].join('\n'));
    localStorage.setItem(PREFIX + '2', [row('e2'), row('e3')].join('\n'));
    // 'demo:x' must not be read as app 'demo' (the app is URI-encoded in the key)
    localStorage.setItem('slotwise:wal:demo%3Ax:1', row('other'));
    const idb = freshIDB();
    const sw = make({ indexedDB: idb, fetch: down() });
    await sw.flush();
    await settle();
    expect((await peek(idb)).events.map((r) => r.id).sort()).toEqual(['e1', 'e2', 'e3']);
    expect(journaled()).toEqual([]);
    expect(localStorage.getItem('slotwise:wal:demo%3Ax:1')).not.toBeNull();
  });

  it('lines of a record that are not events are skipped, the rest queued; denied consent erases every record', async () => {
    const errors: string[] = [];
    const good = JSON.stringify({ id: 'g1', type: 'track', name: 'kept' });
    localStorage.setItem(PREFIX + 'bad', ['{"id":5}', 'null', good, 'not json', '{"rows":[]}'].join('\n'));
    const idb = freshIDB();
    const sw = make({ indexedDB: idb, fetch: down() });
    sw.on('error', (e) => e.code != 'network' && errors.push(e.code));
    await sw.flush();
    await settle();
    // the one event line of the record is queued, the rest skipped
    expect((await peek(idb)).events.map((r) => r.id)).toEqual(['g1']);
    expect(errors).toEqual([]);
    expect(Object.keys(localStorage).filter((k) => k.startsWith(PREFIX))).toEqual([]);
    localStorage.setItem(PREFIX + 'left', '{"id":"e9"}');
    sw.setConsent('denied');
    expect(localStorage.getItem(PREFIX + 'left')).toBeNull();
  });

  it('with localStorage full, the queue works as before: written, sent, nothing reported', async () => {
    const errors: string[] = [];
    const tried: string[] = [];
    vi.stubGlobal('localStorage', {
      getItem: () => null,
      removeItem() {},
      setItem(key: string) {
        tried.push(key);
        throw new DOMException('full', 'QuotaExceededError');
      },
    });
    const backend = fakeBackend();
    const sw = make({ indexedDB: freshIDB(), fetch: backend.fetch, flush: { count: 500, intervalMs: 60_000 } });
    sw.on('error', (e) => errors.push(e.code));
    await sw.flush();
    const ids = [sw.track('a'), sw.track('b')];
    window.dispatchEvent(new Event('pagehide'));
    // the journal tried, and was refused
    expect(tried.some((key) => key.startsWith(PREFIX))).toBe(true);
    await settle();
    vi.unstubAllGlobals();
    // the write did not need it
    await sw.flush();
    expect([...backend.stored.keys()].filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    expect(errors).toEqual([]);
  });
});

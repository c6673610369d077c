/**
 * Issue 17.6: without IndexedDB the memory queue journals what waits in localStorage (so a page
 * that closes leaves it to the next one), and `deadLetters` reads, retries and drops what the
 * server refused — for both queue kinds. The backend here is the scripted stand-in; the same
 * against the real server-stub runs in Chromium (test/e2e/memory-queue.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CHARS } from '../../sdk/journal';
import { fakeBackend, freshIDB, peek, settle, testClients, until } from '../helpers/capture';

const make = testClients();
const PREFIX = 'slotwise:wal:demo:';
/** the ids journaled now, in record order */
const journaled = () =>
  Object.keys(localStorage)
    .filter((k) => k.startsWith(PREFIX))
    .flatMap((k) => localStorage.getItem(k)!.split('\n').map((line) => JSON.parse(line).id as string));
const chars = () => Object.keys(localStorage).filter((k) => k.startsWith(PREFIX)).reduce((n, k) => n + localStorage.getItem(k)!.length, 0);
/** a network that is down: sends fail fast and the events stay queued */
const down = () => (async () => { throw new TypeError('Failed to fetch'); }) as unknown as typeof fetch;

afterEach(() => localStorage.clear());

describe('the memory queue journals what waits', () => {
  it('every waiting event is in the journal until the server acknowledged it', async () => {
    const backend = fakeBackend();
    let up = false;
    backend.respond((req) => (up ? backend.ack(req.body.events) : 'network-error'));
    const sw = make({ indexedDB: false, fetch: backend.fetch, flush: { count: 500, intervalMs: 60_000 } });
    const ids = Array.from({ length: 30 }, (_, i) => sw.track('wait', { i }));
    await sw.flush();
    await settle();
    expect(journaled()).toEqual(ids);
    // back online: the retry goes at once
    up = true;
    window.dispatchEvent(new Event('online'));
    await until(() => backend.stored.size == 30);
    await sw.flush();
    expect([...backend.stored.keys()]).toEqual(ids);
    expect(journaled()).toEqual([]);
  });

  it('a page that closed with events waiting leaves them to the next one, which sends each exactly once (memory → memory, memory → IndexedDB)', async () => {
    for (const next of [false, freshIDB()] as const) {
      localStorage.clear();
      const a = make({ indexedDB: false, fetch: down(), flush: { count: 500, intervalMs: 60_000 } });
      const ids = Array.from({ length: 40 }, (_, i) => a.track('left', { i }));
      await a.flush();
      await a.close();
      expect(journaled()).toEqual(ids);
      const backend = fakeBackend();
      const b = make({ indexedDB: next, fetch: backend.fetch });
      const own = b.track('own');
      await b.flush();
      await until(() => backend.stored.size == 41);
      await b.flush();
      expect(backend.sentIds().sort()).toEqual([...ids, own].sort());
      expect(journaled()).toEqual([]);
      // a third page finds nothing left
      const c = make({ indexedDB: false, fetch: backend.fetch });
      await c.flush();
      expect(backend.sentIds()).toHaveLength(41);
    }
  });

  it('a page restoring into memory journals what it took under its own records before dropping the old ones', async () => {
    const a = make({ indexedDB: false, fetch: down() });
    const ids = Array.from({ length: 5 }, (_, i) => a.track('x', { i }));
    await a.flush();
    await a.close();
    const before = Object.keys(localStorage).filter((k) => k.startsWith(PREFIX));
    const b = make({ indexedDB: false, fetch: down() });
    await b.flush();
    await settle();
    const after = Object.keys(localStorage).filter((k) => k.startsWith(PREFIX));
    expect(after.some((k) => before.includes(k))).toBe(false);
    expect(journaled().sort()).toEqual([...ids].sort());
  });

  it('the journal stays within 1 M characters: the oldest events are journaled, the newest wait in memory only, and are journaled once room frees', async () => {
    const backend = fakeBackend();
    let up = false;
    backend.respond((req) => (up ? backend.ack(req.body.events) : 'network-error'));
    const sw = make({ indexedDB: false, fetch: backend.fetch, flush: { count: 500, intervalMs: 60_000 } });
    const pad = 'p'.repeat(9_000);
    // ~9 KB each, ~1.35 M characters in all: more than the journal may hold
    const ids: string[] = [];
    for (let task = 0; task < 15; task++) {
      for (let i = 0; i < 10; i++) ids.push(sw.track('big', { i, pad }));
      await settle(2);
    }
    await sw.flush();
    expect(chars()).toBeLessThanOrEqual(MAX_CHARS);
    const held = journaled();
    expect(held.length).toBeGreaterThan(90);
    expect(held).toEqual(ids.slice(0, held.length));
    // one batch (512 KB, ~55 events) acknowledged frees room: every event still waiting is journaled now
    let answers = 1;
    backend.respond((req) => (answers-- > 0 ? backend.ack(req.body.events) : 'network-error'));
    window.dispatchEvent(new Event('online'));
    await until(() => backend.stored.size > 0);
    await settle();
    const sent = backend.stored.size;
    expect(sent).toBeLessThan(70);
    expect(journaled()).toEqual(ids.slice(sent));
    expect(chars()).toBeLessThanOrEqual(MAX_CHARS);
    backend.respond((req) => backend.ack(req.body.events));
    window.dispatchEvent(new Event('online'));
    await until(() => backend.stored.size == 150);
    await sw.flush();
    expect(journaled()).toEqual([]);
  });
});

describe.each([
  ['IndexedDB', () => freshIDB()],
  ['memory', () => false as const],
])('deadLetters (%s queue)', (_, idb) => {
  /** refuses events named "bad" (400 naming each), acknowledges the rest */
  const picky = () => {
    const backend = fakeBackend();
    backend.respond((req) => {
      const bad = req.body.events.flatMap((e, index) => (e.name.startsWith('bad') ? [{ index, id: e.id, path: `events.${index}.name`, message: 'not allowed here' }] : []));
      if (!bad.length) return backend.ack(req.body.events);
      return { status: 400, body: { error: { code: 'invalid_event', message: `${bad.length} bad event(s)`, path: 'events', rejected: bad } } };
    });
    return backend;
  };

  it('lists what the server refused, with its reason; the good events of the batch are sent', async () => {
    const backend = picky();
    const sw = make({ indexedDB: idb(), fetch: backend.fetch });
    const good = sw.track('good');
    const bad = [sw.track('bad_one', { n: 1 }), sw.track('bad_two', { n: 2 })];
    await sw.flush();
    expect([...backend.stored.keys()]).toEqual([good]);
    const dead = await sw.deadLetters.list();
    expect(dead.map((d) => d.id)).toEqual(bad);
    expect(dead[0]).toMatchObject({
      event: { id: bad[0], name: 'bad_one', properties: { n: 1 } },
      reason: { status: 400, code: 'invalid_event', message: 'not allowed here', path: 'events.1.name' },
    });
    expect(typeof dead[0]!.at).toBe('number');
    // nothing of them is left queued or journaled
    expect(journaled()).toEqual([]);
  });

  it('retry queues them again and sends them; one still refused comes back as a dead letter', async () => {
    const backend = picky();
    const sw = make({ indexedDB: idb(), fetch: backend.fetch });
    const bad = sw.track('bad');
    await sw.flush();
    expect((await sw.deadLetters.list()).map((d) => d.id)).toEqual([bad]);
    const sent = backend.requests.length;
    expect(await sw.deadLetters.retry()).toBe(1);
    await until(() => backend.requests.length > sent);
    await sw.flush();
    // sent once more, refused once more: a dead letter again, still one
    expect(backend.requests.slice(sent).flatMap((r) => r.body.events.map((e) => e.id))).toEqual([bad]);
    expect((await sw.deadLetters.list()).map((d) => d.id)).toEqual([bad]);
    // the server changed its mind: now it takes it
    backend.respond((req) => backend.ack(req.body.events));
    expect(await sw.deadLetters.retry([bad])).toBe(1);
    await until(() => backend.stored.has(bad));
    await sw.flush();
    expect(await sw.deadLetters.list()).toEqual([]);
  });

  it('drop deletes the ones named, or all; ids it does not hold count nothing', async () => {
    const backend = picky();
    const sw = make({ indexedDB: idb(), fetch: backend.fetch });
    const bad = [sw.track('bad_a'), sw.track('bad_b'), sw.track('bad_c')];
    await sw.flush();
    expect(await sw.deadLetters.drop([bad[1]!, 'not-an-id'])).toBe(1);
    expect((await sw.deadLetters.list()).map((d) => d.id)).toEqual([bad[0], bad[2]]);
    expect(await sw.deadLetters.retry(['not-an-id'])).toBe(0);
    expect(await sw.deadLetters.drop()).toBe(2);
    expect(await sw.deadLetters.list()).toEqual([]);
    expect(backend.stored.size).toBe(0);
  });
});

describe('deadLetters', () => {
  it('IndexedDB: shared by the app\'s pages, and outlive the page', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    backend.respond(() => ({ status: 401, body: { error: { code: 'unauthorized', message: 'unknown app key', path: 'x-slotwise-key' } } }));
    const a = make({ indexedDB: idb, fetch: backend.fetch });
    const ids = [a.track('one'), a.track('two')];
    await a.flush();
    await a.close();
    backend.respond((req) => backend.ack(req.body.events));
    const b = make({ indexedDB: idb, fetch: backend.fetch });
    const dead = await b.deadLetters.list();
    expect(dead.map((d) => [d.id, d.reason.status, d.reason.code])).toEqual(ids.map((id) => [id, 401, 'unauthorized']));
    expect(await b.deadLetters.retry()).toBe(2);
    await until(() => backend.stored.size == 2);
    await b.flush();
    expect((await peek(idb)).dead).toEqual([]);
  });

  it('never rejects: a storage failure is reported and resolves with nothing done', async () => {
    const sw = make({ indexedDB: freshIDB(), fetch: down() });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    await sw.flush();
    // 5 is no list of ids
    await expect(sw.deadLetters.drop(5 as never)).resolves.toBe(0);
    expect(errors).toContain('storage_failed');
    await sw.close();
    await expect(sw.deadLetters.list()).resolves.toEqual([]);
  });
});

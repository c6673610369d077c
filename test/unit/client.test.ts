import { beforeEach, describe, expect, it, vi } from 'vitest';
import { schemas } from '../../sdk/contract';
import { SESSION_IDLE_MS, uuid } from '../../sdk/identity';
import { fakeBackend, fakeClock, freshIDB, settle, until, testClients } from '../helpers/capture';

const make = testClients(() => ({ indexedDB: freshIDB() }));

describe('envelope', () => {
  it('builds a contract-valid event with identity, session and context', async () => {
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch, channel: 'app', locale: 'zh-CN' });
    const seen: unknown[] = [];
    sw.on('event', (e) => seen.push(e));
    const id = sw.track('loan_apply_step', { step: 2 });
    // a v7 id: its first 48 bits are the event's ts
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await sw.flush();
    const [event] = backend.requests[0]!.body.events;
    expect(parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(event.ts);
    expect(schemas().event.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({
      id,
      type: 'track',
      name: 'loan_apply_step',
      properties: { step: 2 },
      anonymousId: sw.anonymousId,
      context: {
        channel: 'app',
        locale: 'zh-CN',
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        sdk: { name: 'slotwise', version: '0.0.0-test' },
        page: { url: location.href, path: location.pathname },
      },
    });
    expect(seen).toEqual([event]);
    expect(backend.requests[0]!.headers.get('x-slotwise-key')).toBe('demo');
    expect(backend.requests[0]!.url).toBe('http://api.test/v1/events');
  });
});

describe('ids', () => {
  it('are RFC 4122 v4 and unique (drawn from the CSPRNG in 4 KB pools)', () => {
    const ids = Array.from({ length: 20_000 }, () => uuid());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 600)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('given a time, are RFC 9562 v7: the time leads, so later ids sort later; unique within one ms', () => {
    const times = [1, 255, 256, 2 ** 32, Date.UTC(2026, 10, 26), 2 ** 48 - 1];
    const ids = times.map((ms) => uuid(ms));
    for (const [k, id] of ids.entries()) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(times[k]);
    }
    expect([...ids].sort()).toEqual(ids);
    const same = Array.from({ length: 5000 }, () => uuid(Date.UTC(2026, 10, 26)));
    expect(new Set(same).size).toBe(same.length);
  });

  it('the page path is cut from the URL the way location.pathname gives it', async () => {
    const sw = make({ fetch: fakeBackend().fetch });
    const paths: string[] = [];
    sw.on('event', (e) => paths.push(e.context.page!.path));
    for (const url of ['/a/b?x=1#h', '/', '/%E7%90%86%E8%B4%A2?q', '/a#/spa/route']) {
      history.replaceState(null, '', url);
      sw.track('x');
      await settle();
      expect(paths.pop()).toBe(location.pathname);
    }
  });

  it('the page is read once per task: a burst shares it, a page view reads it afresh', async () => {
    const sw = make({ fetch: fakeBackend().fetch, autocapture: false });
    const paths: string[] = [];
    sw.on('event', (e) => paths.push(`${e.type} ${e.context.page!.path}`));
    history.replaceState(null, '', '/before');
    sw.track('a');
    history.replaceState(null, '', '/after');
    sw.track('b');
    sw.page();
    sw.track('c');
    await settle();
    sw.track('d');
    await settle();
    expect(paths).toEqual(['track /before', 'track /before', 'page /after', 'track /after', 'track /after']);
  });
});

describe('identity and sessions', () => {
  it('identify records an identify event carrying the traits; later events carry the userId', async () => {
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch });
    sw.identify('u42', { riskTolerance: 'C3' });
    sw.track('after');
    await sw.flush();
    const [identify, after] = backend.requests.flatMap((r) => r.body.events);
    expect(identify).toMatchObject({ type: 'identify', name: 'identify', userId: 'u42', properties: { riskTolerance: 'C3' } });
    expect(after).toMatchObject({ userId: 'u42', anonymousId: identify!.anonymousId });
    expect(sw.userId).toBe('u42');
  });

  it('reset forgets the user and starts a new anonymousId and session', async () => {
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch });
    sw.identify('u42');
    sw.track('before');
    const anon = sw.anonymousId;
    sw.reset();
    sw.track('after');
    await sw.flush();
    const events = backend.requests.flatMap((r) => r.body.events);
    const before = events.find((e) => e.name == 'before')!;
    const after = events.find((e) => e.name == 'after')!;
    expect(after.userId).toBeUndefined();
    expect(after.anonymousId).not.toBe(anon);
    expect(after.sessionId).not.toBe(before.sessionId);
    expect(sw.userId).toBeUndefined();
  });

  it('keeps the anonymousId, user and session across a reload; a new session after 30 min idle', async () => {
    const tick = fakeClock();
    const idb = freshIDB();
    const backend = fakeBackend();
    const first = make({ fetch: backend.fetch, indexedDB: idb });
    first.identify('u7');
    first.track('a');
    await first.flush();
    await first.close();

    await tick(10 * 60_000);
    const second = make({ fetch: backend.fetch, indexedDB: idb });
    // tracked before the database opened: relabelled with the stored identity
    second.track('b');
    await second.flush();
    await second.close();

    await tick(SESSION_IDLE_MS + 1);
    const third = make({ fetch: backend.fetch, indexedDB: idb });
    third.track('c');
    await third.flush();

    const [, a, b, c] = backend.requests.flatMap((r) => r.body.events);
    expect(b).toMatchObject({ anonymousId: a!.anonymousId, userId: 'u7', sessionId: a!.sessionId });
    expect(c).toMatchObject({ anonymousId: a!.anonymousId, userId: 'u7' });
    expect(c!.sessionId).not.toBe(a!.sessionId);
    expect(third.anonymousId).toBe(a!.anonymousId);
  });

  it('starts a new session after 30 min without events, not before', async () => {
    const tick = fakeClock();
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch });
    sw.track('a');
    await tick(SESSION_IDLE_MS - 1);
    sw.track('b');
    await tick(SESSION_IDLE_MS + 1);
    sw.track('c');
    await sw.flush();
    const [a, b, c] = backend.requests.flatMap((r) => r.body.events);
    expect(b!.sessionId).toBe(a!.sessionId);
    expect(c!.sessionId).not.toBe(a!.sessionId);
    expect(c!.ts - b!.ts).toBe(SESSION_IDLE_MS + 1);
  });
});

describe('listeners and bad calls', () => {
  it('on() returns an unsubscribe; a throwing listener is reported as listener_failed, never rethrown', async () => {
    const sw = make({ fetch: fakeBackend().fetch });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    const seen: string[] = [];
    const off = sw.on('event', (e) => seen.push(e.name));
    sw.on('event', () => {
      throw new Error('host bug');
    });
    expect(() => sw.track('a')).not.toThrow();
    // listeners hear of an event once it is built, at the end of the task: the throw comes then
    await settle();
    off();
    sw.track('b');
    await settle();
    expect(seen).toEqual(['a']);
    expect(errors).toEqual(['listener_failed', 'listener_failed']);
  });

  it('an error listener that throws is not called in a loop', async () => {
    const sw = make({ fetch: fakeBackend().fetch });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    let calls = 0;
    sw.on('error', () => {
      calls++;
      throw new Error('broken handler');
    });
    sw.track('');
    expect(calls).toBe(1);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it('reports bad arguments as invalid_argument and queues nothing for them', async () => {
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    expect(sw.track('')).toBe('');
    expect(sw.track('x'.repeat(129))).toBe('');
    expect(sw.track(42 as never)).toBe('');
    expect(sw.track('ok', [1, 2] as never)).toBe('');
    expect(sw.identify('' as never)).toBe('');
    sw.setConsent('maybe' as never);
    sw.use('nope' as never);
    expect(sw.getConsent()).toBe('granted');
    sw.track('ok');
    await sw.flush();
    expect(errors).toHaveLength(7);
    expect(errors.every((e) => e.startsWith('invalid_argument'))).toBe(true);
    expect(errors[0]).toMatch(/event name must be a string of 1–128 characters/);
    expect(backend.requests.flatMap((r) => r.body.events.map((e) => e.name))).toEqual(['ok']);
  });

  it('an event that cannot be serialised is reported and does not poison the batch', async () => {
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    sw.track('good1');
    sw.track('bad', cyclic);
    sw.track('big', { blob: 'x'.repeat(600 * 1024) });
    sw.track('good2');
    await sw.flush();
    expect(backend.requests.flatMap((r) => r.body.events.map((e) => e.name))).toEqual(['good1', 'good2']);
    expect(errors).toEqual(['invalid_argument', 'too_large']);
  });
});

describe('storage fallback', () => {
  it('without IndexedDB it works in memory and says so once', async () => {
    const backend = fakeBackend();
    const original = globalThis.indexedDB;
    // what Node/SSR and some private modes look like
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true });
    try {
      // no IndexedDB given: the client looks for the global one, and there is none
      const sw = make({ fetch: backend.fetch, indexedDB: undefined });
      const errors: string[] = [];
      sw.on('error', (e) => errors.push(e.code));
      sw.track('a');
      sw.track('b');
      await sw.flush();
      sw.track('c');
      await sw.flush();
      expect(errors).toEqual(['storage_unavailable']);
      expect(backend.sentIds()).toHaveLength(3);
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', { value: original, configurable: true });
    }
  });

  it('falls back to memory when IndexedDB refuses to open', async () => {
    const backend = fakeBackend();
    const broken = { open: () => { throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError'); } } as unknown as IDBFactory;
    const sw = make({ fetch: backend.fetch, indexedDB: broken });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    sw.track('a');
    await sw.flush();
    expect(errors).toEqual(['storage_unavailable']);
    expect(backend.sentIds()).toHaveLength(1);
  });
});

describe('close', () => {
  it('makes what was tracked durable, then stops: later calls are ignored', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    backend.respond(() => ({ status: 503 }));
    const sw = make({ fetch: backend.fetch, indexedDB: idb });
    sw.track('a');
    await sw.close();
    expect(sw.track('late')).toBe('');
    // the next page sends it
    backend.respond((req) => backend.ack(req.body.events));
    const next = make({ fetch: backend.fetch, indexedDB: idb });
    await next.flush();
    await until(() => backend.stored.size == 1);
    expect([...backend.stored.values()].map((e) => e.name)).toEqual(['a']);
  });
});

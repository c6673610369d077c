import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { memoryStore } from '../../sdk/db';
import { SlotwiseError } from '../../sdk/errors';
import { RETRY_AFTER_CAP_MS, connect, retryAfter } from '../../sdk/net';
import { BACKOFF_CAP_MS, createTransport, cut } from '../../sdk/transport';
import { fakeBackend, fakeClock, freshIDB, peek, runUntil, settle, until, type Answer, testClients } from '../helpers/capture';

const make = testClients(() => ({ indexedDB: freshIDB() }));
const names = (b: ReturnType<typeof fakeBackend>) => b.requests.flatMap((r) => r.body.events.map((e) => e.name));
const bad = (status: number, code = 'invalid_event', extra = {}): Answer => ({
  status,
  body: { error: { code, message: `refused (${status})`, path: 'events.0', ...extra } },
});

describe('when to send', () => {
  it('flushes when `count` events wait', async () => {
    fakeClock();
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch, flush: { count: 5, intervalMs: 60_000 } });
    for (let i = 0; i < 4; i++) sw.track(`e${i}`);
    await settle();
    expect(backend.requests).toHaveLength(0);
    sw.track('e4');
    await until(() => backend.requests.length == 1);
    expect(names(backend)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it('flushes `intervalMs` after the first waiting event', async () => {
    const tick = fakeClock();
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch });
    sw.track('a');
    sw.track('b');
    await settle();
    await tick(1999);
    expect(backend.requests).toHaveLength(0);
    await tick(1);
    await until(() => backend.requests.length == 1);
    expect(names(backend)).toEqual(['a', 'b']);
  });

  it('splits at 500 events and 512 KB per request', async () => {
    fakeClock();
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch, maxQueue: 5000 });
    for (let i = 0; i < 1200; i++) sw.track('small', { i });
    await sw.flush();
    expect(backend.requests.map((r) => r.body.events.length)).toEqual([500, 500, 200]);
    const big = 'x'.repeat(3000);
    for (let i = 0; i < 400; i++) sw.track('big', { i, big });
    await sw.flush();
    const sizes = backend.requests.slice(3).map((r) => new TextEncoder().encode(r.raw).length);
    expect(sizes.length).toBeGreaterThan(1);
    for (const s of sizes) expect(s).toBeLessThanOrEqual(512 * 1024);
    expect(backend.stored.size).toBe(1600);
  });

  it('cut() takes the oldest rows that fit', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ id: `${i}`, body: 'x'.repeat(99), size: 99, k: i }));
    expect(cut(rows, 40 + 100 * 3)).toHaveLength(3);
    expect(cut(rows, 40 + 100 * 3 - 1)).toHaveLength(2);
    expect(cut(rows, 10)).toHaveLength(0);
  });
});

describe('retries', () => {
  it('backs off with full jitter, doubling from 1 s to a 60 s cap, and starts over after a success', async () => {
    const tick = fakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(0.999999);
    const backend = fakeBackend();
    let down = true;
    backend.respond((req) => (down ? { status: 503 } : backend.ack(req.body.events)));
    const sw = make({ fetch: backend.fetch });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    sw.track('a');
    await sw.flush();
    await runUntil(() => backend.requests.length >= 9);
    const gaps = backend.requests.slice(1).map((r, i) => r.at - backend.requests[i]!.at);
    expect(gaps.slice(0, 8)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    expect(errors.every((e) => e == 'server')).toBe(true);
    expect(errors.length).toBe(backend.requests.length);

    down = false;
    await tick(BACKOFF_CAP_MS);
    await until(() => backend.stored.size == 1);
    // a fresh failure starts from the bottom again
    down = true;
    const before = backend.requests.length;
    sw.track('b');
    await sw.flush();
    await tick(1000);
    expect(backend.requests.length).toBe(before + 2);
  });

  it('the jitter is full: a delay anywhere from 0 to the bound', async () => {
    fakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(0.25);
    const backend = fakeBackend();
    backend.respond(() => ({ status: 500 }));
    const sw = make({ fetch: backend.fetch });
    sw.track('a');
    await sw.flush();
    await runUntil(() => backend.requests.length >= 4);
    const gaps = backend.requests.slice(1, 4).map((r, i) => r.at - backend.requests[i]!.at);
    expect(gaps).toEqual([250, 500, 1000]);
  });

  it.each([
    ['delta-seconds', '7', 7000],
    ['an HTTP date', new Date(Date.UTC(2025, 0, 6, 9, 0, 30)).toUTCString(), 30_000],
  ])('honours Retry-After as %s on 429', async (_, header, wait) => {
    const tick = fakeClock(Date.UTC(2025, 0, 6, 9, 0, 0));
    const backend = fakeBackend();
    backend.respond((req, n) => (n == 1 ? { status: 429, headers: { 'retry-after': header } } : backend.ack(req.body.events)));
    const sw = make({ fetch: backend.fetch });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    sw.track('a');
    await sw.flush();
    await tick(wait - 1);
    expect(backend.requests).toHaveLength(1);
    await tick(1);
    await until(() => backend.stored.size == 1);
    expect(backend.requests[1]!.at - backend.requests[0]!.at).toBe(wait);
    expect(errors).toEqual(['rate_limited']);
  });

  it('parses and bounds Retry-After (it comes from the network)', () => {
    const now = Date.UTC(2025, 0, 1);
    expect(retryAfter('3', now)).toBe(3000);
    expect(retryAfter(' 0 ', now)).toBe(0);
    expect(retryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(retryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(retryAfter('86400', now)).toBe(RETRY_AFTER_CAP_MS);
    expect(retryAfter('soon', now)).toBeUndefined();
    expect(retryAfter(null, now)).toBeUndefined();
  });

  it('the schedule survives a reload: the next page waits out the Retry-After', async () => {
    const tick = fakeClock();
    const idb = freshIDB();
    const backend = fakeBackend();
    backend.respond((req, n) => (n == 1 ? { status: 429, headers: { 'retry-after': '120' } } : backend.ack(req.body.events)));
    const first = make({ fetch: backend.fetch, indexedDB: idb });
    first.track('a');
    await first.flush();
    await first.close();
    await tick(10_000);
    const second = make({ fetch: backend.fetch, indexedDB: idb });
    second.track('b');
    await second.flush();
    await tick(100_000);
    expect(backend.requests).toHaveLength(1);
    await tick(10_000);
    await until(() => backend.stored.size == 2);
    expect(backend.requests[1]!.at - backend.requests[0]!.at).toBe(120_000);
  });

  it('network errors and timeouts retry; nothing is lost', async () => {
    const tick = fakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const backend = fakeBackend();
    let mode: 'error' | 'hang' | 'ok' = 'error';
    const fetch = backend.fetch;
    const flaky = ((input: RequestInfo | URL, init?: RequestInit) =>
      mode == 'hang' && String(input instanceof Request ? input.url : input).endsWith('/v1/events')
        ? new Promise<Response>((_, reject) => (input as Request).signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))
        : fetch(input, init)) as typeof globalThis.fetch;
    backend.respond((req) => (mode == 'error' ? 'network-error' : backend.ack(req.body.events)));
    const sw = make({ fetch: flaky });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    sw.track('a');
    await sw.flush();
    expect(errors).toEqual(['network']);
    mode = 'hang';
    await tick(500); // the retry goes out and hangs
    await tick(10_000); // the request timeout
    expect(errors).toEqual(['network', 'timeout']);
    mode = 'ok';
    await tick(60_000);
    await until(() => backend.stored.size == 1);
  });

  it('a server that stalls mid-answer, or a host fetch that ignores the abort, times out too; nothing is lost', async () => {
    const tick = fakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const backend = fakeBackend();
    let mode: 'stall-body' | 'deaf' | 'ok' = 'stall-body';
    const flaky = ((input: RequestInfo | URL, init?: RequestInit) => {
      if (mode == 'ok' || !String(input instanceof Request ? input.url : input).endsWith('/v1/events')) return backend.fetch(input, init);
      // headers arrive, the body never ends
      if (mode == 'stall-body') return Promise.resolve(new Response(new ReadableStream({ start: () => {} }), { status: 200 }));
      // a fetch that neither answers nor listens to the signal
      return new Promise<Response>(() => {});
    }) as typeof globalThis.fetch;
    const sw = make({ fetch: flaky });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    sw.track('a');
    void sw.flush();
    await settle();
    await tick(10_000);
    await until(() => errors.length == 1);
    expect(errors).toEqual(['timeout']);
    mode = 'deaf';
    await tick(1_000); // the backoff (random 0.5 of 2 s)
    await tick(10_000);
    await until(() => errors.length == 2);
    expect(errors).toEqual(['timeout', 'timeout']);
    mode = 'ok';
    await tick(60_000);
    await until(() => backend.stored.size == 1);
  });

  it('a 200 that is not an acknowledgement (captive portal, proxy) deletes nothing and retries', async () => {
    const tick = fakeClock();
    const backend = fakeBackend();
    backend.respond((req, n) =>
      n == 1 ? { status: 200, body: '<html>Welcome to Airport Wi-Fi</html>' } : n == 2 ? { status: 200, body: { accepted: 1, duplicates: 0 } } : backend.ack(req.body.events),
    );
    const sw = make({ fetch: backend.fetch });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    sw.track('a');
    sw.track('b');
    await sw.flush();
    await tick(60_000);
    await tick(60_000);
    await until(() => backend.stored.size == 2);
    expect(errors).toEqual(['bad_response', 'bad_response']);
    expect(backend.requests).toHaveLength(3);
  });
});

describe('dead letters', () => {
  it.each([
    [400, 'rejected'],
    [401, 'unauthorized'],
    [403, 'rejected'],
  ])('%i moves the batch to the dead letters with the server reason, reported as %s', async (status, code) => {
    const idb = freshIDB();
    const backend = fakeBackend();
    backend.respond((req, n) => (n == 1 ? bad(status, 'some_code') : backend.ack(req.body.events)));
    const sw = make({ fetch: backend.fetch, indexedDB: idb });
    const errors: { code: string; details?: Record<string, unknown> }[] = [];
    sw.on('error', (e) => errors.push(e));
    const ids = [sw.track('a'), sw.track('b')];
    await sw.flush();
    const disk = await peek(idb);
    expect(disk.events).toHaveLength(0);
    expect(disk.dead.map((d) => d.id)).toEqual(ids);
    expect(disk.dead[0]!.reason).toEqual({ status, code: 'some_code', message: `refused (${status})`, path: 'events.0' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code, details: { status, ids } });
    // and the queue goes on
    sw.track('c');
    await sw.flush();
    expect([...backend.stored.values()].map((e) => e.name)).toEqual(['c']);
  });

  it('400 naming bad events: only those are dead letters, the rest is sent again at once', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    backend.respond((req, n) =>
      n == 1
        ? bad(400, 'invalid_event', { rejected: [{ index: 1, id: req.body.events[1]!.id, path: 'events.1.name', message: 'events.1.name: too long' }] })
        : backend.ack(req.body.events),
    );
    const sw = make({ fetch: backend.fetch, indexedDB: idb });
    const errors: { code: string; details?: Record<string, unknown> }[] = [];
    sw.on('error', (e) => errors.push(e));
    const [a, b, c] = [sw.track('a'), sw.track('b'), sw.track('c')];
    await sw.flush();
    expect(backend.requests).toHaveLength(2);
    expect(backend.requests[1]!.body.events.map((e) => e.id)).toEqual([a, c]);
    expect([...backend.stored.keys()]).toEqual([a, c]);
    const disk = await peek(idb);
    expect(disk.events).toHaveLength(0);
    expect(disk.dead.map((d) => [d.id, d.reason.path, d.reason.message])).toEqual([[b, 'events.1.name', 'events.1.name: too long']]);
    expect(errors).toMatchObject([{ code: 'rejected', details: { ids: [b] } }]);
  });

  it('a rejected list that does not match the batch counts as the whole batch refused', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    backend.respond((req, n) => (n == 1 ? bad(400, 'invalid_event', { rejected: [{ index: 7, path: 'x', message: 'm' }] }) : backend.ack(req.body.events)));
    const sw = make({ fetch: backend.fetch, indexedDB: idb });
    sw.track('a');
    sw.track('b');
    await sw.flush();
    expect((await peek(idb)).dead).toHaveLength(2);
    expect(backend.requests).toHaveLength(1);
  });

  it('413: halves the batch until the server takes it; a single event it still refuses is a dead letter', async () => {
    const idb = freshIDB();
    const backend = fakeBackend();
    backend.respond((req) => (req.body.events.some((e) => e.name == 'huge') || req.body.events.length > 3 ? bad(413, 'too_large') : backend.ack(req.body.events)));
    const sw = make({ fetch: backend.fetch, indexedDB: idb });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    for (let i = 0; i < 9; i++) sw.track(`e${i}`);
    await sw.flush();
    expect(backend.stored.size).toBe(9);
    expect(Math.max(...backend.requests.filter((r) => r.body.events.length <= 3).map((r) => r.body.events.length))).toBeLessThanOrEqual(3);
    sw.track('huge');
    await sw.flush();
    expect((await peek(idb)).dead.map((d) => d.reason.code)).toEqual(['too_large']);
    expect(errors).toEqual(['too_large']);
  });
});

describe('offline', () => {
  it('waits for `online` instead of failing, then sends at once', async () => {
    const tick = fakeClock();
    const backend = fakeBackend();
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const sw = make({ fetch: backend.fetch });
    const errors: string[] = [];
    sw.on('error', (e) => errors.push(e.code));
    sw.track('a');
    await sw.flush();
    await tick(60_000);
    expect(backend.requests).toHaveLength(0);
    expect(errors).toEqual([]);
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event('online'));
    await until(() => backend.stored.size == 1);
  });

  it('coming back online retries a network failure without waiting out the backoff', async () => {
    const tick = fakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const backend = fakeBackend();
    let mode: 'error' | 'ok' = 'error';
    backend.respond((req) => (mode == 'error' ? 'network-error' : backend.ack(req.body.events)));
    const sw = make({ fetch: backend.fetch });
    sw.track('a');
    await sw.flush();
    for (let i = 0; i < 5; i++) await tick(BACKOFF_CAP_MS); // backoff grows to ~32 s
    const before = backend.requests.length;
    mode = 'ok';
    window.dispatchEvent(new Event('online'));
    await until(() => backend.stored.size == 1);
    expect(backend.requests.length).toBe(before + 1);
  });
});

describe('page hide', () => {
  it('sends the events of the last task by keepalive, CORS-simple, in ≤ 60 KB chunks within the 64 KB budget', async () => {
    fakeClock();
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch, flush: { count: 500, intervalMs: 60_000 } });
    await sw.flush();
    const big = 'y'.repeat(1000);
    // the user taps a link: the app tracks, the page goes away in the same task
    for (let i = 0; i < 100; i++) sw.track('leaving', { i, big });
    window.dispatchEvent(new Event('pagehide'));
    await settle();
    const beacons = backend.requests.filter((r) => r.url.includes('?key='));
    expect(beacons.length).toBeGreaterThan(0);
    for (const b of beacons) {
      expect(b.url).toBe('http://api.test/v1/events?key=demo');
      expect(b.keepalive).toBe(true);
      expect(b.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(b.headers.get('x-slotwise-key')).toBeNull();
      expect(new TextEncoder().encode(b.raw).length).toBeLessThanOrEqual(60 * 1024);
    }
    const total = beacons.reduce((n, b) => n + new TextEncoder().encode(b.raw).length, 0);
    expect(total).toBeLessThanOrEqual(64 * 1024);
    // the events stay queued until acknowledged: whatever the beacon did not carry goes later
    await sw.flush();
    expect(backend.stored.size).toBe(100);
  });

  it('events tracked after the hide (a host pagehide listener) go by beacon too; a second hide does not resend', async () => {
    fakeClock();
    const backend = fakeBackend();
    const sw = make({ fetch: backend.fetch, flush: { count: 500, intervalMs: 60_000 } });
    await sw.flush();
    window.dispatchEvent(new Event('pagehide'));
    const id = sw.track('page_leave');
    await settle();
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    await settle();
    delete (document as { visibilityState?: string }).visibilityState;
    const beaconed = backend.requests.filter((r) => r.url.includes('?key=')).flatMap((r) => r.body.events.map((e) => e.id));
    expect(beaconed).toEqual([id]);
  });
});

describe('never lose, never store twice', () => {
  it('under any sequence of answers (5xx, 429, network errors, lost acks), every event is stored exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<'ok' | '500' | '429' | 'net' | 'lost'>('ok', '500', '429', 'net', 'lost'), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 60 }),
        async (script, n) => {
          // each run is a new device: what an earlier run's client left queued (in the journal) is not this one's
          localStorage.clear();
          const tick = fakeClock();
          const backend = fakeBackend();
          backend.respond((req, i) => {
            const step = script[i - 1] ?? 'ok';
            if (step == '500') return { status: 500 };
            if (step == '429') return { status: 429, headers: { 'retry-after': '1' } };
            if (step == 'net') return 'network-error';
            const ack = backend.ack(req.body.events);
            return step == 'lost' ? 'network-error' : ack;
          });
          const idb = freshIDB();
          const sw = make({ fetch: backend.fetch, indexedDB: idb, flush: { count: 7, intervalMs: 500 } });
          const ids = Array.from({ length: n }, (_, i) => sw.track('e', { i }));
          for (let i = 0; i < 30 && backend.stored.size < n; i++) await tick(BACKOFF_CAP_MS);
          await sw.flush();
          expect([...backend.stored.keys()].sort()).toEqual([...ids].sort());
          expect((await peek(idb)).events).toHaveLength(0);
          await sw.close();
          vi.useRealTimers();
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('the send loop comes with the network module (script tag)', () => {
  /**
   * The transport on the real net.ts and a memory store, its `Net.drain` failing as net-lazy.ts's
   * does while slotwise-net.min.js cannot load (the fault), until `arrived`.
   */
  function transport() {
    const backend = fakeBackend();
    const store = memoryStore();
    const real = connect({ appKey: 'demo', endpoint: 'http://api.test', fetch: backend.fetch });
    const missing = new SlotwiseError('network', 'slotwise-net.min.js did not load from x; events are kept');
    const state = { arrived: false, errors: [] as SlotwiseError[] };
    const net = { ...real, drain: (loop: never, k: boolean) => (state.arrived ? real.drain(loop, k) : Promise.reject(missing)) };
    const t = createTransport({
      net, endpoint: 'http://api.test', appKey: 'demo', fetch: backend.fetch, count: 100, intervalMs: 60_000, now: Date.now,
      store: () => store, lock: { name: 'flush', kv: store, locks: null }, allowed: () => true,
      report: (e) => state.errors.push(e), sent: () => {},
    });
    const add = (id: string) => store.append([{ id, body: JSON.stringify({ id }), size: 10 }], 100);
    return { backend, store, t, state, missing, add };
  }

  it('a module that did not load is a failed send: told, the events stay, backed off like a network error', async () => {
    const { backend, store, t, state, missing, add } = transport();
    await t.flush();
    // nothing waits: nothing failed
    expect(state.errors).toEqual([]);
    expect(await store.get('retry')).toBeUndefined();
    await add('a');
    await t.flush();
    expect(state.errors).toEqual([missing]);
    expect(await store.get('retry')).toMatchObject({ attempt: 1, net: true });
    expect(await store.count()).toBe(1);
    // the module arrives; coming back online retries a network failure at once
    state.arrived = true;
    await t.online();
    await until(() => backend.requests.length == 1);
    await until(async () => (await store.count()) == 0);
    expect(await store.get('retry')).toBeUndefined();
    t.close();
  });

  it("a module that did not load never cuts the server's Retry-After short", async () => {
    const { store, t, state, add } = transport();
    await add('a');
    const until = Date.now() + 120_000;
    await store.set('retry', { attempt: 3, until });
    await t.flush();
    expect(state.errors).toEqual([]);
    expect(await store.get('retry')).toEqual({ attempt: 3, until });
    t.close();
  });
});

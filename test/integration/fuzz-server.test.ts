// Fuzzing the real server-stub on loopback with fast-check: random and mutated bodies, headers,
// queries, methods and raw bytes against POST /v1/events, POST /v1/decide and GET /v1/config.
// Every answer is below 500; every refusal is a 4xx with { error: { code, message, path } }; and
// the server agrees with the shared contract (zod) on what is valid: a good batch is stored and
// acknowledged, a bad one is refused naming exactly the bad events. Then its heap stays flat under
// a stream of bad requests. Run counts are bounded so the file takes well under a minute.
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { firstProblem, LIMITS, schemas, type DecideRequest } from '../../sdk/contract';
import { clampText } from '../../server-stub/wire/errors';
import { edgeNumbers, edgeStrings, id, int, mutate, mutation, sdkEvent, str, weird } from '../helpers/arbitraries';
import { makeBatch } from '../helpers/events';
import { startServer, type TestServer } from '../helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({
    keys: [
      { key: 'demo', app: 'demo' },
      { key: 'other', app: 'other-app', origins: ['https://bank.example'] },
    ],
    // the oracle compares with the contract alone; the limiter has its own tests
    rateLimit: false,
  });
});
afterAll(() => s.stop());

interface Sent {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}
interface Answer {
  status: number;
  text: string;
  json: unknown;
}

async function send({ method = 'POST', path, headers = {}, body }: Sent): Promise<Answer> {
  const r = await fetch(`${s.url}${path}`, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : (body as BodyInit) });
  // the SDK reads at most 64 KB of an events answer and LIMITS.answerBytes of any other: every answer must fit
  expect(Number(r.headers.get('content-length') ?? 0)).toBeLessThan(path.startsWith('/v1/events') ? 64 * 1024 : LIMITS.answerBytes);
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, text, json };
}

/** No 5xx ever; a refusal has the error shape (HEAD and 204 have no body to check). */
function expectSane(a: Answer, method = 'POST') {
  expect(a.status, a.text).toBeLessThan(500);
  if (a.status >= 400 && method !== 'HEAD') {
    expect(schemas().errorBody.safeParse(a.json).success, a.text).toBe(true);
  }
}

/** The answer the contract calls for, for a POST /v1/events body (key already accepted). */
function expectedEvents(bytes: Uint8Array): { status: number; code?: string; path?: string; rejected?: number[]; events?: number } {
  if (bytes.length > LIMITS.batchBytes) return { status: 413, code: 'too_large' };
  const text = Buffer.from(bytes).toString('utf8');
  let body: unknown;
  try {
    if (!text) throw new Error('empty');
    body = JSON.parse(text);
  } catch {
    return { status: 400, code: 'invalid_json' };
  }
  const { eventBatch, event } = schemas();
  const batch = eventBatch.safeParse(body);
  if (!batch.success) return { status: 400, ...firstProblem(batch.error) };
  const rejected: number[] = [];
  batch.data.events.forEach((e, i) => {
    const r = event.safeParse(e);
    // an event too deep to serialise is refused too (properties are `unknown` to the schema)
    if (!r.success || !serialisable(r.data)) rejected.push(i);
  });
  return rejected.length ? { status: 400, code: 'invalid_event', rejected } : { status: 200, events: batch.data.events.length };
}
const serialisable = (v: unknown) => {
  try {
    JSON.stringify(v);
    return true;
  } catch {
    return false;
  }
};

const printable = fc.string({ unit: fc.constantFrom(...' !#$%&*+-.0123456789:;=?@ABCXYZ^_`abcxyz|~'), maxLength: 40 });
const utf8 = (v: string) => new TextEncoder().encode(v);
/** JSON as a client would send it: BigInts (which JSON lacks) as strings, `undefined` as nothing. */
const wire = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? String(x) : x)) ?? '';

/** POST /v1/events bodies: mostly mutated real batches, then junk of every kind. */
const eventsBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.array(fc.tuple(sdkEvent(true), fc.array(mutation(), { maxLength: 2 })), { minLength: 1, maxLength: 6 }), int(0, 2e12))
      .map(([events, sentAt]) => utf8(wire({ sentAt, events: events.map(([e, m]) => mutate(e, m)) }))),
  },
  { weight: 2, arbitrary: fc.tuple(fc.array(sdkEvent(false), { minLength: 1, maxLength: 4 }), fc.nat()).map(([events, t]) => utf8(JSON.stringify({ sentAt: t, events }))) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(weird, fc.array(fc.constantFrom('sentAt', 'events', 'events.0', 'events.0.id', '__proto__'), { maxLength: 2 }))
      .map(([v, ks]) => utf8(wire(mutate(makeBatch(2, 900_000), ks.map((path) => ({ path, op: 'set', value: v })))))),
  },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => utf8(JSON.stringify(v))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map(utf8) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.nat(2000).map((n) => utf8(JSON.stringify(makeBatch(3, 800_000)).slice(0, n))) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 60_000 }).map((n) => utf8(`{"sentAt":1,"events":[{"properties":${'['.repeat(n)}${']'.repeat(n)}}]}`)) },
  { weight: 1, arbitrary: fc.constantFrom(utf8('x'.repeat(LIMITS.batchBytes + 1)), utf8(''), utf8('null'), utf8('[]'), utf8('{}'), new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])) },
);

const keyHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Record<string, string>>({ 'x-slotwise-key': 'demo' }) },
  { weight: 1, arbitrary: fc.constant<Record<string, string>>({}) },
  { weight: 1, arbitrary: printable.map((k) => ({ 'x-slotwise-key': k })) },
  { weight: 1, arbitrary: fc.constant<Record<string, string>>({ 'x-slotwise-key': 'other', origin: 'https://evil.example' }) },
);
const contentType = fc.constantFrom<Record<string, string>>({}, { 'content-type': 'application/json' }, { 'content-type': 'text/plain' }, { 'content-type': 'multipart/form-data; boundary=x' }, { 'content-type': '\u00ff/garbage' });

describe('POST /v1/events', () => {
  test('random and mutated bodies: the server agrees with the contract on every one, and never 5xx', { timeout: 60_000 }, async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(eventsBody, keyHeaders, contentType, async (body, key, type) => {
        const a = await send({ path: '/v1/events', headers: { ...key, ...type }, body });
        expectSane(a);
        seen.set(a.status, (seen.get(a.status) ?? 0) + 1);
        if (key['x-slotwise-key'] !== 'demo') {
          expect(a.status).toBe(key.origin ? 403 : 401);
          return;
        }
        const want = expectedEvents(body);
        expect(a.status, a.text).toBe(want.status);
        const error = (a.json as { error?: { code: string; path: string; rejected?: { index: number }[] } }).error;
        if (want.status === 200) {
          const ok = schemas().eventsResponse.parse(a.json);
          expect(ok.accepted + ok.duplicates).toBe(want.events);
        } else {
          expect(error!.code).toBe(want.code);
          if (want.path !== undefined) expect(error!.path).toBe(clampText(want.path));
          if (want.rejected) expect(error!.rejected!.map((r) => r.index)).toEqual(want.rejected);
        }
      }),
      { numRuns: 300 },
    );
    // both sides of the border were exercised
    expect(seen.get(200) ?? 0).toBeGreaterThan(20);
    expect(seen.get(400) ?? 0).toBeGreaterThan(100);
    expect(s.logs).toEqual([]);
  });
});

/** Decide requests, valid as generated (mutations and the odd edge value make them hostile). */
const decideRequest = (() => {
  const id = () => str(1, 128, false);
  return fc.record(
    {
      anonymousId: id(),
      userId: id(),
      sessionId: id(),
      context: fc.record({ page: str(0, 60, false), channel: fc.constantFrom('web', 'app', 'web', 'tv'), locale: fc.constantFrom('zh-CN', 'en', '', 'x'.repeat(36)) }),
      tags: fc.dictionary(str(1, 20, false), fc.oneof(fc.integer(), fc.boolean(), str(0, 300, false)), { maxKeys: 4 }),
      personalized: fc.boolean(),
      slots: fc.array(
        fc.record(
          { id: id(), kind: fc.constantFrom('picks', 'feed', 'ad', 'reminder', 'picks', 'x'), count: int(1, 51, false), exclude: fc.array(id(), { maxLength: 3 }) },
          { requiredKeys: ['id', 'kind', 'count'] },
        ),
        { minLength: 1, maxLength: 4 },
      ),
    },
    { requiredKeys: ['anonymousId', 'sessionId', 'context', 'slots'] },
  );
})();
const DECIDE_PATHS = ['anonymousId', 'sessionId', 'context', 'context.page', 'context.channel', 'slots', 'slots.0', 'slots.0.count', 'slots.0.kind', 'tags', 'personalized', 'userId'];

describe('POST /v1/decide', () => {
  test('random and mutated requests: valid ones get a contract-valid answer for every slot, the rest a 4xx naming the field', { timeout: 60_000 }, async () => {
    const seen = new Map<number, number>();
    // unmutated requests too, so the answers of valid ones are checked often enough (~50 of 250)
    // for the count below to never hang on luck (it did, at ~15 expected)
    const body = fc.oneof(
      { weight: 3, arbitrary: decideRequest.map((r) => wire(r)) },
      { weight: 5, arbitrary: fc.tuple(decideRequest, fc.array(mutation(DECIDE_PATHS), { maxLength: 2 })).map(([r, m]) => wire(mutate(r, m))) },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
      { weight: 1, arbitrary: fc.constantFrom('', '{', 'x'.repeat(LIMITS.requestBytes + 1)) },
    );
    await fc.assert(
      fc.asyncProperty(body, keyHeaders, async (text, key) => {
        const a = await send({ path: '/v1/decide', headers: key, body: text });
        expectSane(a);
        seen.set(a.status, (seen.get(a.status) ?? 0) + 1);
        if (key['x-slotwise-key'] !== 'demo') {
          expect(a.status).toBe(key.origin ? 403 : 401);
          return;
        }
        if (Buffer.byteLength(text) > LIMITS.requestBytes) {
          expect(a.status).toBe(413);
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          expect(a.status).toBe(400);
          return;
        }
        const r = schemas().decideRequest.safeParse(parsed);
        if (!r.success) {
          expect(a.status, a.text).toBe(400);
          expect((a.json as { error: { path: string } }).error.path).toBe(clampText(firstProblem(r.error).path));
          return;
        }
        expect(a.status, a.text).toBe(200);
        const answer = schemas().decideResponse.parse(a.json);
        for (const slot of (r.data as DecideRequest).slots) expect(Object.keys(answer.slots)).toContain(slot.id);
      }),
      { numRuns: 250 },
    );
    expect(seen.get(200) ?? 0).toBeGreaterThan(10);
    expect(seen.get(400) ?? 0).toBeGreaterThan(50);
    expect(s.logs).toEqual([]);
  });

  test('the biggest decide the contract allows (every slot kind, full counts) answers within what the SDK reads', async () => {
    const kinds = ['picks', 'feed', 'ad', 'reminder'] as const;
    const slots = Array.from({ length: LIMITS.slots }, (_, i) => ({ id: `s${i}`, kind: kinds[i % kinds.length], count: LIMITS.slotCount }));
    const body = JSON.stringify({ anonymousId: 'a', sessionId: 's', context: { page: '', channel: 'web', locale: 'zh-CN' }, slots });
    const a = await send({ path: '/v1/decide', headers: { 'x-slotwise-key': 'demo' }, body });
    expect(a.status, a.text).toBe(200);
    expect(Buffer.byteLength(a.text)).toBeLessThan(LIMITS.answerBytes);
    expect(Buffer.byteLength(a.text)).toBeGreaterThan(64 * 1024);
  });
});

describe('GET /v1/config, methods, paths, headers, queries', () => {
  test('config with random keys, queries and headers: 200 with a valid config, or a 4xx with the error shape', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('', '?key=demo', '?key=nope', '?key=', '?key=demo&key=other', '?x=' + 'y'.repeat(3000), '?%zz', '?key=%00'),
        keyHeaders,
        fc.dictionary(fc.constantFrom('accept', 'if-none-match', 'cache-control', 'origin', 'accept-encoding', 'x-forwarded-for', 'cookie'), printable, { maxKeys: 4 }),
        async (query, key, extra) => {
          const headers = { ...extra, ...key };
          const a = await send({ method: 'GET', path: `/v1/config${query}`, headers });
          expectSane(a, 'GET');
          if (a.status === 200) expect(schemas().config.safeParse(a.json).success).toBe(true);
          else expect([401, 403]).toContain(a.status);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('any method on any path: never 5xx, JSON errors', { timeout: 60_000 }, async () => {
    const path = fc.oneof(
      fc.constantFrom('/v1/events', '/v1/decide', '/v1/config', '/v1/health', '/v1/images/nope.svg', '/v1/images/..%2f..%2fetc%2fpasswd', '/v1/', '/v1/unknown', '/dist/../package.json', '/%2e%2e/%2e%2e/etc/passwd'),
      fc.webPath(),
      printable.map((p) => `/v1/${encodeURIComponent(p)}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PURGE'), path, keyHeaders, fc.option(printable), async (method, p, key, origin) => {
        const headers: Record<string, string> = { ...key, ...(origin !== null ? { origin, 'access-control-request-method': 'POST' } : {}) };
        const a = await send({ method, path: p, headers, body: '{}' });
        expectSane(a, method);
      }),
      { numRuns: 200 },
    );
  });

  test('raw bytes on the socket: an HTTP error or a closed connection, and the server keeps serving', { timeout: 60_000 }, async () => {
    const junk = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 400 }),
      fc.tuple(fc.constantFrom('GET', 'POST', 'BREW', ''), fc.string({ maxLength: 60 }), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/1.1\r\nContent-Length: -1', 'HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz'))
        .map(([m, p, v]) => utf8(`${m} ${p} ${v}\r\nHost: x\r\n\r\n`)),
    );
    await fc.assert(
      fc.asyncProperty(junk, async (bytes) => {
        const status = await rawStatus(bytes);
        // 0: the server closed without a word (e.g. mid-way through a pipelined junk request)
        expect(status === 0 || (status >= 400 && status < 500), String(status)).toBe(true);
      }),
      { numRuns: 100 },
    );
    const health = await send({ method: 'GET', path: '/v1/health' });
    expect(health.status).toBe(200);
  });
});

/** First status line the server writes back for `bytes`, or 0 if it only closes. */
function rawStatus(bytes: Uint8Array): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(s.port, '127.0.0.1');
    let data = '';
    const done = () => {
      socket.destroy();
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0));
    };
    const timer = setTimeout(done, 3000);
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      done();
    });
    socket.on('error', () => {});
    socket.on('connect', () => socket.end(bytes));
  });
}

describe('memory', () => {
  test("the server's heap stays flat under a stream of 2 000 bad requests", { timeout: 60_000 }, async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const bad = fc.sample(
      fc.oneof(
        eventsBody.filter((b) => expectedEvents(b).status !== 200).map((body) => ({ path: '/v1/events', headers: { 'x-slotwise-key': 'demo' }, body })),
        fc.string({ maxLength: 300 }).map((body) => ({ path: '/v1/decide', headers: { 'x-slotwise-key': 'demo' }, body })),
        printable.map((k) => ({ method: 'GET', path: `/v1/config?key=${encodeURIComponent(k)}x` })),
        fc.constantFrom(...edgeStrings, ...edgeNumbers.map(String)).map((v) => ({ method: 'PUT', path: `/v1/events?${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, '_'))}`, body: v })),
      ) as fc.Arbitrary<Sent>,
      { numRuns: 600, seed: 42 },
    );
    const stream = async (n: number) => {
      let i = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (i < n) {
            const a = await send(bad[i++ % bad.length]!);
            expect(a.status).toBeGreaterThanOrEqual(400);
            expect(a.status).toBeLessThan(500);
          }
        }),
      );
    };
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    await stream(300); // warm-up: JIT, caches, connection pools
    const before = heap();
    await stream(2000);
    const after = heap();
    const grown = (after - before) / 1024 / 1024;
    console.log(`heap before ${(before / 1048576).toFixed(1)} MB, after 2 000 bad requests ${(after / 1048576).toFixed(1)} MB (${grown >= 0 ? '+' : ''}${grown.toFixed(2)} MB)`);
    // generous: a leak of even 4 KB per request would show as 8 MB
    expect(grown).toBeLessThan(6);
    expect(s.logs).toEqual([]);
  });
});

// The server-stub's hostile-client limits, over real sockets: oversized and malformed requests get
// the JSON error shape from Node's parser level too, slow headers and trickling bodies time out and
// lose their connection, and app keys are scoped to their app end to end.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { schemas, type DecideRequest } from '../../sdk/contract';
import { makeBatch } from '../helpers/events';
import { startServer, type TestServer } from '../helpers/server';

let s: TestServer;
let next = 0;
const batch = (n: number) => makeBatch(n, (next += 100_000));

beforeAll(async () => {
  s = await startServer({
    keys: [
      { key: 'key-a', app: 'app-a' },
      { key: 'key-b', app: 'app-b' },
    ],
    // short, so the slow-client tests are quick; the defaults are 10 s / 30 s / 10 s
    timeouts: { headersMs: 600, requestMs: 1500, bodyIdleMs: 400 },
  });
});
afterAll(() => s.stop());

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
  /** the server closed the connection after answering */
  closed: boolean;
}

/**
 * Writes `chunks` to a fresh TCP connection (each after `gapMs`), reads until the server closes
 * it or `waitMs` passes after the last write, and parses the first answer.
 */
function rawExchange(chunks: (string | Buffer)[], { gapMs = 0, waitMs = 5000 } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(s.port, '127.0.0.1');
    let data = '';
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head.toLowerCase(), body: rest.join('\r\n\r\n'), closed });
    };
    socket.setEncoding('utf8');
    socket.on('data', (d) => (data += d));
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed || closed) break;
        socket.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      timer = setTimeout(finish, waitMs);
    });
  });
}

function expectErrorBody(body: string, code: string) {
  const json = JSON.parse(body);
  expect(schemas().errorBody.safeParse(json).success).toBe(true);
  expect(json.error.code).toBe(code);
  expect(json.error.message.length).toBeGreaterThan(5);
}

async function expectServing() {
  const r = await fetch(`${s.url}/v1/events`, { method: 'POST', headers: { 'x-slotwise-key': 'key-a' }, body: JSON.stringify(batch(2)) });
  expect(r.status).toBe(200);
}

describe('request size is bounded before any route sees it', () => {
  test('headers past 16 KB: 431 with the JSON error shape, connection closed', async () => {
    const r = await rawExchange([`GET /v1/health HTTP/1.1\r\nHost: x\r\nx-pad: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expect(r.status).toBe(431);
    expect(r.headers).toContain('content-type: application/json');
    expectErrorBody(r.body, 'headers_too_large');
    expect(r.closed).toBe(true);
    await expectServing();
  });

  test('a 20 KB URL: 431 likewise', async () => {
    const r = await rawExchange([`GET /v1/config?key=key-a&junk=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    expect(r.status).toBe(431);
    expectErrorBody(r.body, 'headers_too_large');
  });

  test('many small headers are not a way around it: past the 100th they are dropped, and the bytes still count', async () => {
    const few = Array.from({ length: 300 }, (_, i) => `x-h${i}: ${i}`).join('\r\n');
    const ok = await rawExchange([`GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${few}\r\n\r\n`]);
    expect(ok.status).toBe(200);
    const many = Array.from({ length: 3000 }, (_, i) => `x-h${i}: ${i}`).join('\r\n');
    const refused = await rawExchange([`GET /v1/health HTTP/1.1\r\nHost: x\r\n${many}\r\n\r\n`]);
    expect(refused.status).toBe(431);
  });

  test('malformed HTTP: 400 bad_request as JSON, connection closed, server unharmed', async () => {
    for (const garbage of ['NOT HTTP AT ALL\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 'GET /\0 HTTP/1.1\r\n\r\n', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03']) {
      const r = await rawExchange([garbage]);
      expect(r.status, JSON.stringify(garbage)).toBe(400);
      expectErrorBody(r.body, 'bad_request');
      expect(r.closed).toBe(true);
    }
    await expectServing();
  });
});

describe('slow clients lose their connection', () => {
  test('headers that never finish: 408 timeout, closed', async () => {
    const r = await rawExchange(['POST /v1/events HTTP/1.1\r\nHost: x\r\n'], { waitMs: 10_000 });
    expect(r.status).toBe(408);
    expectErrorBody(r.body, 'timeout');
    expect(r.closed).toBe(true);
  });

  test('a body that stalls: 408 timeout, nothing stored, closed', async () => {
    const body = JSON.stringify(batch(5));
    const before = s.count();
    const head = `POST /v1/events HTTP/1.1\r\nHost: x\r\nx-slotwise-key: key-a\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    const r = await rawExchange([head + body.slice(0, 100)], { waitMs: 10_000 });
    expect(r.status).toBe(408);
    expectErrorBody(r.body, 'timeout');
    expect(r.closed).toBe(true);
    expect(s.count()).toBe(before);
    await expectServing();
  });

  test('a body that trickles a few bytes at a time, never quite idle: cut at the request deadline', async () => {
    const body = JSON.stringify(batch(5));
    const before = s.count();
    const head = `POST /v1/events HTTP/1.1\r\nHost: x\r\nx-slotwise-key: key-a\r\ncontent-length: ${body.length}\r\n\r\n`;
    // 4 bytes every 100 ms would take ~25 s for this body; the deadline is 1.5 s
    const drip = Array.from({ length: Math.ceil(body.length / 4) }, (_, i) => body.slice(i * 4, i * 4 + 4));
    const r = await rawExchange([head, ...drip], { gapMs: 100, waitMs: 10_000 });
    expect(r.status).toBe(408);
    expectErrorBody(r.body, 'timeout');
    expect(r.closed).toBe(true);
    expect(s.count()).toBe(before);
    await expectServing();
  });
});

describe('keys are scoped to their app', () => {
  const decide = (key: string, over: Partial<DecideRequest> = {}) =>
    fetch(`${s.url}/v1/decide`, {
      method: 'POST',
      headers: { 'x-slotwise-key': key },
      body: JSON.stringify({
        anonymousId: 'anon-scope',
        userId: 'u-scope',
        sessionId: 'sess-scope',
        context: { page: '/wealth', channel: 'web', locale: 'en' },
        slots: [
          { id: 'wealth.feed', kind: 'feed', count: 50 },
          { id: 'wealth.picks', kind: 'picks', count: 20 },
        ],
        ...over,
      } satisfies DecideRequest),
    }).then(async (r) => {
      expect(r.status).toBe(200);
      const answer = schemas().decideResponse.parse(await r.json());
      return Object.values(answer.slots).flatMap((slot) => slot.items);
    });

  test("what app A learns about a user (events, traits) stays in app A: app B's decisions do not see it", async () => {
    const identify = makeBatch(1, (next += 100_000)).events[0]!;
    const events = {
      sentAt: Date.now(),
      events: [{ ...identify, type: 'identify', name: 'identify', userId: 'u-scope', anonymousId: 'anon-scope', ts: Date.now(), properties: { riskTolerance: 'C5' } }],
    };
    const r = await fetch(`${s.url}/v1/events`, { method: 'POST', headers: { 'x-slotwise-key': 'key-a' }, body: JSON.stringify(events) });
    expect(await r.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(s.query('SELECT app_key FROM events WHERE id = ?', identify.id)).toEqual([{ app_key: 'app-a' }]);

    const high = (items: { risk?: string }[]) => items.filter((i) => i.risk && i.risk > 'R2').length;
    // app A knows the user as C5: higher-risk products are allowed (the test can tell the two apart)
    expect(high(await decide('key-a'))).toBeGreaterThan(0);
    // app B never heard of the user: unknown tolerance, R1–R2 only
    const b = await decide('key-b');
    expect(b.length).toBeGreaterThan(0);
    expect(high(b)).toBe(0);
  });

  test("app B cannot overwrite app A's event by reusing its id: it is a duplicate, the row stays A's", async () => {
    const a = batch(3);
    await fetch(`${s.url}/v1/events`, { method: 'POST', headers: { 'x-slotwise-key': 'key-a' }, body: JSON.stringify(a) });
    const forged = { ...a, events: a.events.map((e) => ({ ...e, name: 'forged', properties: { evil: true } })) };
    const r = await fetch(`${s.url}/v1/events`, { method: 'POST', headers: { 'x-slotwise-key': 'key-b' }, body: JSON.stringify(forged) });
    expect(await r.json()).toEqual({ accepted: 0, duplicates: 3 });
    const rows = s.query<{ app_key: string; name: string }>('SELECT app_key, name FROM events WHERE id = ?', a.events[0]!.id);
    expect(rows).toEqual([{ app_key: 'app-a', name: 'fund_view' }]);
  });

  test('config and decide answer per key; no key or an unknown one gets 401 before anything is read', async () => {
    for (const key of ['key-a', 'key-b']) {
      const r = await fetch(`${s.url}/v1/config`, { headers: { 'x-slotwise-key': key } });
      expect(r.status).toBe(200);
      expect(schemas().config.safeParse(await r.json()).success).toBe(true);
    }
    for (const headers of [{}, { 'x-slotwise-key': 'key-c' }, { 'x-slotwise-key': '' }] as Record<string, string>[]) {
      const r = await fetch(`${s.url}/v1/config`, { headers });
      expect(r.status).toBe(401);
      expectErrorBody(await r.text(), 'unauthorized');
    }
  });
});

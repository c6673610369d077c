// The fault proxy helper, each mode against the real server: what the client sees and what the
// server stored. These are the faults the SDK's zero-loss / zero-duplicate tests are built on.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { makeBatch } from '../helpers/events';
import { startFaultProxy, type FaultProxy, type Upstream } from '../helpers/fault-proxy';
import { startServer, type TestServer } from '../helpers/server';

let s: TestServer;
let proxy: FaultProxy;
let n = 0;
const batch = (size: number) => JSON.stringify(makeBatch(size, (n += 10_000)));
const send = (body: string, init: RequestInit = {}) =>
  fetch(`${proxy.url}/v1/events`, { method: 'POST', headers: { 'x-slotwise-key': 'demo' }, body, ...init });

beforeAll(async () => {
  s = await startServer();
  proxy = await startFaultProxy(s.url);
});
afterAll(async () => {
  await proxy.close();
  await s.stop();
});
beforeEach(() => proxy.setMode('pass'));

async function until(check: () => boolean) {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('fault proxy modes', () => {
  test('pass forwards the request and the answer untouched', async () => {
    const before = proxy.counts.pass ?? 0;
    const r = await send(batch(10));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ accepted: 10, duplicates: 0 });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(proxy.counts.pass).toBe(before + 1);
    expect(proxy.mode).toBe('pass');
  });

  test("'500' answers 500 itself; the server never sees the batch", async () => {
    proxy.setMode('500');
    const before = s.count();
    const r = await send(batch(5));
    expect(r.status).toBe(500);
    expect((await r.json()).error.code).toBe('injected');
    expect(s.count()).toBe(before);
    expect(proxy.counts['500']).toBe(1);
  });

  test("'429' answers with the Retry-After asked for, CORS echoed for the page to read it", async () => {
    proxy.setMode('429', { retryAfter: 7 });
    const r = await send(batch(5), { headers: { 'x-slotwise-key': 'demo', origin: 'http://localhost:5173' } });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(r.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  test("'hang' never answers; the client gives up; the server never sees it", async () => {
    proxy.setMode('hang');
    const before = s.count();
    const counted = proxy.counts.hang ?? 0;
    const abort = new AbortController();
    const pending = send(batch(5), { signal: abort.signal });
    await until(() => (proxy.counts.hang ?? 0) > counted);
    abort.abort();
    await expect(pending).rejects.toThrow();
    expect(s.count()).toBe(before);
  });

  test("'reset' cuts the connection: a network error, nothing stored", async () => {
    proxy.setMode('reset');
    const before = s.count();
    await expect(send(batch(5))).rejects.toThrow();
    expect(s.count()).toBe(before);
  });

  test("'drop-response' stores the batch but the client sees a network error; the retry is all duplicates", async () => {
    proxy.setMode('drop-response');
    const body = batch(25);
    const before = s.count();
    await expect(send(body)).rejects.toThrow();
    expect(s.count()).toBe(before + 25);
    proxy.setMode('pass');
    expect(await (await send(body)).json()).toEqual({ accepted: 0, duplicates: 25 });
    expect(s.count()).toBe(before + 25);
  });

  test('CORS preflights pass through whatever the mode', async () => {
    proxy.setMode('500');
    const r = await fetch(`${proxy.url}/v1/events`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(proxy.counts.preflight).toBeGreaterThanOrEqual(1);
  });

  test('a custom Fault is one function: here a duplicating network', async () => {
    proxy.setMode(
      async (f) => {
        const first: Upstream = await f.forward();
        const second = await f.forward();
        expect(JSON.parse(first.body.toString())).toEqual({ accepted: 8, duplicates: 0 });
        f.reply(second);
      },
      { name: 'duplicate' },
    );
    const before = s.count();
    expect(await (await send(batch(8))).json()).toEqual({ accepted: 0, duplicates: 8 });
    expect(s.count()).toBe(before + 8);
    expect(proxy.counts.duplicate).toBe(1);
  });

  test('if the server is down the proxy answers 502 instead of hanging', async () => {
    const t = await startServer();
    const p = await startFaultProxy(t.url);
    try {
      await t.stop();
      const r = await fetch(`${p.url}/v1/health`);
      expect(r.status).toBe(502);
    } finally {
      await p.close();
    }
  });
});

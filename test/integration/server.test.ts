// The server-stub's HTTP surface besides ingest: health, decide/config/images plumbing, keys,
// rate limits, CORS, security headers, static files, errors and graceful shutdown.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { schemas, type DecideRequest } from '../../sdk/contract';
import { createServer } from '../../server-stub/server';
import { makeBatch } from '../helpers/events';
import { startServer, type TestServer } from '../helpers/server';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'slotwise-srv-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

let n = 0;
const batch = (size = 2) => JSON.stringify(makeBatch(size, (n += 10_000)));
const postEvents = (url: string, init: { key?: string; origin?: string; body?: string } = {}) =>
  fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'x-slotwise-key': init.key ?? 'demo', ...(init.origin ? { origin: init.origin } : {}) },
    body: init.body ?? batch(),
  });

const decideRequest = (over: Partial<DecideRequest> = {}): DecideRequest => ({
  anonymousId: 'anon-1',
  sessionId: 'sess-1',
  context: { page: '/home', channel: 'web', locale: 'zh-CN' },
  slots: [
    { id: 'home.today', kind: 'picks', count: 4 },
    { id: 'home.ad', kind: 'ad', count: 1 },
  ],
  ...over,
});

/** a request exactly as written (fetch would normalise `..` away) */
function raw(url: string, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

describe('plain server', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.stop());

  test('health says ok, the version and how many events are stored', async () => {
    await postEvents(s.url, { body: batch(7) });
    const r = await fetch(`${s.url}/v1/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true, version: '0.0.0-test', events: 7 });
    const head = await raw(s.url, '/v1/health', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  test('binds loopback and serves on the port it reports', () => {
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(s.handle().host).toBe('127.0.0.1');
  });

  test('security headers on every answer: API, error, static', async () => {
    for (const path of ['/v1/health', '/v1/nothing', '/', '/nothing.js']) {
      const r = await fetch(s.url + path);
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(r.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
    const api = await fetch(`${s.url}/v1/health`);
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  test('unknown routes are 404 JSON, wrong methods 405 JSON with Allow', async () => {
    for (const path of ['/v1/nothing', '/v1/events/extra', '/nothing.html']) {
      const r = await fetch(s.url + path);
      expect(r.status, path).toBe(404);
      expect((await r.json()).error).toMatchObject({ code: 'not_found', path: '' });
    }
    for (const [method, path, allow] of [
      ['GET', '/v1/decide', 'POST, OPTIONS'],
      ['DELETE', '/v1/events', 'POST, OPTIONS'],
      ['POST', '/v1/health', 'GET, HEAD, OPTIONS'],
      ['PUT', '/v1/config', 'GET, HEAD, OPTIONS'],
    ] as const) {
      const r = await fetch(s.url + path, { method, headers: { 'x-slotwise-key': 'demo' } });
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.headers.get('allow')).toBe(allow);
      expect((await r.json()).error.code).toBe('method_not_allowed');
    }
  });

  test('decide: a valid request gets a contract-valid answer for every slot, never cached', async () => {
    const r = await fetch(`${s.url}/v1/decide`, {
      method: 'POST',
      headers: { 'x-slotwise-key': 'demo', 'content-type': 'application/json' },
      body: JSON.stringify(decideRequest()),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const body = schemas().decideResponse.parse(await r.json());
    expect(Object.keys(body.slots).sort()).toEqual(['home.ad', 'home.today']);
  });

  test('decide: bad input is a 400 naming the field, too big a 413, no key a 401; the server keeps serving', async () => {
    const decide = (body: string, key = 'demo') =>
      fetch(`${s.url}/v1/decide`, { method: 'POST', headers: { 'x-slotwise-key': key }, body });
    const cases: [string, number, string, string][] = [
      [JSON.stringify(decideRequest({ slots: [{ id: 'x', kind: 'banner' as never, count: 1 }] })), 400, 'invalid_field', 'slots.0.kind'],
      [JSON.stringify(decideRequest({ slots: [{ id: 'x', kind: 'picks', count: 0 }] })), 400, 'invalid_field', 'slots.0.count'],
      [JSON.stringify(decideRequest({ slots: [{ id: 'x', kind: 'picks', count: 10_000 }] })), 400, 'invalid_field', 'slots.0.count'],
      [JSON.stringify(decideRequest({ slots: [] })), 400, 'invalid_field', 'slots'],
      [JSON.stringify({ ...decideRequest(), anonymousId: 5 }), 400, 'invalid_field', 'anonymousId'],
      [
        JSON.stringify(decideRequest({ slots: [{ id: 'x', kind: 'picks', count: 1, exclude: Array.from({ length: 100_000 }, (_, i) => `i${i}`) }] })),
        413,
        'too_large',
        '',
      ],
      ['{"anonymousId":', 400, 'invalid_json', ''],
    ];
    for (const [body, status, code, path] of cases) {
      const r = await decide(body);
      expect(r.status, body.slice(0, 80)).toBe(status);
      expect((await r.json()).error, body.slice(0, 80)).toMatchObject({ code, path });
    }
    expect((await decide(JSON.stringify(decideRequest()), 'nope')).status).toBe(401);
    expect((await decide(JSON.stringify(decideRequest()))).status).toBe(200);
  });

  test('config: the engine config, valid, cached as long as its ttl says; keyed', async () => {
    const r = await fetch(`${s.url}/v1/config`, { headers: { 'x-slotwise-key': 'demo' } });
    expect(r.status).toBe(200);
    const config = schemas().config.parse(await r.json());
    expect(r.headers.get('cache-control')).toBe(`private, max-age=${Math.floor(config.ttlMs / 1000)}`);
    expect((await fetch(`${s.url}/v1/config?key=demo`)).status).toBe(200);
    expect((await fetch(`${s.url}/v1/config`)).status).toBe(401);
  });

  test('images: SVG from the engine, sandboxed and nosniff; unknown ids are 404', async () => {
    const engine = s.handle().engine;
    const original = engine.image;
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>';
    engine.image = async (id) => (id === 'fund-1' ? svg : undefined);
    try {
      const r = await fetch(`${s.url}/v1/images/fund-1.svg`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/svg+xml');
      expect(r.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await r.text()).toBe(svg);
      for (const path of ['/v1/images/fund-2.svg', '/v1/images/fund-1.png', '/v1/images/fund-1']) {
        const miss = await fetch(s.url + path);
        expect(miss.status, path).toBe(404);
        expect((await miss.json()).error.code).toBe('not_found');
      }
    } finally {
      engine.image = original;
    }
  });
});

describe('keys and rate limits', () => {
  test('keys.json in the data dir scopes keys to apps; the default demo key is then gone', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'keys.json'), JSON.stringify({ keys: [{ key: 'k-bank', app: 'bank' }, { key: 'k-bank-2', app: 'bank' }] }));
    const s = await startServer({ dataDir });
    try {
      expect((await postEvents(s.url, { key: 'k-bank' })).status).toBe(200);
      expect((await postEvents(s.url, { key: 'k-bank-2' })).status).toBe(200);
      expect((await postEvents(s.url, { key: 'demo' })).status).toBe(401);
      expect(s.query('SELECT DISTINCT app_key FROM events')).toEqual([{ app_key: 'bank' }]);
      expect(s.count('bank')).toBe(4);
    } finally {
      await s.stop();
    }
  });

  test('a bad keys.json stops the start with the file and the field named', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'keys.json'), JSON.stringify({ keys: [{ key: 'k', app: '' }] }));
    await expect(createServer({ dataDir, port: 0, log: () => {} })).rejects.toThrow(/keys\.json: keys\.0\.app/);
    writeFileSync(join(dataDir, 'keys.json'), '{ nope');
    await expect(createServer({ dataDir, port: 0, log: () => {} })).rejects.toThrow(/keys\.json: not JSON/);
  });

  test('a burst past the bucket gets 429 rate_limited with Retry-After; tokens come back with time', async () => {
    let now = 1_000_000;
    const s = await startServer({ rateLimit: { perSecond: 2, burst: 5 }, now: () => now });
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => postEvents(s.url)));
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses.filter((x) => x === 200)).toHaveLength(5);
      expect(statuses.filter((x) => x === 429)).toHaveLength(15);
      const limited = answers.find((r) => r.status === 429)!;
      expect(limited.headers.get('retry-after')).toBe('1');
      expect((await limited.json()).error).toMatchObject({ code: 'rate_limited', path: '' });
      expect(s.count()).toBe(5 * 2);
      now += 1000; // two tokens back
      expect((await postEvents(s.url)).status).toBe(200);
      expect((await postEvents(s.url)).status).toBe(200);
      expect((await postEvents(s.url)).status).toBe(429);
      // health and static are not keyed and not limited
      expect((await fetch(`${s.url}/v1/health`)).status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  test('per-key limits override the server one; false switches it off; keys do not share buckets', async () => {
    const now = 5_000_000;
    const s = await startServer({
      now: () => now,
      rateLimit: { perSecond: 1, burst: 1 },
      keys: [
        { key: 'slow', app: 'a', rateLimit: { perSecond: 0.1, burst: 2 } },
        { key: 'free', app: 'a', rateLimit: false },
        { key: 'default', app: 'b' },
      ],
    });
    try {
      const statuses = async (key: string, times: number) => {
        const out: number[] = [];
        for (let i = 0; i < times; i++) out.push((await postEvents(s.url, { key })).status);
        return out;
      };
      expect(await statuses('default', 2)).toEqual([200, 429]);
      const slow = await statuses('slow', 3);
      expect(slow).toEqual([200, 200, 429]);
      const r = await postEvents(s.url, { key: 'slow' });
      expect(r.headers.get('retry-after')).toBe('10');
      expect(await statuses('free', 30)).toEqual(Array(30).fill(200));
    } finally {
      await s.stop();
    }
  });
});

describe('CORS', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({
      keys: [
        { key: 'demo', app: 'demo' },
        { key: 'bank', app: 'bank', origins: ['https://bank.example'] },
      ],
    });
  });
  afterAll(() => s.stop());

  const preflight = (origin: string, path = '/v1/events') =>
    fetch(s.url + path, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-slotwise-key' },
    });

  test('a preflight from a localhost origin (any port) is answered and allows the key header', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://localhost:80']) {
      const r = await preflight(origin);
      expect(r.status, origin).toBe(204);
      expect(r.headers.get('access-control-allow-origin')).toBe(origin);
      expect(r.headers.get('access-control-allow-headers')).toContain('x-slotwise-key');
      expect(r.headers.get('access-control-allow-methods')).toContain('POST');
      expect(r.headers.get('access-control-allow-credentials')).toBeNull();
      expect(r.headers.get('vary')).toContain('Origin');
    }
  });

  test('a preflight from another origin is refused without CORS headers', async () => {
    for (const origin of ['https://evil.example', 'http://localhost.evil.example:80', 'http://localhost:80x', 'null']) {
      const r = await preflight(origin);
      expect(r.status, origin).toBe(403);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
      expect((await r.json()).error.code).toBe('origin_not_allowed');
    }
  });

  test('an allowed origin gets its origin echoed and Retry-After exposed, on success and on errors', async () => {
    const ok = await postEvents(s.url, { origin: 'http://localhost:5173' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(ok.headers.get('access-control-expose-headers')).toContain('Retry-After');
    const bad = await postEvents(s.url, { origin: 'http://localhost:5173', body: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  test('a refused origin cannot write events, even as a no-preflight text/plain beacon', async () => {
    const before = s.count();
    const r = await fetch(`${s.url}/v1/events?key=demo`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: batch(),
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expect(s.count()).toBe(before);
  });

  test("a key's own origins: only those may use it; other keys keep the server's", async () => {
    expect((await preflight('https://bank.example')).status).toBe(204);
    expect((await postEvents(s.url, { key: 'bank', origin: 'https://bank.example' })).status).toBe(200);
    const wrongKey = await postEvents(s.url, { key: 'demo', origin: 'https://bank.example' });
    expect(wrongKey.status).toBe(403);
    expect((await wrongKey.json()).error.code).toBe('origin_not_allowed');
    expect((await postEvents(s.url, { key: 'bank', origin: 'http://localhost:5173' })).status).toBe(403);
  });

  test('requests without Origin (servers, curl) are served without CORS headers', async () => {
    const r = await postEvents(s.url);
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('configured origins replace the loopback default; the server’s own origin stays allowed', async () => {
    const t = await startServer({ origins: ['https://bank.example'] });
    try {
      expect((await postEvents(t.url, { origin: 'https://bank.example' })).status).toBe(200);
      expect((await postEvents(t.url, { origin: 'http://localhost:5173' })).status).toBe(403);
      expect((await postEvents(t.url, { origin: t.url })).status).toBe(200);
      expect((await postEvents(t.url, { origin: `http://localhost:${t.port}` })).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  test('an origin pattern that is not an origin stops the start', async () => {
    for (const bad of ['*', 'https://bank.example/path', 'https://*.bank.example', 'bank.example']) {
      await expect(createServer({ dataDir: tempDir(), port: 0, origins: [bad], log: () => {} }), bad).rejects.toThrow(/not an origin/);
    }
  });
});

describe('static files', () => {
  let s: TestServer;
  let root: string;
  beforeAll(async () => {
    root = tempDir();
    const demo = join(root, 'demo');
    const dist = join(root, 'dist');
    mkdirSync(join(demo, 'sub'), { recursive: true });
    mkdirSync(join(dist, 'demo'), { recursive: true });
    writeFileSync(join(demo, 'index.html'), '<!doctype html><title>demo home</title>');
    writeFileSync(join(demo, 'sub', 'index.html'), 'sub page');
    writeFileSync(join(demo, 'app.css'), 'body{}');
    writeFileSync(join(demo, '.env'), 'SECRET=hidden');
    writeFileSync(join(root, 'secret.txt'), 'TOP SECRET');
    symlinkSync(root, join(demo, 'escape'));
    writeFileSync(join(dist, 'slotwise.min.js'), 'var slotwise;');
    writeFileSync(join(dist, 'slotwise-widgets.min.js'), 'var widgets;');
    writeFileSync(join(dist, 'demo', 'preact-app.js'), 'export {};');
    s = await startServer({ staticDirs: { demo, dist } });
  });
  afterAll(() => s.stop());

  test('demo at /, index.html for directories, the build at /dist and the bundles at the root', async () => {
    const cases: [string, string, string][] = [
      ['/', '<!doctype html><title>demo home</title>', 'text/html; charset=utf-8'],
      ['/index.html', '<!doctype html><title>demo home</title>', 'text/html; charset=utf-8'],
      ['/sub/', 'sub page', 'text/html; charset=utf-8'],
      ['/sub', 'sub page', 'text/html; charset=utf-8'],
      ['/app.css', 'body{}', 'text/css; charset=utf-8'],
      ['/slotwise.min.js', 'var slotwise;', 'text/javascript; charset=utf-8'],
      ['/slotwise-widgets.min.js', 'var widgets;', 'text/javascript; charset=utf-8'],
      ['/dist/slotwise.min.js', 'var slotwise;', 'text/javascript; charset=utf-8'],
      ['/dist/demo/preact-app.js', 'export {};', 'text/javascript; charset=utf-8'],
    ];
    for (const [path, body, type] of cases) {
      const r = await fetch(s.url + path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toBe(type);
      expect(await r.text(), path).toBe(body);
    }
  });

  test('no directory traversal, encoded or not, no hidden files, no symlinks out', async () => {
    const attempts = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/sub/../../secret.txt',
      '/dist/../secret.txt',
      '/dist/..%2f..%2fsecret.txt',
      '/dist/%2e%2e/%2e%2e/secret.txt',
      '/escape/secret.txt',
      '/.env',
      '/%2eenv',
      '/sub/%00/index.html',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      '/C:%5cwindows%5cwin.ini',
    ];
    for (const path of attempts) {
      const r = await raw(s.url, path);
      expect(r.status, path).toBe(404);
      expect(r.body, path).not.toContain('SECRET');
      expect(r.body, path).not.toContain('root:');
    }
    expect((await raw(s.url, '/index.html')).status).toBe(200);
  });

  test('without demo/index.html, / still answers with a pointer page', async () => {
    const t = await startServer({ staticDirs: { demo: tempDir(), dist: tempDir() } });
    try {
      const r = await fetch(`${t.url}/`);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('/v1/health');
      expect((await fetch(`${t.url}/slotwise.min.js`)).status).toBe(404);
    } finally {
      await t.stop();
    }
  });
});

describe('graceful close', () => {
  test('a request in flight finishes, new connections are refused, SQLite is closed', async () => {
    const s = await createServer({ dataDir: tempDir(), port: 0, log: () => {} });
    const body = batch(40);
    const half = body.length >> 1;
    const { port } = s;
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/v1/events', method: 'POST', agent: false, headers: { 'x-slotwise-key': 'demo', 'content-length': body.length } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, half), () => {
        // the server has the first half; it is asked to close before the rest arrives
        closed = s.close();
        setImmediate(() => req.end(body.slice(half)));
      });
    });
    let closed: Promise<void> | undefined;
    const r = await answer;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ accepted: 40, duplicates: 0 });
    await closed;
    expect(s.db.open).toBe(false);
    await expect(fetch(`${s.url}/v1/health`)).rejects.toThrow();
  });
});

// The slot half of the real SDK (createClient) against the real server-stub on loopback.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { schemas, type DecideRequest, type Item } from '../../sdk/contract';
import { createClient } from '../../sdk/index';
import type { ClientOptions, SlotwiseClient } from '../../sdk/types';
import { recording, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { startServer, type TestServer } from '../helpers/server';

const today = { id: 'home.today', kind: 'picks', count: 4 } as const;
const ad = { id: 'home.ad', kind: 'ad', count: 1 } as const;
const fallbackItem: Item = { id: 'fallback-card', kind: 'article', title: 'Our savings guide', position: 0, strategy: 'fallback', score: 0, reasons: [] };

let server: TestServer;
let proxy: FaultProxy;
/** every decide request that passed the proxy, as the server got it */
const decides: DecideRequest[] = [];
let clients: SlotwiseClient[] = [];

function client(o: Partial<ClientOptions> = {}) {
  const errors: string[] = [];
  const c = createClient({
    appKey: 'demo',
    endpoint: proxy.url,
    autocapture: false,
    indexedDB: new IDBFactory(),
    fallback: { 'home.today': [fallbackItem] },
    ...o,
  });
  c.on('error', (e) => errors.push(e.code));
  clients.push(c);
  return { c, errors };
}

beforeAll(async () => {
  server = await startServer();
  proxy = await startFaultProxy(server.url);
  proxy.setMode(recording('/v1/decide', decides), { name: 'count' });
});
afterAll(async () => {
  await proxy.close();
  await server.stop();
});
afterEach(async () => {
  for (const c of clients) await c.close();
  clients = [];
  decides.length = 0;
});

describe('decide against the server-stub', () => {
  it('two widgets asking in one tick make one request, each gets its own slots', async () => {
    const { c, errors } = client();
    const [a, b] = await Promise.all([c.decide([today]), c.decide([ad])]);
    expect(decides).toHaveLength(1);
    expect(decides[0].slots.map((s) => s.id)).toEqual(['home.today', 'home.ad']);
    expect(Object.keys(a.slots)).toEqual(['home.today']);
    expect(Object.keys(b.slots)).toEqual(['home.ad']);
    const items = a.slots['home.today'].items;
    expect(a.slots['home.today'].status).toBe('network');
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(schemas().item.safeParse(item).success).toBe(true);
      expect(item).toMatchObject({ decisionId: a.decisionId, slotId: 'home.today' });
    }
    // images come back as paths on the endpoint and are resolved against it
    const withImage = items.find((i) => i.image)!;
    expect(withImage.image!.startsWith(`${proxy.url}/v1/images/`)).toBe(true);
    const img = await fetch(withImage.image!);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toContain('image/svg+xml');
    expect(errors).toEqual([]);
  });

  it('a click reaches SQLite carrying the decision that showed the item', async () => {
    const { c, errors } = client();
    const d = await c.decide([today]);
    const item = d.slots['home.today'].items[1];
    const clickId = c.click(item);
    const conversionId = c.conversion(item, 2000);
    await c.flush();
    const rows = server.query<{ id: string; type: string; decision_id: string; slot_id: string; item_id: string; position: number; properties: string }>(
      'SELECT id, type, decision_id, slot_id, item_id, position, properties FROM events WHERE id IN (?, ?) ORDER BY type',
      clickId,
      conversionId,
    );
    expect(rows.map((r) => [r.type, r.decision_id, r.slot_id, r.item_id, r.position])).toEqual([
      ['click', d.decisionId, 'home.today', item.id, item.position],
      ['conversion', d.decisionId, 'home.today', item.id, item.position],
    ]);
    expect(JSON.parse(rows[1].properties)).toEqual({ value: 2000 });
    expect(errors).toEqual([]);
  });

  it('with the server stopped: cached items, then the fallback items, and the host code runs on', async () => {
    const own = await startServer();
    const idb = new IDBFactory();
    const first = client({ indexedDB: idb, endpoint: own.url });
    first.c.track('home_view');
    const shown = await first.c.decide([today, ad]);
    expect(shown.slots['home.today'].status).toBe('network');
    await first.c.close();
    await own.stop();

    // the same device later: the backend is gone and the cache is past its TTL
    const later = Date.now() + 3600_000;
    const again = client({ indexedDB: idb, endpoint: own.url, now: () => later });
    const d = await again.c.decide([today, ad]);
    expect(d.slots['home.today']).toMatchObject({ status: 'cache', stale: true, decisionId: shown.decisionId });
    expect(d.slots['home.today'].items.map((i) => i.id)).toEqual(shown.slots['home.today'].items.map((i) => i.id));
    // the revalidation fails in the background and says so
    await until(() => again.errors.includes('network'));

    // a new device: nothing cached, so the host's fallback items, and an empty slot without any
    const fresh = client({ endpoint: own.url });
    const f = await fresh.c.decide([today, ad]);
    expect(f.slots['home.today']).toMatchObject({ status: 'fallback', items: [{ id: 'fallback-card', slotId: 'home.today' }] });
    expect(f.slots['home.ad']).toEqual({ slotId: 'home.ad', items: [], status: 'empty' });
    expect(fresh.errors).toContain('network');
    expect(fresh.c.track('still_working')).toMatch(/\w/);
  });

  it('an answer slower than the budget falls back at once, and the late answer still reaches the subscribers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = await startFaultProxy(server.url);
    slow.setMode(async (f) => {
      if (f.req.url === '/v1/decide') await gate;
      f.reply(await f.forward());
    });
    try {
      const { c, errors } = client({ endpoint: slow.url, decideTimeoutMs: 200 });
      const states: string[] = [];
      c.subscribe('home.today', (s) => states.push(s.status));
      const d = await c.decide([today]);
      expect(d.slots['home.today'].status).toBe('fallback');
      expect(errors).toEqual(['timeout']);
      release();
      await until(() => states.at(-1) === 'network');
      expect(states).toEqual(['loading', 'fallback', 'network']);
    } finally {
      release();
      await slow.close();
    }
  });

  it('sends the real-time tags from the server’s rules with the request, and none once personalisation is off', async () => {
    const { c } = client();
    // fund_interest holds after three fund views (the server's default rules)
    await until(async () => (await c.decide([ad])) && decides.length > 0);
    for (let i = 0; i < 3; i++) c.track('item_view', { itemId: `f${i}`, kind: 'fund', category: 'fund' });
    // the tags are computed when the events are built: in the first slice, at the end of this task
    await until(() => c.getTags().length >= 2);
    expect(c.getTags().map((t) => t.name)).toEqual(expect.arrayContaining(['fund_interest', 'last_category']));
    decides.length = 0;
    await c.decide([today], { page: '/fund' });
    expect(decides[0].tags).toMatchObject({ fund_interest: 3, last_category: 'fund' });
    c.setPersonalization(false);
    decides.length = 0;
    await c.decide([today], { page: '/fund2' });
    expect(decides.at(-1)!.personalized).toBe(false);
    expect(decides.at(-1)!.tags).toBeUndefined();
  });
});

describe('malformed answers from a garbage server', () => {
  let garbage: Server;
  let url: string;
  let answer: (res: import('node:http').ServerResponse) => void = () => {};

  beforeAll(async () => {
    garbage = createHttpServer((req, res) => {
      req.resume();
      if (req.url === '/v1/decide') return answer(res);
      if (req.url === '/v1/config') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ version: '1', ttlMs: 60_000, slots: [], tags: [], triggers: [] }));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":0,"duplicates":0}');
    });
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => garbage.close(() => r())));

  const json = (body: unknown, status = 200) => (res: import('node:http').ServerResponse) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  it.each([
    ['wrong types', json({ decisionId: 7, ttlMs: 'soon', slots: [] }), 'bad_response'],
    ['missing fields', json({ decisionId: 'd', slots: { 'home.today': { items: [{ id: 'x', title: 'no kind' }] } } }), 'bad_response'],
    ['an HTML error page', (res: import('node:http').ServerResponse) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><h1>502 Bad Gateway</h1></html>'), 'server'],
    ['an HTML page with 200', (res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>Welcome</p>'), 'bad_response'],
    [
      'a 2 MB body',
      (res: import('node:http').ServerResponse) => {
        // chunked, no content-length: the client has to stop reading on its own
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"decisionId":"d","ttlMs":1000,"slots":{},"pad":"');
        const chunk = 'x'.repeat(64 * 1024);
        let sent = 0;
        const more = () => {
          while (sent < 32) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end('"}');
        };
        res.on('error', () => {});
        more();
      },
      'bad_response',
    ],
  ])('%s → fallback, reported, and the host code keeps running', async (_, fn, code) => {
    answer = fn;
    const { c, errors } = client({ endpoint: url });
    let d: Awaited<ReturnType<SlotwiseClient['decide']>> | undefined;
    await expect((async () => (d = await c.decide([today, ad])))()).resolves.toBeDefined();
    expect(d!.slots['home.today']).toMatchObject({ status: 'fallback', items: [{ id: 'fallback-card' }] });
    expect(d!.slots['home.ad'].status).toBe('empty');
    expect(errors).toEqual([code]);
    expect(c.track('after_bad_answer')).toMatch(/\w/);
  });
});

async function until(check: () => boolean | Promise<boolean | undefined | object>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

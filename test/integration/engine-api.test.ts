// The engine behind the real HTTP server on loopback: decide, config, images, bad input, and the
// loop from events to decisions to the training join.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemas, type DecideResponse, type SlotwiseEvent } from '../../sdk/contract';
import { generateCatalog } from '../../server-stub/engine/catalog';
import { PERSONAL, type Feature } from '../../server-stub/engine/features';
import { startServer, type TestServer } from '../helpers/server';

let server: TestServer;
const headers = { 'content-type': 'application/json', 'x-slotwise-key': 'demo' };
let seq = 0;

const decide = (body: unknown) => fetch(`${server.url}/v1/decide`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const ask = (o: Record<string, unknown> = {}) => ({
  anonymousId: 'anon-http',
  sessionId: 'sess-http',
  context: { page: '/index.html', channel: 'web', locale: 'en' },
  slots: [
    { id: 'home.today', kind: 'picks', count: 4 },
    { id: 'home.feed', kind: 'feed', count: 6 },
    { id: 'home.ad', kind: 'ad', count: 1 },
    { id: 'home.reminders', kind: 'reminder', count: 2 },
  ],
  ...o,
});
const event = (o: Partial<SlotwiseEvent>): SlotwiseEvent => ({
  id: `http-${++seq}`,
  type: 'track',
  name: 'item_view',
  ts: Date.now() - 1000,
  anonymousId: 'anon-http',
  sessionId: 'sess-http',
  properties: {},
  context: { channel: 'web', locale: 'en', sdk: { name: 'slotwise', version: '0.0.0-test' } },
  ...o,
});
const send = async (events: SlotwiseEvent[]) => {
  const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify({ sentAt: Date.now(), events }) });
  expect(r.status).toBe(200);
};

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

describe('engine over HTTP', () => {
  it('answers POST /v1/decide per the contract, with images the server serves', async () => {
    const r = await decide(ask());
    expect(r.status).toBe(200);
    const answer = schemas().decideResponse.parse(await r.json());
    const items = Object.values(answer.slots).flatMap((s) => s.items);
    expect(items.length).toBe(13);
    const svg = await fetch(new URL(items[0]!.image!, server.url));
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(await svg.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect((await fetch(`${server.url}/v1/images/no-such-item.svg`)).status).toBe(404);
  });

  it('publishes its rules on GET /v1/config', async () => {
    const r = await fetch(`${server.url}/v1/config`, { headers });
    expect(r.status).toBe(200);
    const config = schemas().config.parse(await r.json());
    expect(config.tags.length).toBeGreaterThanOrEqual(3);
    expect(config.triggers.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses bad input with code, message and path, and keeps serving', async () => {
    const cases: [unknown, number, string][] = [
      [ask({ slots: [{ id: 's', kind: 'banner', count: 1 }] }), 400, 'slots.0.kind'],
      [ask({ slots: [{ id: 's', kind: 'picks', count: 0 }] }), 400, 'slots.0.count'],
      [ask({ slots: [{ id: 's', kind: 'picks', count: 10_000 }] }), 400, 'slots.0.count'],
      [ask({ slots: [{ id: 's', kind: 'picks', count: 4, exclude: Array.from({ length: 1001 }, (_, i) => `x${i}`) }] }), 400, 'slots.0.exclude'],
      [ask({ slots: [] }), 400, 'slots'],
      [ask({ context: { page: '/', channel: 'tv', locale: 'en' } }), 400, 'context.channel'],
      ['{"anonymousId": "a", ', 400, ''],
    ];
    for (const [body, status, path] of cases) {
      const r = await decide(body);
      expect(r.status).toBe(status);
      const error = schemas().errorBody.parse(await r.json()).error;
      expect(error.path).toBe(path);
      expect(error.message.length).toBeGreaterThan(5);
    }
    // 100 000 excluded ids are far past the body limit: refused before parsing
    const huge = await decide(ask({ slots: [{ id: 's', kind: 'picks', count: 4, exclude: Array.from({ length: 100_000 }, (_, i) => `id-${i}`) }] }));
    expect(huge.status).toBe(413);
    expect(schemas().errorBody.parse(await huge.json()).error.code).toBe('too_large');
    expect((await decide(ask())).status).toBe(200);
  });

  it('closes the loop: events shape the next decision, and clicks join to the decision that showed the item', async () => {
    const before = (await (await decide(ask({ userId: 'investor' }))).json()) as DecideResponse;
    const equity = Object.values(before.slots).flatMap((s) => s.items).filter((i) => i.risk === 'R4' || i.risk === 'R5');
    expect(equity).toEqual([]); // unknown tolerance: R1–R2 only

    const top = before.slots['home.today']!.items[0]!;
    await send([
      event({ type: 'identify', name: 'identify', userId: 'investor', properties: { riskTolerance: 'C5', segment: 'active' } }),
      event({ type: 'impression', name: 'impression', userId: 'investor', decisionId: before.decisionId, slotId: 'home.today', itemId: top.id, position: 0 }),
      event({ type: 'click', name: 'click', userId: 'investor', decisionId: before.decisionId, slotId: 'home.today', itemId: top.id, position: 0 }),
    ]);
    await server.handle().engine.flush();
    const joined = server.query<{ item_id: string; strategy: string; type: string }>(
      `SELECT d.item_id, d.strategy, e.type FROM engine_decision_items d JOIN events e ON e.decision_id = d.decision_id AND e.item_id = d.item_id
       WHERE d.decision_id = ? ORDER BY e.type`,
      before.decisionId,
    );
    expect(joined).toEqual([
      { item_id: top.id, strategy: top.strategy, type: 'click' },
      { item_id: top.id, strategy: top.strategy, type: 'impression' },
    ]);

    // C5 now, and plenty of interest in equity funds: they show up, with the reason in words
    const now = Date.now();
    const equityFunds = generateCatalog({ size: 300, now }).filter((i) => i.category === 'equity_fund' && i.start <= now && (i.end ?? Infinity) > now);
    await send(equityFunds.slice(0, 6).flatMap(({ id }) => [event({ userId: 'investor', properties: { itemId: id } }), event({ userId: 'investor', properties: { itemId: id } })]));
    const after = (await (await decide(ask({ userId: 'investor' }))).json()) as DecideResponse;
    const shown = Object.values(after.slots).flatMap((s) => s.items).filter((i) => i.category === 'equity_fund');
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.flatMap((i) => i.reasons.map((r) => r.label))).toContain('You have been looking at equity funds');

    // personalisation off: none of that is used
    const off = (await (await decide(ask({ userId: 'investor', personalized: false }))).json()) as DecideResponse;
    expect(Object.values(off.slots).flatMap((s) => s.items).flatMap((i) => i.reasons.map((r) => r.feature)).filter((f) => PERSONAL.has(f as Feature))).toEqual([]);
  });
});

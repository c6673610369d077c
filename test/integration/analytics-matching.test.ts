// @vitest-environment node
/**
 * Matching per campaign and per model, and the candidates suitability removed, against planted
 * truths: decisions come from the real engine (POST /v1/decide on a catalog built for it), the
 * engine's decision log records each item's campaign and the refused candidates, the feedback goes
 * in through POST /v1/events, and the expected numbers follow from the plant, not from the code.
 *
 * The plant: a catalog of 4 R1 funds and 5 R4 funds (the picks pool), and 2 ads, the Wealth Week
 * ad (R1, pinned by the default `wealth_week` campaign on the wealth page) and an R5 ad. A customer
 * of unknown tolerance may see R1–R2 only, so each of their decisions has exactly 6 unsuitable
 * candidates (5 funds, 1 ad); a customer whose stored tolerance is C5 has none.
 */
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SlotwiseEvent } from '../../sdk/contract';
import type { MatchingAnswer } from '../../sdk/contract-analytics';
import { createAnalyticsRoutes, createAnalyticsStore } from '../../server-stub/analytics';
import { startServer, type TestServer } from '../helpers/server';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12);
const APP = 'suit';
const headers = { 'content-type': 'application/json', 'x-slotwise-key': APP };

const catalog = [
  ...[0, 1, 2, 3].map((k) => ({ id: `fund-r1-${k}`, kind: 'fund', category: `c${k}`, risk: 'R1', title: `Fund R1 #${k}` })),
  ...[0, 1, 2, 3, 4].map((k) => ({ id: `fund-r4-${k}`, kind: 'fund', category: `c${k}`, risk: 'R4', title: `Fund R4 #${k}` })),
  { id: 'wealth-week-ad', kind: 'ad', category: 'ad', risk: 'R1', title: 'Wealth Week' },
  { id: 'ad-r5', kind: 'ad', category: 'ad', risk: 'R5', title: 'Ad R5' },
];
const UNSUITABLE_FOR_UNKNOWN = 6;

let server: TestServer;
let api: Hono;
let dir: string;
let seq = 0;

function ev(user: string, type: SlotwiseEvent['type'], o: Partial<SlotwiseEvent>): SlotwiseEvent {
  return {
    id: `m${++seq}`, type, name: type, ts: NOW - DAY, anonymousId: `anon-${user}`, userId: user, sessionId: `s-${user}`, properties: {},
    context: { channel: 'web', page: { url: 'https://bank.example/wealth', path: '/wealth' }, sdk: { name: 'slotwise', version: 'test' } }, ...o,
  };
}
async function send(events: SlotwiseEvent[]) {
  const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify({ sentAt: NOW, events }) });
  expect(r.status).toBe(200);
}
async function decide(user: string) {
  const body = { anonymousId: `anon-${user}`, userId: user, sessionId: `s-${user}`, context: { page: '/wealth', channel: 'web', locale: 'en' }, slots: [{ id: 'w.picks', kind: 'picks', count: 3 }, { id: 'w.ad', kind: 'ad', count: 1 }] };
  const r = await fetch(`${server.url}/v1/decide`, { method: 'POST', headers, body: JSON.stringify(body) });
  expect(r.status).toBe(200);
  return (await r.json()) as { decisionId: string; slots: Record<string, { items: { id: string; position: number; risk?: string }[] }> };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slotwise-an-matching-'));
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));
  server = await startServer({ keys: [{ key: APP, app: APP }], catalogFile: join(dir, 'catalog.json'), rateLimit: false, now: () => NOW });
  const db = new Database(join(server.dataDir, 'slotwise.db'));
  db.pragma('busy_timeout = 5000');
  api = new Hono().route('/admin/v1', createAnalyticsRoutes({ store: createAnalyticsStore({ db }), authorize: async (_c, next) => next(), now: () => NOW }));
}, 60_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('per campaign and per model, and the candidates suitability removed', async () => {
  // five customers store C5 (an identify the engine applies before their decide)
  await send([0, 1, 2, 3, 4].map((u) => ev(`bold${u}`, 'identify', { name: 'identify', properties: { riskTolerance: 'C5' }, ts: NOW - 2 * DAY })));
  await server.handle().engine.flush();

  const feedback: SlotwiseEvent[] = [];
  /** impressions planted per campaign ('' = no campaign) */
  const planted = new Map<string, number>();
  let decisions = 0;
  for (const user of [...Array.from({ length: 10 }, (_, u) => `shy${u}`), ...Array.from({ length: 5 }, (_, u) => `bold${u}`)]) {
    const d = await decide(user);
    decisions++;
    const ad = d.slots['w.ad']!.items;
    // the campaign's pin holds the ad slot for everyone: it is suitable for every tolerance
    expect(ad.map((i) => i.id)).toEqual(['wealth-week-ad']);
    if (user.startsWith('shy')) expect(Object.values(d.slots).flatMap((s) => s.items).every((i) => i.risk === 'R1')).toBe(true);
    for (const [slotId, slot] of Object.entries(d.slots)) {
      for (const item of slot.items) {
        const campaign = item.id === 'wealth-week-ad' ? 'wealth_week' : '';
        // 3 impressions of the campaign's ad, 2 of every other item, each with the decision
        const n = campaign ? 3 : 2;
        for (let k = 0; k < n; k++) feedback.push(ev(user, 'impression', { name: 'impression', decisionId: d.decisionId, slotId, itemId: item.id, position: item.position, ts: NOW - DAY + k }));
        planted.set(campaign, (planted.get(campaign) ?? 0) + n);
      }
    }
  }
  await send(feedback);
  await server.handle().engine.flush();

  let body: MatchingAnswer | undefined;
  for (let i = 0; i < 100; i++) {
    const res = await api.request(`/admin/v1/apps/${APP}/analytics/matching?from=2026-11-01&to=2026-11-20&by=campaign`);
    expect(res.status).toBe(200);
    body = (await res.json()) as MatchingAnswer;
    if (body.unmatchedFeedback === 0 && body.totals.impressions === feedback.length && body.suitability.reduce((n, m) => n + m.decisions, 0) === decisions) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(body!.unmatchedFeedback).toBe(0);
  expect(Object.fromEntries(body!.groups.map((g) => [g.value, g.impressions]))).toEqual(Object.fromEntries(planted));
  expect(planted.get('wealth_week')).toBe(15 * 3);

  // 10 customers of unknown tolerance, 6 unsuitable candidates each; the C5 customers none
  expect(body!.suitabilityRemoved).toBe(10 * UNSUITABLE_FOR_UNKNOWN);
  expect(body!.suitability).toHaveLength(1);
  expect(body!.suitability[0]).toMatchObject({ decisions, removed: 10 * UNSUITABLE_FOR_UNKNOWN });

  // per model: the one model version that served them, with every impression
  const byModel = (await (await api.request(`/admin/v1/apps/${APP}/analytics/matching?from=2026-11-01&to=2026-11-20&by=model`)).json()) as MatchingAnswer;
  expect(byModel.groups.map((g) => [g.value, g.impressions])).toEqual([[body!.suitability[0]!.model, feedback.length]]);
});

// @vitest-environment node
/**
 * The scenario analyses against planted truths: events go in through the real server's
 * POST /v1/events (and decisions through /v1/decide), the analytics read them through their own
 * connection and routes, and every expected number is known by construction of the plant — never
 * by re-running the computation under test.
 */
import Database from 'better-sqlite3';
import { Hono, type MiddlewareHandler } from 'hono';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SlotwiseEvent } from '../../sdk/contract';
import type { ChurnAnswer, EventAnswer, FunnelAnswer, MatchingAnswer, PathAnswer, ViralAnswer, AcquisitionAnswer, ActivationAnswer } from '../../sdk/contract-analytics';
import { createAnalyticsRoutes, createAnalyticsStore } from '../../server-stub/analytics';
import { startServer, type TestServer } from '../helpers/server';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
/** 2026-11-01 00:00 UTC: the ranges below start here */
const D0 = Date.UTC(2026, 10, 1);
const NOW = Date.UTC(2026, 10, 30, 23);
const APPS = ['funnel', 'cohorts', 'viral', 'matching', 'activation', 'path', 'event', 'acquisition'];

let server: TestServer;
let api: Hono;
let seq = 0;

/** a real middleware: only a request with the viewer header passes */
const authorize: MiddlewareHandler = async (c, next) => {
  if (c.req.header('x-test-role') !== 'viewer') return c.json({ error: { code: 'forbidden', message: 'viewer and up', path: '' } }, 403);
  await next();
};

function ev(user: string, name: string, ts: number, o: Partial<SlotwiseEvent> & { url?: string; referrer?: string; channel?: 'web' | 'app' } = {}): SlotwiseEvent {
  const { url = 'https://bank.example/index.html', referrer, channel = 'web', ...rest } = o;
  return {
    id: `e${++seq}`,
    type: 'track',
    name,
    ts,
    anonymousId: `anon-${user}`,
    userId: user,
    sessionId: rest.sessionId ?? `s-${user}-${Math.floor(ts / DAY)}`,
    properties: {},
    context: { channel, page: { url, path: new URL(url).pathname, ...(referrer ? { referrer } : {}) }, sdk: { name: 'slotwise', version: 'test' } },
    ...rest,
  };
}

async function send(app: string, events: SlotwiseEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const res = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slotwise-key': app },
      body: JSON.stringify({ sentAt: NOW, events: events.slice(i, i + 500) }),
    });
    expect(res.status).toBe(200);
  }
}

async function get<T>(path: string, role = 'viewer'): Promise<{ status: number; body: T }> {
  const res = await api.request(path, { headers: { 'x-test-role': role } });
  const text = await res.text();
  return { status: res.status, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

const range = 'from=2026-11-01&to=2026-11-30';

beforeAll(async () => {
  server = await startServer({ keys: APPS.map((a) => ({ key: a, app: a })), rateLimit: false, now: () => NOW });
  const db = new Database(join(server.dataDir, 'slotwise.db'));
  db.pragma('busy_timeout = 5000');
  api = new Hono().route('/admin/v1', createAnalyticsRoutes({ store: createAnalyticsStore({ db }), authorize, now: () => NOW }));
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('funnel', () => {
  test('planted 1 000 → 600 → 300, with out-of-order, out-of-window and out-of-range distractors', async () => {
    const events: SlotwiseEvent[] = [];
    for (let i = 0; i < 1000; i++) {
      const u = `f${i}`;
      const t = D0 + 2 * DAY + (i % 20) * DAY + HOUR;
      if (i < 300) events.push(ev(u, 'f_a', t), ev(u, 'f_b', t + 10 * MIN), ev(u, 'f_c', t + 30 * MIN));
      else if (i < 600) events.push(ev(u, 'f_a', t), ev(u, 'f_b', t + 10 * MIN), ev(u, 'f_c', t + 2 * DAY)); // c past the 1-day window
      else if (i < 800) events.push(ev(u, 'f_b', t - HOUR), ev(u, 'f_a', t), ev(u, 'f_c', t + HOUR)); // b before a: out of order
      else events.push(ev(u, 'f_a', t), ev(u, 'f_b', t + 2 * DAY)); // b past the window
    }
    // entered before the range: never counted, even though their later steps fall inside it
    for (let i = 0; i < 50; i++) events.push(ev(`g${i}`, 'f_a', D0 - HOUR), ev(`g${i}`, 'f_b', D0 + HOUR), ev(`g${i}`, 'f_c', D0 + 2 * HOUR));
    // shuffled arrival: the analysis orders by device time
    events.reverse();
    await send('funnel', events);
    const { status, body } = await get<FunnelAnswer>(`/admin/v1/apps/funnel/analytics/funnel?${range}&steps=f_a,f_b,f_c&window=1d`);
    expect(status).toBe(200);
    expect(body.steps.map((s) => s.customers)).toEqual([1000, 600, 300]);
    expect(body.steps.map((s) => s.droppedAfter)).toEqual([400, 300, 0]);
    expect(body.steps[1]!.fromPrevious).toBe(0.6);
    expect(body.steps[2]!.fromFirst).toBe(0.3);
    expect(body.steps[1]!.medianMsFromPrevious).toBe(10 * MIN);
    expect(body.steps[2]!.medianMsFromPrevious).toBe(20 * MIN);

    // an audience of the drop-outs after step 1 holds exactly the 400 planted ones
    const res = await api.request(`/admin/v1/apps/funnel/analytics/funnel/audience?${range}&steps=f_a,f_b,f_c&window=1d&list=dropped:1`, {
      method: 'POST',
      headers: { 'x-test-role': 'viewer', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'loan drop-outs' }),
    });
    expect(res.status).toBe(201);
    const saved = (await res.json()) as { id: string; size: number };
    expect(saved.size).toBe(400);
    const { body: full } = await get<{ userIds: string[] }>(`/admin/v1/apps/funnel/audiences/${saved.id}`);
    const expected = Array.from({ length: 400 }, (_, k) => `f${600 + k}`).sort();
    expect([...full.userIds].sort()).toEqual(expected);
    // and filtering by it keeps only them: none of them reached step 2
    const { body: within } = await get<FunnelAnswer>(`/admin/v1/apps/funnel/analytics/funnel?${range}&steps=f_a,f_b,f_c&window=1d&audience=${saved.id}`);
    expect(within.steps.map((s) => s.customers)).toEqual([400, 0, 0]);

    const csv = await get<string>(`/admin/v1/apps/funnel/analytics/funnel?${range}&steps=f_a,f_b,f_c&window=1d&format=csv`);
    expect(csv.body.split('\r\n')[1]).toBe('f_a,1000,1,1,,400');
  });
});

describe('churn: retention cohorts', () => {
  test('planted weekly cohorts give the exact retention matrix', async () => {
    const events: SlotwiseEvent[] = [];
    // week 0 cohort: 100 customers; 50 back in week 1, 25 of those also in week 2
    for (let i = 0; i < 100; i++) {
      events.push(ev(`c0-${i}`, 'visit', D0 + (i % 7) * DAY + HOUR));
      if (i < 50) events.push(ev(`c0-${i}`, 'visit', D0 + 7 * DAY + 2 * HOUR));
      if (i < 25) events.push(ev(`c0-${i}`, 'visit', D0 + 15 * DAY));
    }
    // week 1 cohort: 40 customers, 10 back in week 2 (relative: their week 1)
    for (let i = 0; i < 40; i++) {
      events.push(ev(`c1-${i}`, 'visit', D0 + 8 * DAY));
      if (i < 10) events.push(ev(`c1-${i}`, 'visit', D0 + 16 * DAY));
    }
    await send('cohorts', events);
    const { body } = await get<ChurnAnswer>(`/admin/v1/apps/cohorts/analytics/churn?from=2026-11-01&to=2026-11-21&weeks=3`);
    expect(body.retention.cohorts.map((c) => [c.customers, ...c.retained])).toEqual([
      [100, 100, 50, 25],
      [40, 40, 10, null],
      [0, 0, null, null],
    ]);
    expect(body.retention.cohorts[0]!.rates).toEqual([1, 0.5, 0.25]);
  });
});

describe('viral', () => {
  test('a planted referral tree: K-factor 0.8, cycle time 2.5 days', async () => {
    const events: SlotwiseEvent[] = [];
    let g1 = 0;
    for (let r = 0; r < 10; r++) {
      const root = `root${r}`;
      const t = D0 + DAY;
      events.push(ev(root, 'visit', t));
      for (let k = 0; k < 2; k++) {
        events.push(ev(root, 'referral_invite', t + HOUR));
        const child = `g1-${g1++}`;
        const tc = t + 2 * DAY;
        events.push(ev(child, 'referral_accept', tc, { properties: { referrer: root } }));
        events.push(ev(child, 'referral_invite', tc + HOUR));
        events.push(ev(`g2-${child}`, 'referral_accept', tc + 3 * DAY, { properties: { referrer: child } }));
      }
    }
    // a self-referral and one naming nobody: neither counts
    events.push(ev('loner', 'referral_accept', D0 + 3 * DAY, { properties: { referrer: 'loner' } }));
    events.push(ev('ghost-child', 'referral_accept', D0 + 3 * DAY, { properties: { referrer: 'nobody' } }));
    await send('viral', events);
    const { body } = await get<ViralAnswer>(`/admin/v1/apps/viral/analytics/viral?${range}`);
    expect(body.invitations).toBe(40);
    expect(body.senders).toBe(30);
    expect(body.accepted).toBe(40);
    expect(body.acceptance).toBe(1);
    expect(body.cohort).toBe(52); // 10 roots + 20 + 20 + loner + ghost-child
    expect(body.kFactor).toBe(Math.round((40 / 52) * 1e4) / 1e4);
    expect(body.cycleTimeMs).toBe(2.5 * DAY);
    expect(body.topInviters[0]).toEqual({ customer: 'root0', accepted: 2 });
  });
});

describe('matching', () => {
  test('a strategy planted with twice the click rate reads twice the click-through', async () => {
    const decide = async (user: string) => {
      const res = await fetch(`${server.url}/v1/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-slotwise-key': 'matching' },
        body: JSON.stringify({ anonymousId: `anon-${user}`, userId: user, sessionId: `s-${user}`, context: { page: '/', channel: 'web', locale: 'en' }, slots: [{ id: 'home.today', kind: 'picks', count: 4 }] }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { decisionId: string; slots: Record<string, { items: { id: string; strategy: string; position: number }[] }> };
    };
    const events: SlotwiseEvent[] = [];
    const expected = new Map<string, { imp: number; clk: number }>();
    let favoured: string | undefined;
    for (let u = 0; u < 60; u++) {
      const d = await decide(`m${u}`);
      for (const item of d.slots['home.today']!.items) {
        favoured ??= item.strategy;
        const e = expected.get(item.strategy) ?? { imp: 0, clk: 0 };
        expected.set(item.strategy, e);
        const base = { decisionId: d.decisionId, slotId: 'home.today', itemId: item.id, position: item.position };
        // 10 impressions each; the favoured strategy's items get 4 clicks, the others 2
        for (let k = 0; k < 10; k++) events.push(ev(`m${u}`, 'impression', D0 + 3 * DAY + k, { type: 'impression', ...base }));
        const clicks = item.strategy === favoured ? 4 : 2;
        for (let k = 0; k < clicks; k++) events.push(ev(`m${u}`, 'click', D0 + 3 * DAY + 20 + k, { type: 'click', ...base }));
        e.imp += 10;
        e.clk += clicks;
      }
    }
    await send('matching', events);
    // the engine logs decisions from its writer thread: wait until every feedback event found its decision
    let body: MatchingAnswer | undefined;
    for (let i = 0; i < 100; i++) {
      body = (await get<MatchingAnswer>(`/admin/v1/apps/matching/analytics/matching?${range}`)).body;
      if (body.unmatchedFeedback === 0 && body.totals.impressions === events.filter((e) => e.type === 'impression').length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body!.unmatchedFeedback).toBe(0);
    for (const [strategy, e] of expected) {
      const g = body!.groups.find((x) => x.value === strategy)!;
      expect(g.impressions).toBe(e.imp);
      expect(g.clicks).toBe(e.clk);
      expect(g.ctr).toBe(strategy === favoured ? 0.4 : 0.2);
    }
  });
});

describe('activation', () => {
  test('planted new, returning, reactivated and dormant customers per week', async () => {
    const events: SlotwiseEvent[] = [];
    // 10 old customers active on Oct 1 only: dormant all through November (D = 14)
    for (let i = 0; i < 10; i++) events.push(ev(`old${i}`, 'visit', Date.UTC(2026, 9, 1, 9)));
    // 5 of another old group active Oct 1, back on Nov 3 through a winback campaign link: reactivated in week 0
    for (let i = 0; i < 5; i++) {
      events.push(ev(`back${i}`, 'visit', Date.UTC(2026, 9, 1, 9)));
      events.push(ev(`back${i}`, 'visit', D0 + 2 * DAY + HOUR, { url: 'https://bank.example/index.html?utm_campaign=winback' }));
    }
    // 8 new in week 0, 4 of them back in week 1 (returning)
    for (let i = 0; i < 8; i++) {
      events.push(ev(`new${i}`, 'visit', D0 + DAY));
      if (i < 4) events.push(ev(`new${i}`, 'visit', D0 + 8 * DAY));
    }
    await send('activation', events);
    const { body } = await get<ActivationAnswer>(`/admin/v1/apps/activation/analytics/activation?from=2026-11-01&to=2026-11-14&dormantDays=14&campaign=winback`);
    expect(body.series.map((s) => [s.active, s.new, s.returning, s.reactivated])).toEqual([
      [13, 8, 0, 5],
      [4, 0, 4, 0],
    ]);
    // dormant at the end of week 0 (Nov 7): the 10 old ones; at the end of week 1 (Nov 14) still
    // only them: the 4 not back were active Nov 2, 12 days earlier, and the 5 back on Nov 3, 11 days
    expect(body.series.map((s) => s.dormant)).toEqual([10, 10]);
    expect(body.dormantAtStart).toBe(15);
    expect(body.campaign).toEqual({ campaign: 'winback', broughtBack: 5, share: Math.round((5 / 15) * 1e4) / 1e4 });
  });
});

describe('path', () => {
  test('the top next events after a start, within its session, as Sankey links', async () => {
    const events: SlotwiseEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const u = `p${i}`;
      const t = D0 + 5 * DAY + i * MIN;
      const s = { sessionId: `ps${i}` };
      events.push(ev(u, 'exit', t, s));
      if (i < 20) events.push(ev(u, 'search', t + 1000, s), ev(u, i < 15 ? 'view' : 'buy', t + 2000, s));
      else events.push(ev(u, 'help', t + 1000, s));
      // the next session's events are not part of this path
      events.push(ev(u, 'later', t + HOUR, { sessionId: `ps${i}-2` }));
    }
    await send('path', events);
    const { body } = await get<PathAnswer>(`/admin/v1/apps/path/analytics/path?${range}&start=exit&steps=2&top=5`);
    expect(body.sessions).toBe(30);
    const link = (a: string, b: string) => body.links.find((l) => l.source === a && l.target === b)?.count;
    expect(link('0:exit', '1:search')).toBe(20);
    expect(link('0:exit', '1:help')).toBe(10);
    expect(link('1:search', '2:view')).toBe(15);
    expect(link('1:search', '2:buy')).toBe(5);
    expect(link('1:help', '2:(end)')).toBe(10);
    expect(body.links.some((l) => l.target.endsWith(':later'))).toBe(false);
    expect(body.paths[0]).toEqual({ events: ['search', 'view'], count: 15 });
    // backwards from an end event: nearest first
    const back = (await get<PathAnswer>(`/admin/v1/apps/path/analytics/path?${range}&end=view&steps=3`)).body;
    expect(back.direction).toBe('previous');
    expect(back.paths).toEqual([{ events: ['search', 'exit', '(end)'], count: 15 }]);
  });
});

describe('event', () => {
  test('counts and unique customers per day against the previous period', async () => {
    const events: SlotwiseEvent[] = [];
    // range Nov 11–20 (10 days); previous period Nov 1–10
    for (let i = 0; i < 40; i++) events.push(ev(`v${i % 10}`, 'fund_view', D0 + 10 * DAY + (i % 10) * DAY + HOUR, { properties: { fund: i % 2 ? 'bond' : 'equity' } }));
    for (let i = 0; i < 25; i++) events.push(ev(`v${i % 5}`, 'fund_view', D0 + (i % 10) * DAY + HOUR, { channel: 'app' }));
    await send('event', events);
    const { body } = await get<EventAnswer>(`/admin/v1/apps/event/analytics/event?from=2026-11-11&to=2026-11-20&events=fund_view&by=prop:fund`);
    const e = body.events[0]!;
    expect([e.count, e.uniques]).toEqual([40, 10]);
    expect(e.previous).toEqual({ count: 25, uniques: 5, change: 0.6 });
    expect(e.series[0]).toEqual({ start: '2026-11-11', count: 4, uniques: 1, previousCount: 3, previousUniques: 1 });
    expect(e.groups).toEqual([
      { value: 'bond', count: 20, uniques: 5 },
      { value: 'equity', count: 20, uniques: 5 },
    ]);
    // the rollup (no breakdown, or by channel) and the event rows (by a property) agree
    for (const q of ['', '&by=channel', '&interval=week']) {
      const rolled = (await get<EventAnswer>(`/admin/v1/apps/event/analytics/event?from=2026-11-11&to=2026-11-20&events=fund_view${q}`)).body.events[0]!;
      expect([rolled.count, rolled.uniques, rolled.previous]).toEqual([e.count, e.uniques, e.previous]);
      if (q === '') expect(rolled.series).toEqual(e.series);
      if (q === '&by=channel') expect(rolled.groups).toEqual([{ value: 'web', count: 40, uniques: 10 }]);
      if (q === '&interval=week') expect(rolled.series.map((x) => [x.count, x.previousCount])).toEqual([[28, 19], [12, 6]]);
    }
    const web = (await get<EventAnswer>(`/admin/v1/apps/event/analytics/event?from=2026-11-11&to=2026-11-20&events=fund_view&channel=app`)).body.events[0]!;
    expect([web.count, web.previous!.count]).toEqual([0, 25]);
  });
});

describe('acquisition', () => {
  test('new customers by first-touch source, activated within N days', async () => {
    const events: SlotwiseEvent[] = [];
    const t = D0 + 4 * DAY;
    for (let i = 0; i < 12; i++) {
      // first touch from paid search; a later visit from WeChat does not change the source
      events.push(ev(`s${i}`, 'page', t + i * MIN, { type: 'page', url: 'https://bank.example/loans.html?utm_source=baidu&utm_medium=cpc&utm_campaign=spring' }));
      events.push(ev(`s${i}`, 'page', t + DAY, { type: 'page', url: 'https://bank.example/?utm_source=wechat' }));
      if (i < 3) events.push(ev(`s${i}`, 'loan_apply_submit', t + 2 * DAY));
      if (i === 3) events.push(ev(`s${i}`, 'loan_apply_submit', t + 9 * DAY)); // after 7 days: not activated
    }
    for (let i = 0; i < 5; i++) events.push(ev(`r${i}`, 'page', t, { type: 'page', referrer: 'https://partner.example/x' }));
    for (let i = 0; i < 3; i++) events.push(ev(`d${i}`, 'page', t, { type: 'page' }));
    // a segment trait on 4 of the paid-search customers (2 of them activated) and one direct one
    for (const u of ['s0', 's1', 's7', 's8', 'd0']) events.push(ev(u, 'identify', t + 3 * DAY, { type: 'identify', properties: { segment: 'affluent' } }));
    await send('acquisition', events);
    const { body } = await get<AcquisitionAnswer>(`/admin/v1/apps/acquisition/analytics/acquisition?${range}`);
    expect(body.totals).toEqual({ new: 20, activated: 3, rate: 0.15 });
    expect(body.groups).toEqual([
      { value: 'baidu', new: 12, activated: 3, rate: 0.25 },
      { value: 'partner.example', new: 5, activated: 0, rate: 0 },
      { value: 'direct', new: 3, activated: 0, rate: 0 },
    ]);
    const affluent = (await get<AcquisitionAnswer>(`/admin/v1/apps/acquisition/analytics/acquisition?${range}&segment=affluent`)).body;
    expect(affluent.totals).toEqual({ new: 5, activated: 2, rate: 0.4 });
    expect(affluent.groups.map((g) => [g.value, g.new])).toEqual([
      ['baidu', 4],
      ['direct', 1],
    ]);
    const byMedium = (await get<AcquisitionAnswer>(`/admin/v1/apps/acquisition/analytics/acquisition?${range}&by=medium`)).body;
    expect(byMedium.groups.map((g) => [g.value, g.new])).toEqual([
      ['cpc', 12],
      ['referral', 5],
      ['none', 3],
    ]);
  });
});

describe('the API boundary', () => {
  test.each([
    ['funnel?window=7x', 'window'],
    ['funnel?steps=only_one', 'steps'],
    ['event?from=2026-13-01', 'from'],
    ['event?from=2026-11-20&to=2026-11-01', 'from'],
    ['acquisition?by=planet', 'by'],
    ['acquisition?days=0', 'days'],
    ['churn?minRisk=2', 'minRisk'],
    ['path?start=a&end=b', 'end'],
    ['viral?colour=red', 'colour'],
    ['matching?channel=tv', 'channel'],
    ['activation?audience=nope', 'audience'],
  ])('GET …/analytics/%s → 400 naming %s', async (query, param) => {
    const { status, body } = await get<{ error: { code: string; message: string; path: string } }>(`/admin/v1/apps/event/analytics/${query}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_param');
    expect(body.error.path).toBe(param);
    expect(body.error.message).toContain(param);
  });

  test('an unknown analysis is 404, a missing role 403', async () => {
    expect((await get('/admin/v1/apps/event/analytics/horoscope')).status).toBe(404);
    expect((await get('/admin/v1/apps/event/analytics/event', 'nobody')).status).toBe(403);
  });

  test('every analysis answers with its defaults', async () => {
    for (const name of ['acquisition', 'activation', 'funnel', 'path', 'event', 'viral', 'matching', 'churn']) {
      const { status, body } = await get<{ analysis: string; from: string; to: string }>(`/admin/v1/apps/acquisition/analytics/${name}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ analysis: name, from: '2026-11-01', to: '2026-11-30' });
    }
  });
});

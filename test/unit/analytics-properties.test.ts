// @vitest-environment node
/**
 * Properties of the analyses over random histories (fast-check), each checked against a brute-force
 * count written here from the definitions in the README, and the churn model on a planted history.
 * Events are written straight into a real SQLite store (`events`, as ingest stores them); the
 * analyses read them through their feed and routes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import type { AcquisitionAnswer, ActivationAnswer, ChurnAnswer, FunnelAnswer } from '../../sdk/contract-analytics';
import { createAnalyticsRoutes, createAnalyticsStore } from '../../server-stub/analytics';
import { openDb, type Db } from '../../server-stub/store/db';

const DAY = 86_400_000;
const D0 = Date.UTC(2026, 10, 1);
const NOW = Date.UTC(2026, 10, 30, 12);
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Plant {
  user: string;
  name: string;
  ts: number;
  props?: Record<string, unknown>;
}

function storeWith(events: Plant[]): { db: Db; dir: string; routes: ReturnType<typeof createAnalyticsRoutes>; ask: <T>(path: string) => Promise<T> } {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-analytics-'));
  dirs.push(dir);
  const db = openDb(dir);
  const insert = db.prepare(
    `INSERT INTO events (id, app_key, type, name, ts, received_at, anonymous_id, user_id, session_id, properties, context)
     VALUES (?, 'p', 'track', ?, ?, 0, ?, ?, ?, ?, '{"channel":"web","sdk":{"name":"t","version":"t"}}')`,
  );
  db.transaction(() => events.forEach((e, i) => insert.run(`e${i}`, e.name, e.ts, `anon-${e.user}`, e.user, `s-${e.user}`, JSON.stringify(e.props ?? {}))))();
  const routes = createAnalyticsRoutes({ store: createAnalyticsStore({ db }), authorize: async (_c, next) => next(), now: () => NOW });
  return {
    db,
    dir,
    routes,
    ask: async <T>(path: string) => {
      const res = await routes.request(path);
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    },
  };
}

/** dense histories of a few customers around the range 2026-11-01 … 11-08: some before it, some after */
const plants = fc.array(
  fc.record({
    user: fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5'),
    name: fc.constantFrom('a', 'b', 'c', 'x'),
    // whole hours, so steps fall exactly on window ends too
    ts: fc.integer({ min: -48, max: 11 * 24 }).map((h) => D0 + h * 3_600_000),
  }),
  { minLength: 20, maxLength: 150 },
);
const RANGE = 'from=2026-11-01&to=2026-11-08';
const TO = D0 + 8 * DAY;

describe('funnel, over random histories', () => {
  test('every step count equals a brute-force walk of the definition', async () => {
    await fc.assert(
      fc.asyncProperty(plants, fc.constantFrom(6, 24, 72), async (events, windowHours) => {
        const { db, ask } = storeWith(events);
        const body = await ask<FunnelAnswer>(`/apps/p/analytics/funnel?${RANGE}&steps=a,b,c&window=${windowHours}h`);
        db.close();
        const from = D0;
        const to = TO;
        const expected = [0, 0, 0];
        for (const user of new Set(events.map((e) => e.user))) {
          // stored order: device time, then arrival (the array index)
          const mine = events.map((e, i) => ({ ...e, i })).filter((e) => e.user === user).sort((p, q) => p.ts - q.ts || p.i - q.i);
          const entry = mine.findIndex((e) => e.name === 'a' && e.ts >= from && e.ts < to);
          if (entry < 0) continue;
          const end = mine[entry]!.ts + windowHours * 3_600_000;
          let reached = 1;
          for (const e of mine.slice(entry + 1)) if (e.ts < end && reached < 3 && e.name === 'abc'[reached]) reached++;
          for (let k = 0; k < reached; k++) expected[k]!++;
        }
        expect(body.steps.map((s) => s.customers)).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('acquisition, over random histories', () => {
  test('new customers are those whose earliest event falls in the range, whatever the arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(plants, async (events) => {
        const { db, ask } = storeWith(events);
        const body = await ask<AcquisitionAnswer>(`/apps/p/analytics/acquisition?${RANGE}&activation=c&days=3`);
        db.close();
        const first = new Map<string, number>();
        for (const e of events) first.set(e.user, Math.min(first.get(e.user) ?? Infinity, e.ts));
        const fresh = [...first].filter(([, t]) => t >= D0 && t < TO);
        const activated = fresh.filter(([u, t]) => events.some((e) => e.user === u && e.name === 'c' && e.ts < t + 3 * DAY));
        expect(body.totals.new).toBe(fresh.length);
        expect(body.totals.activated).toBe(activated.length);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('activation, over random histories', () => {
  test('active, new, reactivated and dormant per week equal a brute-force reading of the whole history', async () => {
    const visits = fc.array(
      fc.record({ user: fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'), day: fc.integer({ min: -60, max: 20 }) }),
      { minLength: 5, maxLength: 80 },
    );
    await fc.assert(
      fc.asyncProperty(visits, fc.constantFrom(3, 7, 14), async (list, D) => {
        const { db, ask } = storeWith(list.map((v) => ({ user: v.user, name: 'visit', ts: D0 + v.day * DAY + 3_600_000 })));
        const body = await ask<ActivationAnswer>(`/apps/p/analytics/activation?from=2026-11-01&to=2026-11-18&dormantDays=${D}`);
        db.close();
        const days = new Map<string, Set<number>>();
        for (const v of list) days.set(v.user, (days.get(v.user) ?? new Set()).add(v.day));
        const expected = [0, 7, 14].map((a) => {
          const b = Math.min(a + 6, 17);
          let active = 0;
          let fresh = 0;
          let reactivated = 0;
          let dormant = 0;
          for (const set of days.values()) {
            const first = Math.min(...set);
            if (first <= b && ![...set].some((d) => d > b - D && d <= b)) dormant++;
            const inP = [...set].filter((d) => d >= a && d <= b).sort((x, y) => x - y);
            if (!inP.length) continue;
            active++;
            if (first >= a) fresh++;
            else if (![...set].some((d) => d < inP[0]! && d >= inP[0]! - D)) reactivated++;
          }
          return [active, fresh, active - fresh - reactivated, reactivated, dormant];
        });
        expect(body.series.map((s) => [s.active, s.new, s.returning, s.reactivated, s.dormant])).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});

describe('churn risk', () => {
  test('a planted history: the customers who fade score higher than those who stay, with reasons', async () => {
    const events: Plant[] = [];
    // 120 customers visit every other day all along; 120 visited often until 6 weeks ago, then
    // ever more rarely, then not at all. The model learns from the weeks before; it is asked about now.
    for (let i = 0; i < 120; i++) for (let d = -84; d < 30; d += 2) events.push({ user: `stay${i}`, name: 'visit', ts: D0 + d * DAY + (i % 12) * 3_600_000 });
    for (let i = 0; i < 120; i++) {
      const stop = -20 + (i % 40); // the last visit: 20 days before the range to 19 days into it
      for (let d = -84; d <= stop; d += d < stop - 14 ? 2 : 6) events.push({ user: `fade${i}`, name: 'visit', ts: D0 + d * DAY + 3_600_000 });
    }
    const { db, ask } = storeWith(events);
    const body = await ask<ChurnAnswer>('/apps/p/analytics/churn?from=2026-11-01&to=2026-11-30&minRisk=0&top=1000');
    // asked again, the remembered model reads less history and scores the same
    expect(await ask<ChurnAnswer>('/apps/p/analytics/churn?from=2026-11-01&to=2026-11-30&minRisk=0&top=1000')).toEqual(body);
    db.close();
    expect(body.risk.model).not.toBeNull();
    expect(body.risk.model!.auc).toBeGreaterThan(0.8);
    const scores = new Map(body.risk.customers.map((c) => [c.customer, c]));
    const stay = [...scores.values()].filter((c) => c.customer.startsWith('stay')).map((c) => c.score);
    const fade = [...scores.values()].filter((c) => c.customer.startsWith('fade')).map((c) => c.score);
    expect(stay).toHaveLength(120);
    expect(Math.max(...stay)).toBeLessThan(Math.max(...fade));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(fade)).toBeGreaterThan(mean(stay) + 0.2);
    // the riskiest customer's first reason is their absence
    expect(body.risk.customers[0]!.customer).toMatch(/^fade/);
    // its reasons are the terms that raise its risk, largest first
    const reasons = body.risk.customers[0]!.reasons;
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((r, k) => r.contribution > 0 && (k === 0 || r.contribution <= reasons[k - 1]!.contribution))).toBe(true);
  }, 60_000);
});

describe('the write lock held elsewhere', () => {
  test('an analysis that cannot feed answers 503 busy with Retry-After, then answers once the lock is free', async () => {
    const { db, dir, routes } = storeWith([{ user: 'u1', name: 'a', ts: D0 }]);
    db.pragma('busy_timeout = 0');
    const other = openDb(dir);
    other.prepare('BEGIN IMMEDIATE').run();
    other.prepare(`INSERT INTO events (id, app_key, type, name, ts, received_at, anonymous_id, session_id, properties, context) VALUES ('x', 'p', 'track', 'a', ?, 0, 'z', 's', '{}', '{}')`).run(D0);
    const busy = await routes.request('/apps/p/analytics/event?from=2026-11-01&to=2026-11-08');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('busy');
    other.prepare('COMMIT').run();
    other.close();
    const ok = await routes.request('/apps/p/analytics/event?from=2026-11-01&to=2026-11-08&events=a');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { events: { count: number }[] }).events[0]!.count).toBe(2);
    db.close();
  });
});

describe('CSV', () => {
  test('a device-sent name a spreadsheet would run as a formula is quoted as text', async () => {
    const { db, routes } = storeWith([
      { user: 'u1', name: '=HYPERLINK("http://x","y")', ts: D0 + 3_600_000 },
      { user: 'u2', name: 'plain', ts: D0 + 3_600_000 },
    ]);
    const res = await routes.request(`/apps/p/analytics/event?from=2026-11-01&to=2026-11-02&compare=false&format=csv`);
    db.close();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]).toBe('event,start,count,uniques,previous_count,previous_uniques');
    expect(lines).toContain(`"'=HYPERLINK(""http://x"",""y"")",2026-11-01,1,1,,`);
    expect(lines).toContain('plain,2026-11-01,1,1,,');
  });
});

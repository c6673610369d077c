// @vitest-environment node
/**
 * The demo history (`npm start` on a fresh data directory): the server fills the demo app, the
 * engine starts after it, and every analysis with its defaults shows something.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AcquisitionAnswer, ActivationAnswer, ChurnAnswer, EventAnswer, FunnelAnswer, MatchingAnswer, PathAnswer, ViralAnswer } from '../../sdk/contract-analytics';
import { createAnalyticsRoutes, createAnalyticsStore } from '../../server-stub/analytics';
import { startServer, type TestServer } from '../helpers/server';

const NOW = Date.UTC(2026, 11, 7, 12);
let server: TestServer;
let ask: <T>(name: string) => Promise<T>;

beforeAll(async () => {
  server = await startServer({ demoData: true, now: () => NOW });
  const db = new Database(join(server.dataDir, 'slotwise.db'));
  db.pragma('busy_timeout = 5000');
  const routes = createAnalyticsRoutes({ store: createAnalyticsStore({ db }), authorize: async (_c, next) => next(), now: () => NOW });
  ask = async <T>(name: string) => {
    const res = await routes.request(`/apps/demo/analytics/${name}`);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

test('a fresh store holds the demo history, and a restart adds nothing', async () => {
  const n = server.count('demo');
  expect(n).toBeGreaterThan(50_000);
  await server.restart();
  expect(server.count('demo')).toBe(n);
}, 60_000);

test('every analysis shows something with its defaults', async () => {
  const acquisition = await ask<AcquisitionAnswer>('acquisition');
  expect(acquisition.totals.new).toBeGreaterThan(100);
  expect(acquisition.groups.map((g) => g.value)).toEqual(expect.arrayContaining(['direct', 'baidu', 'wechat', 'partner.example']));
  expect(acquisition.totals.activated).toBeGreaterThan(0);

  const activation = await ask<ActivationAnswer>('activation');
  expect(activation.series.every((s) => s.active > 0 && s.dormant > 0)).toBe(true);
  expect(activation.series.some((s) => s.reactivated > 0)).toBe(true);

  const funnel = await ask<FunnelAnswer>('funnel');
  const counts = funnel.steps.map((s) => s.customers);
  expect(counts[0]).toBeGreaterThan(50);
  expect(counts.every((c, k) => k === 0 || c <= counts[k - 1]!)).toBe(true);
  expect(counts[4]).toBeGreaterThan(0);

  const path = await ask<PathAnswer>('path');
  expect(path.sessions).toBeGreaterThan(10);
  expect(path.links.length).toBeGreaterThan(3);

  const event = await ask<EventAnswer>('event');
  expect(event.events.map((e) => e.event)).toEqual(expect.arrayContaining(['page', 'impression']));
  expect(event.events[0]!.previous!.count).toBeGreaterThan(0);

  const viral = await ask<ViralAnswer>('viral');
  expect(viral.invitations).toBeGreaterThan(0);
  expect(viral.accepted).toBeGreaterThan(0);
  expect(viral.kFactor).toBeGreaterThan(0);

  const matching = await ask<MatchingAnswer>('matching');
  expect(matching.unmatchedFeedback).toBe(0);
  const ctr = Object.fromEntries(matching.groups.map((g) => [g.value, g.ctr]));
  // planted: affinity 9 %, editorial 3 % click-through
  expect(ctr.affinity!).toBeGreaterThan(ctr.editorial! * 2);

  const churn = await ask<ChurnAnswer>('churn');
  expect(churn.retention.cohorts[0]!.customers).toBeGreaterThan(0);
  expect(churn.risk.model).not.toBeNull();
  expect(churn.risk.customers.length).toBeGreaterThan(0);
}, 120_000);

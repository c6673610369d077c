// @vitest-environment node
/**
 * The feed off the request path: a backlog is projected in slices that yield the thread between
 * them (the event loop turns while it runs, so other requests are served), calls made meanwhile
 * share the one catch-up, and the answers equal those of a feed applied at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { createAnalyticsRoutes, createAnalyticsStore, fillDemoHistory } from '../../server-stub/analytics';
import { openDb } from '../../server-stub/store/db';

const NOW = Date.UTC(2026, 11, 7, 12);
const EVENTS = 20_000;
const dirs: string[] = [];

function backlog() {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-an-feed-'));
  dirs.push(dir);
  const db = openDb(dir);
  // the same seeded history in both stores, not yet projected: the analyses must catch up
  expect(fillDemoHistory({ db, now: NOW, customers: 800, events: EVENTS, project: false })).toBe(EVENTS);
  return db;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('a backlog is fed in slices that yield, shared by concurrent callers, with the same answers as at once', async () => {
  const sliced = createAnalyticsStore({ db: backlog() });
  const atOnce = createAnalyticsStore({ db: backlog() });

  let done = false;
  const first = sliced.catchUp().then((n) => ((done = true), n));
  const second = sliced.catchUp();
  // count the event loop's turns while it runs: each is a moment another request could be served
  let turns = 0;
  while (!done) {
    await new Promise((r) => setImmediate(r));
    turns++;
  }
  expect(await first).toBe(EVENTS);
  expect(await second).toBe(EVENTS);
  // one slice is at most 1 000 rows of events (or of decisions): at least a turn per slice of events
  expect(turns).toBeGreaterThanOrEqual(EVENTS / 1000);
  expect(await sliced.catchUp()).toBe(0);

  expect(atOnce.refresh()).toBe(EVENTS);
  const ask = (store: typeof sliced) => {
    const routes = createAnalyticsRoutes({ store, authorize: async (_c, next) => next(), now: () => NOW });
    return async (name: string) => {
      const res = await routes.request(`/apps/demo/analytics/${name}`);
      expect(res.status).toBe(200);
      return res.json();
    };
  };
  const a = ask(sliced);
  const b = ask(atOnce);
  for (const name of ['acquisition', 'activation', 'funnel', 'path', 'event', 'viral', 'matching', 'churn']) {
    const x = (await a(name)) as { analysis: string };
    expect(x.analysis).toBe(name);
    expect(x, name).toEqual(await b(name));
  }
}, 120_000);

/**
 * Two server-stub processes on one PostgreSQL (issue 14): three real SDK clients spread over both
 * instances track events while instance A is killed (SIGKILL, mid-traffic) and started again, and
 * PostgreSQL itself is restarted once. The SDK's retries end with exactly N rows for N events.
 * Then: a decide on B reflects an identify acknowledged by A, and how long that took is measured
 * (printed, not asserted: the machine is shared; the target is 100 ms).
 *
 * The instances are real processes (test/helpers/instances.ts), so "killed" is a kill, not a
 * graceful close.
 */
import 'fake-indexeddb/auto';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import pg from 'pg';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { DecideResponse, SlotwiseEvent } from '../../sdk/contract';
import { createClient } from '../../sdk/client';
import type { SlotwiseClient } from '../../sdk/types';
import { createServer } from '../../server-stub/server';
import { bundleServer, startInstance, stopInstance, type Instance } from '../helpers/instances';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let postgres: TestPostgres;
let url: string;
let bundle: { main: string; remove(): void };
const work = mkdtempSync(join(tmpdir(), 'slotwise-scale-out-'));
const children = new Set<ChildProcess>();
let clients: SlotwiseClient[] = [];

/** Funds of every risk level, R1–R2 too few to fill a slot: a C5 customer is shown R3+ products, an unknown one R1–R2 only. */
const catalogFile = join(work, 'catalog.json');
writeFileSync(
  catalogFile,
  JSON.stringify(
    [1, 2, 3, 4, 5].flatMap((level) =>
      Array.from({ length: level <= 2 ? 1 : 6 }, (_, k) => ({ id: `fund-r${level}-${k}`, kind: 'fund', category: `cat-${k % 3}`, risk: `R${level}`, title: `Fund R${level} #${k}` })),
    ),
  ),
);

beforeAll(async () => {
  postgres = await startPostgres();
  url = await postgres.createDatabase();
  bundle = await bundleServer();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const c of children) c.kill('SIGKILL');
  await postgres?.stop();
  rmSync(work, { recursive: true, force: true });
  bundle?.remove();
  vi.restoreAllMocks();
});

/** Starts `node main.mjs --store <url>` on `port` (0: a free one) and waits until it listens. */
const instance = (name: string, port = 0): Promise<Instance> =>
  startInstance({ bundle: bundle.main, dataDir: join(work, name), port, args: ['--store', url, '--catalog', catalogFile, '--no-rate-limit'], children });
const stop = stopInstance;

async function rows(): Promise<{ n: number; distinct: number; ids: Set<string> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows: r } = await c.query<{ id: string }>('SELECT id FROM events');
    return { n: r.length, distinct: new Set(r.map((x) => x.id)).size, ids: new Set(r.map((x) => x.id)) };
  } finally {
    await c.end();
  }
}

test('3 SDK clients over 2 instances; A killed and restarted, PostgreSQL restarted: exactly N rows; B reflects what A acked', async () => {
  let a = await instance('a');
  const b = await instance('b');
  // the SDK's real retry schedule, its jitter pinned low so the test takes seconds
  vi.spyOn(Math, 'random').mockReturnValue(0.05);
  const open = (endpoint: string) =>
    createClient({ appKey: 'demo', endpoint, indexedDB: new IDBFactory(), autocapture: false, flush: { count: 40, intervalMs: 100 } });
  clients = [open(a.url), open(b.url), open(a.url)];
  const tracked = new Set<string>();
  const track = (rounds: number) => {
    for (let r = 0; r < rounds; r++) clients.forEach((c, k) => tracked.add(c.track('scale_out_step', { client: k, r })));
  };

  track(100);
  await sleep(150);
  // killed mid-traffic: whatever A had in flight is either stored (the retry is a duplicate) or not (the retry stores it)
  track(100);
  await stop(a, 'SIGKILL');
  track(100);
  await sleep(300);
  a = await instance('a', a.port);
  track(100);
  await sleep(100);
  // PostgreSQL restarted under both instances: 503s with Retry-After meanwhile, then the pools reconnect
  await postgres.restart();
  track(100);

  const n = tracked.size;
  expect(n).toBe(1500);
  await waitFor(`${n} rows`, async () => {
    await Promise.all(clients.map((c) => c.flush().catch(() => {})));
    return (await rows()).n >= n;
  });
  const stored = await rows();
  expect(stored.n).toBe(n);
  expect(stored.distinct).toBe(n);
  expect([...tracked].every((id) => stored.ids.has(id))).toBe(true);

  // a decide on B reflects an identify acknowledged by A
  const headers = { 'content-type': 'application/json', 'x-slotwise-key': 'demo' };
  const decide = async (at: Instance, userId: string) => {
    const r = await fetch(`${at.url}/v1/decide`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ anonymousId: `anon-${userId}`, userId, sessionId: 's', context: { page: '/', channel: 'web', locale: 'en' }, slots: [{ id: 'home.today', kind: 'picks', count: 6 }] }),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as DecideResponse).slots['home.today']!.items;
  };
  const level = (risk?: string) => (risk ? Number(risk[1]) : 0);
  const latencies: number[] = [];
  for (let k = 0; k < 5; k++) {
    const userId = `investor-${k}`;
    expect(Math.max(0, ...(await decide(b, userId)).map((i) => level(i.risk)))).toBeLessThanOrEqual(2);
    const identify: SlotwiseEvent = {
      id: `scale-identify-${k}-${Date.now()}`, type: 'identify', name: 'identify', ts: Date.now(), anonymousId: `anon-${userId}`, userId,
      sessionId: 's', properties: { riskTolerance: 'C5' }, context: { channel: 'web', sdk: { name: 'slotwise', version: 'test' } },
    } as SlotwiseEvent;
    const acked = await fetch(`${a.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify({ sentAt: Date.now(), events: [identify] }) });
    expect(await acked.json()).toEqual({ accepted: 1, duplicates: 0 });
    const t0 = performance.now();
    // no pause between decides: the figure is the propagation, not a polling period
    const until = Date.now() + 10_000;
    while (Math.max(0, ...(await decide(b, userId)).map((i) => level(i.risk))) < 3) {
      if (Date.now() > until) throw new Error(`B never showed ${userId} an R3+ product`);
    }
    latencies.push(performance.now() - t0);
  }
  latencies.sort((x, y) => x - y);
  console.log(`A→B (ack on A → first decide on B that reflects it), ms, shared machine: ${latencies.map((l) => l.toFixed(1)).join(' ')}`);

  await Promise.all([stop(a, 'SIGTERM'), stop(b, 'SIGTERM')]);
  expect(a.output.join('')).not.toMatch(/500 on/);
  expect(b.output.join('')).not.toMatch(/500 on/);
});

test('rate limits across instances: each instance keeps its own bucket, so N instances allow at most N × the limit (the documented bound)', async () => {
  const db = await postgres.createDatabase();
  const now = 7_000_000;
  const start = (name: string) =>
    createServer({ port: 0, dataDir: join(work, `rl-${name}`), store: db, now: () => now, rateLimit: { perSecond: 1, burst: 3 }, log: () => {} });
  const servers = await Promise.all([start('a'), start('b')]);
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${servers[i % 2]!.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-slotwise-key': 'demo' },
        body: JSON.stringify({ sentAt: now, events: [{ id: `rl-${i}`, type: 'track', name: 'x', ts: now, anonymousId: 'a', sessionId: 's', properties: {}, context: { channel: 'web', sdk: { name: 'slotwise', version: 't' } } }] }),
      });
      statuses.push(r.status);
    }
    // the clock stands still: a burst of 3 per instance, then 429s
    expect(statuses.filter((x) => x === 200).length).toBe(2 * 3);
    expect(statuses.filter((x) => x === 429).length).toBe(20 - 2 * 3);
  } finally {
    await Promise.all(servers.map((x) => x.close()));
  }
});

/**
 * The real SDK against the real server-stub on loopback, through a proxy that injects faults:
 * 1 000 events tracked while the server answers 500, then 429 with Retry-After, then loses an
 * answer after storing the batch, then is down (the page reloads meanwhile) and is restarted on
 * the same data directory. SQLite ends with exactly 1 000 rows: nothing lost, nothing twice.
 */
import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, expect, it, vi } from 'vitest';
import { createClient } from '../../sdk/client';
import type { ClientOptions, SlotwiseClient } from '../../sdk/types';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { startServer, type TestServer } from '../helpers/server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 45_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'slotwise-capture-'));
let server: TestServer | undefined;
let proxy: FaultProxy | undefined;
let sw: SlotwiseClient | undefined;
afterAll(async () => {
  await sw?.close();
  await proxy?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

it('1 000 events through 500s, 429s, a lost answer, a reload and a server restart: exactly 1 000 rows', async () => {
  server = await startServer({ dataDir: dir });
  const port = server.port;
  proxy = await startFaultProxy(server.url, { mode: '500' });
  // the schedule is the real one; the jitter is pinned low so the test takes seconds, not minutes
  vi.spyOn(Math, 'random').mockReturnValue(0.05);

  const idb = new IDBFactory();
  const options: ClientOptions = { appKey: 'demo', endpoint: proxy.url, indexedDB: idb, autocapture: false, flush: { count: 50, intervalMs: 200 } };
  const errors = new Set<string>();
  let duplicates = 0;
  const open = () => {
    const c = createClient(options);
    c.on('error', (e) => errors.add(e.code));
    c.on('sent', (ack) => (duplicates += ack.duplicates));
    return c;
  };
  sw = open();

  const ids = new Set<string>();
  for (let burst = 0; burst < 10; burst++) {
    for (let i = 0; i < 100; i++) ids.add(sw.track('integration_step', { burst, i }));
    await sleep(5);
  }
  expect(ids.size).toBe(1000);

  await waitFor('three 500s', () => (proxy!.counts['500'] ?? 0) >= 3);
  proxy.setMode('429', { retryAfter: 1 });
  await waitFor('two 429s', () => (proxy!.counts['429'] ?? 0) >= 2);
  // the server stores a batch, the answer never arrives: the SDK must send it again, the server must not store it twice
  proxy.setMode('drop-response');
  await waitFor('a lost answer', () => errors.has('network'));
  expect(server.count()).toBeGreaterThan(0);

  // the server goes down; the proxy answers 502 meanwhile; the page reloads
  proxy.setMode('pass');
  await server.stop();
  await sw.close();
  sw = open();
  await waitFor('502s while the server is down', () => (proxy!.counts.pass ?? 0) >= 1);

  server = await startServer({ dataDir: dir, port });
  expect(server.port, 'restarted on the same port (the proxy points there)').toBe(port);
  await waitFor('every event stored', () => server!.count() >= 1000);
  await sw.flush();

  const [row] = server.query<{ n: number; distinct_ids: number }>('SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids FROM events');
  expect(row).toEqual({ n: 1000, distinct_ids: 1000 });
  const stored = new Set(server.query<{ id: string }>('SELECT id FROM events').map((r) => r.id));
  expect([...ids].every((id) => stored.has(id))).toBe(true);
  // the lost answer was resent and counted as a duplicate, not stored again
  expect(duplicates).toBeGreaterThan(0);
  expect([...errors]).toEqual(expect.arrayContaining(['server', 'rate_limited', 'network']));
  expect(errors.has('rejected')).toBe(false);
}, 120_000);

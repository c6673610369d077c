// Exactly once under chaos, in a real browser: three tabs of one profile (one IndexedDB) track
// N = 5 000 events over several rounds, reloading tabs mid-flush, while every request between
// the SDK and the real server goes through the loopback fault proxy with a seeded random fault
// (drops, delays that reorder, duplicates, truncated answers, 500, 429 + Retry-After, timeouts).
// Then the chaos stops and SQLite must end with exactly N rows: each id track() returned, once.
//
// The seed is printed; `SLOTWISE_FAULT_SEED=<seed> npx vitest run test/e2e/faults.test.ts`
// replays the same sequence of faults.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { prng, seededChaos } from '../helpers/seeded-fault';
import { startServer, type TestServer } from '../helpers/server';
import { openBrowser, problemsOf, until, type BrowserSession } from './browser';

const N = 5_000;
const TABS = 3;
const ROUNDS = 10;
const NAME = 'chaos_event';

type Sw = {
  track(name: string, props?: Record<string, unknown>): string;
  flush(): Promise<void>;
  on(event: 'error', fn: (e: { code: string }) => void): () => void;
};

describe('faults: seeded chaos between the SDK and the server', () => {
  let server: TestServer;
  let proxy: FaultProxy;
  let browser: BrowserSession;
  let pages: string;

  beforeAll(async () => {
    pages = mkdtempSync(join(tmpdir(), 'slotwise-faults-'));
    server = await startServer({ staticDirs: { demo: pages } });
    proxy = await startFaultProxy(server.url);
    // the page comes from the server; only the SDK's API traffic goes through the proxy
    writeFileSync(
      join(pages, 'index.html'),
      `<!doctype html><meta charset="utf-8"><title>chaos</title>` +
        `<script async src="/slotwise.min.js" data-app-key="demo" data-endpoint="${proxy.url}" data-autocapture="false"></script>`,
    );
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.stop();
    rmSync(pages, { recursive: true, force: true });
  });

  it(`${N} events across reloads and ${TABS} tabs end as exactly ${N} rows`, async () => {
    const chaos = seededChaos();
    console.log(`faults: seed ${chaos.seed} (replay with SLOTWISE_FAULT_SEED=${chaos.seed})`);
    proxy.setMode(chaos.fault, { name: 'chaos' });
    const random = prng(chaos.seed ^ 0x5eed);

    const ready = async (page: Page) => {
      await page.waitForFunction(() => {
        const c = (window as unknown as { slotwise?: unknown }).slotwise;
        return !!c && !Array.isArray(c);
      }, undefined, { timeout: 15_000 });
    };
    const tabs: Page[] = [];
    for (let t = 0; t < TABS; t++) {
      const page = await browser.newPage(`${server.url}/`);
      await ready(page);
      tabs.push(page);
    }

    const expected: string[] = [];
    let next = 0;
    const perRound = Math.ceil(N / (ROUNDS * TABS));
    for (let round = 0; round < ROUNDS; round++) {
      // each tab tracks its share in bursts of varying size with pauses, like a user tapping around
      const plans = tabs.map(() => {
        const from = next;
        const count = Math.min(perRound, N - next);
        next += count;
        const bursts: number[] = [];
        for (let left = count; left > 0; ) {
          const b = Math.min(left, 1 + Math.floor(random() * 25));
          bursts.push(b);
          left -= b;
        }
        // pauses long enough that most bursts leave in requests of their own: many requests, many faults
        return { from, bursts, pause: 40 + Math.floor(random() * 160) };
      });
      const ids = await Promise.all(
        tabs.map((page, t) =>
          page.evaluate(
            async ({ name, from, bursts, pause }) => {
              const sw = (window as unknown as { slotwise: Sw }).slotwise;
              const out: string[] = [];
              let n = from;
              for (const b of bursts) {
                for (let i = 0; i < b; i++) out.push(sw.track(name, { n: n++ }));
                await new Promise((r) => setTimeout(r, pause));
              }
              // durable in IndexedDB (flush() persists first), then leave while the send may still be out
              await Promise.race([sw.flush(), new Promise((r) => setTimeout(r, 250))]);
              return out;
            },
            { name: NAME, ...plans[t]! },
          ),
        ),
      );
      for (const list of ids) expected.push(...list);
      // reload one or two tabs mid-flush; the others go on sending the shared queue
      const reloads = tabs.filter((_, t) => (t + round) % TABS !== 0 || random() < 0.3);
      await Promise.all(
        reloads.map(async (page) => {
          await page.reload({ waitUntil: 'load' });
          await ready(page);
        }),
      );
    }
    expect(expected).toHaveLength(N);
    expect(new Set(expected).size).toBe(N);
    expect(expected.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);

    // the chaos stops; what is left must arrive by the SDK's own retries (backoff, Retry-After)
    proxy.setMode('pass');
    const count = () => server.count();
    await until(`${N} rows in SQLite`, () => count() >= N, 180_000, 250).catch((e) => {
      throw new Error(
        `${(e as Error).message}: ${count()} of ${N} stored (seed ${chaos.seed}, faults ${JSON.stringify(chaos.counts)}); ` +
          `page problems: ${JSON.stringify(tabs.flatMap((p) => problemsOf(p)).slice(0, 5))}`,
      );
    });
    // every tab's queue is empty: nothing more is on its way (a late duplicate would show up now)
    for (const page of tabs) {
      await until('an empty queue', () => page.evaluate(() => (window as unknown as { slotwise: Sw }).slotwise.flush().then(() => true)), 30_000);
    }

    const rows = server.query<{ id: string; name: string; properties: string }>('SELECT id, name, properties FROM events');
    console.log(`faults: seed ${chaos.seed}, requests ${JSON.stringify(proxy.counts)}, faults ${JSON.stringify(chaos.counts)}`);
    expect(rows).toHaveLength(N);
    expect(rows.every((r) => r.name === NAME)).toBe(true);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(expected));
    const ns = rows.map((r) => (JSON.parse(r.properties) as { n: number }).n).sort((a, b) => a - b);
    expect(ns).toEqual([...Array(N).keys()]);
    // the chaos did happen: every kind of fault hit at least one request (the first ones, by design)
    for (const [a, n] of Object.entries(chaos.counts)) expect(n, a).toBeGreaterThan(0);
  }, 300_000);
});

// Issue 22 in real Chromium against the real server-stub: a burst of 10 000 track() calls in one
// task (a list reporting its impressions, an SPA replaying its history) is written in slices and
// delivered in full: exactly 10 000 rows, each once. How long the page is blocked is measured by
// `npm run bench:jank`, not asserted here (timings on a shared machine are not a test).
import { describe, expect, it } from 'vitest';
import { until } from './browser';
import { demoPerTest, flush, recorded, sdkReady } from './demo';

type Sw = { track(name: string, props?: Record<string, unknown>): string };

describe('a 10 000-call burst', () => {
  const demo = demoPerTest();

  it('ends with exactly 10 000 rows on the server', async () => {
    const page = await demo().open('/');
    await sdkReady(page);
    const ids = await page.evaluate(() => {
      const sw = (window as unknown as { slotwise: Sw }).slotwise;
      return Array.from({ length: 10_000 }, (_, i) => sw.track('e2e_10k', { i, itemId: 'f' + (i % 300) }));
    });
    expect(new Set(ids).size).toBe(10_000);
    const count = () => demo().server.query<{ n: number }>("SELECT count(*) AS n FROM events WHERE name = 'e2e_10k'")[0]!.n;
    await until('10 000 rows', () => count() >= 10_000, 60_000, 200).catch(async (e) => {
      throw new Error(`${e.message}: ${count()} stored; errors ${JSON.stringify(await recorded(page, 'error'))}`);
    });
    await flush(page);
    const rows = demo().server.query<{ id: string; i: number }>("SELECT id, json_extract(properties, '$.i') AS i FROM events WHERE name = 'e2e_10k'");
    expect(rows).toHaveLength(10_000);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids));
    expect(rows.map((r) => r.i).sort((a, b) => a - b)).toEqual([...Array(10_000).keys()]);
    expect((await recorded(page, 'error')).filter((e) => e.code == 'queue_overflow')).toEqual([]);
  });
});

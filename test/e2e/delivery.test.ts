// Delivery in a real browser, where unit tests cannot go: IndexedDB across a reload while the
// network is gone (Chromium's own offline emulation), a tab closed right after track(), and two
// tabs of one profile tracking at once. Every case ends with SQLite holding each event once.
import { describe, expect, it } from 'vitest';
import { until } from './browser';
import { flush, recorded, sdkReady, demoPerTest } from './demo';

type Sw = { track(name: string, props?: Record<string, unknown>): string; flush(): Promise<void> };

describe('delivery', () => {
  const demo = demoPerTest();

  it('offline → 200 events → reload → online: all 200 stored, once', async () => {
    const page = await demo().open('/');
    await sdkReady(page);
    await demo().browser.context.setOffline(true);

    // a customer tapping on a dead connection: 200 events over about half a second, then a reload
    const ids = await page.evaluate(async () => {
      const sw = (window as unknown as { slotwise: Sw }).slotwise;
      const ids: string[] = [];
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 20; i++) ids.push(sw.track('e2e_offline', { i: round * 20 + i }));
        // ask for a send while the network is down (not awaited: offline, it waits for `online`)
        void sw.flush().catch(() => {});
        await new Promise((r) => setTimeout(r, 50));
      }
      return ids;
    });
    expect(new Set(ids).size).toBe(200);

    // reloading while offline fails, as it would on a train: the old page is gone all the same
    await page.reload().catch(() => {});
    expect(demo().rows("name = 'e2e_offline'")).toHaveLength(0);

    await demo().browser.context.setOffline(false);
    await page.goto(demo().url + '/');
    await sdkReady(page);
    await until('200 rows', () => demo().rows("name = 'e2e_offline'").length >= 200, 30_000).catch(async (e) => {
      throw new Error(`${e.message}: ${demo().rows("name = 'e2e_offline'").length} of 200 stored; page errors ${JSON.stringify(await recorded(page, 'error'))}`);
    });
    await flush(page);

    const rows = demo().rows("name = 'e2e_offline'");
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids));
    expect(rows.map((r) => JSON.parse(r.properties).i).sort((a, b) => a - b)).toEqual([...Array(200).keys()]);
  });

  it('a tab closed right after track(): the events still arrive', async () => {
    const page = await demo().open('/');
    await sdkReady(page);
    const ids = await page.evaluate(() => {
      const sw = (window as unknown as { slotwise: Sw }).slotwise;
      return [1, 2, 3, 4, 5].map((n) => sw.track('e2e_bye', { n }));
    });
    await page.close({ runBeforeUnload: true });

    // keepalive fetch or sendBeacon on pagehide; failing that, the next load sends what IndexedDB kept
    let path = 'on unload (keepalive/beacon)';
    const stored = () => demo().rows("name = 'e2e_bye'").length === 5;
    try {
      await until('the events sent on unload', stored, 5000);
    } catch {
      path = 'on the next load (IndexedDB)';
      const next = await demo().open('/');
      await sdkReady(next);
      await until('the events sent by the next page', stored, 20_000);
      await flush(next);
    }
    console.log(`[e2e] page closed right after track(): 5/5 events delivered ${path}`);
    const rows = demo().rows("name = 'e2e_bye'");
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it('two tabs tracking at once: every event stored exactly once, no batch sent twice', async () => {
    const [a, b] = [await demo().open('/'), await demo().open('/')];
    await Promise.all([sdkReady(a), sdkReady(b)]);

    // each tab: 10 rounds of 30 events, interleaved with the other tab's
    const burst = async (tab: string) => {
      const sw = (window as unknown as { slotwise: Sw }).slotwise;
      const ids: string[] = [];
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 30; i++) ids.push(sw.track('e2e_tabs', { tab, i: round * 30 + i }));
        await new Promise((r) => setTimeout(r, 20));
      }
      return ids;
    };
    const [idsA, idsB] = await Promise.all([a.evaluate(burst, 'a'), b.evaluate(burst, 'b')]);
    await Promise.all([flush(a), flush(b)]);
    await until('600 rows', () => demo().rows("name = 'e2e_tabs'").length >= 600, 30_000);
    await Promise.all([flush(a), flush(b)]);

    const rows = demo().rows("name = 'e2e_tabs'");
    expect(rows).toHaveLength(600);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([...idsA, ...idsB]));
    for (const tab of ['a', 'b']) {
      const mine = rows.map((r) => JSON.parse(r.properties)).filter((p) => p.tab === tab);
      expect(mine.map((p) => p.i).sort((x, y) => x - y)).toEqual([...Array(300).keys()]);
    }
    // the server answers `duplicates` for events it already had: a batch in flight from both tabs shows here
    const duplicates = [...(await recorded(a, 'sent')), ...(await recorded(b, 'sent'))].reduce((n, s) => n + s.duplicates, 0);
    expect(duplicates).toBe(0);
  });
});

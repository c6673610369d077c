// Issue 17.6 in real Chromium against the real server-stub. Without IndexedDB (an init script takes
// it away, as private modes and some WebViews do) the queue lives in memory and its journal in
// localStorage: events waiting when the page is reloaded or closed offline are sent by the next
// page, each exactly once. And `deadLetters` lists what the server refused, with its reason, and
// retries it once the cause is gone — with IndexedDB and without.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { until } from './browser';
import { demoPerTest, flush, recorded, sdkReady, type Demo } from './demo';

type DeadLetter = { id: string; event: { name: string }; reason: { status: number; code: string } };
type Sw = {
  track(name: string, props?: Record<string, unknown>): string;
  flush(): Promise<void>;
  deadLetters: { list(): Promise<DeadLetter[]>; retry(ids?: string[]): Promise<number>; drop(ids?: string[]): Promise<number> };
};

/** no IndexedDB in any page of the context, from before the first script */
const noIndexedDB = (demo: Demo) =>
  demo.browser.context.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true }));

const journal = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('slotwise:wal:demo:')).length);

/** the events a page tracks in one burst and a few tasks after it, offline; their ids */
const trackOffline = (page: Page, name: string) =>
  page.evaluate(async (name) => {
    const sw = (window as unknown as { slotwise: Sw }).slotwise;
    const ids = Array.from({ length: 150 }, (_, i) => sw.track(name, { i }));
    for (let i = 150; i < 200; i += 10) {
      await new Promise((r) => setTimeout(r, 20));
      for (let k = i; k < i + 10; k++) ids.push(sw.track(name, { i: k }));
    }
    // written (to memory) and journaled; offline, nothing is sent
    await sw.flush();
    return ids;
  }, name);

describe('the memory queue (no IndexedDB)', () => {
  const demo = demoPerTest();

  for (const leave of ['reload', 'close'] as const) {
    it(`offline → 200 events → ${leave} → online: the next page sends each exactly once`, async () => {
      await noIndexedDB(demo());
      const page = await demo().open('/');
      await sdkReady(page);
      expect((await recorded(page, 'error')).map((e) => e.code)).toContain('storage_unavailable');
      await demo().browser.context.setOffline(true);
      const ids = await trackOffline(page, `e2e_mem_${leave}`);
      expect(new Set(ids).size).toBe(200);
      expect(await journal(page)).toBeGreaterThan(0);

      // a blank tab keeps the browser open once the page's tab is closed
      const next = leave == 'reload' ? page : await demo().browser.context.newPage();
      if (leave == 'reload') await page.reload().catch(() => {});
      else await page.close();
      await demo().browser.context.setOffline(false);
      await next.goto(demo().url + '/');
      await sdkReady(next);
      const where = `name = 'e2e_mem_${leave}'`;
      await until('200 rows', () => demo().rows(where).length >= 200, 30_000).catch(async (e) => {
        throw new Error(`${e.message}: ${demo().rows(where).length} of 200 stored; errors ${JSON.stringify(await recorded(next, 'error'))}`);
      });
      await flush(next);
      const rows = demo().rows(where);
      expect(rows).toHaveLength(200);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids));
      // delivered: nothing is left in the journal
      await until('the journal empty', async () => (await journal(next)) == 0);
    });
  }
});

describe('deadLetters against the real server', () => {
  // the server starts without the page's key: every batch is refused with 401
  const demo = demoPerTest({ server: { keys: [{ key: 'other', app: 'other' }] } });

  for (const kind of ['IndexedDB', 'memory'] as const) {
    it(`${kind}: refused events are listed with the server's reason, retried once the key exists, stored once`, async () => {
      if (kind == 'memory') await noIndexedDB(demo());
      const page = await demo().open('/');
      await sdkReady(page);
      const ids = await page.evaluate(async () => {
        const sw = (window as unknown as { slotwise: Sw }).slotwise;
        const ids = [1, 2, 3].map((n) => sw.track('e2e_dead', { n }));
        await sw.flush();
        return ids;
      });
      const list = () => page.evaluate(() => (window as unknown as { slotwise: Sw }).slotwise.deadLetters.list());
      const dead = (await until('the dead letters', async () => {
        const d = (await list()).filter((d) => d.event.name == 'e2e_dead');
        return d.length == 3 && d;
      })) as DeadLetter[];
      expect(dead.map((d) => d.id)).toEqual(ids);
      expect(dead.map((d) => [d.reason.status, d.reason.code])).toEqual(ids.map(() => [401, 'unauthorized']));
      expect(demo().rows("name = 'e2e_dead'")).toHaveLength(0);

      // the operator adds the key; the host retries what was refused
      await demo().server.restart({ keys: [{ key: 'demo', app: 'demo' }] });
      const retried = await page.evaluate((ids) => (window as unknown as { slotwise: Sw }).slotwise.deadLetters.retry(ids), ids);
      expect(retried).toBe(3);
      await until('3 rows', () => demo().rows("name = 'e2e_dead'").length >= 3, 20_000);
      await flush(page);
      expect(demo().rows("name = 'e2e_dead'").map((r) => r.id).sort()).toEqual([...ids].sort());
      expect((await list()).filter((d) => d.event.name == 'e2e_dead')).toEqual([]);
    });
  }
});

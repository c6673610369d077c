// The backend answers garbage to /v1/decide (a fault, injected with page.route): the page keeps
// working, the slots show the host's fallback items, nothing is thrown into the page, and
// tracking still reaches SQLite.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fallbackItems } from '../../demo/js/fallback';
import { openBrowser, until } from './browser';
import { flush, recorded, sdkReady, shownTitles, demoPerTest } from './demo';

const GARBAGE: [name: string, contentType: string, body: string][] = [
  ['an HTML error page', 'text/html', '<!doctype html><title>502</title><h1>Bad Gateway</h1>'],
  ['JSON of the wrong shape', 'application/json', JSON.stringify({ decisionId: 42, ttlMs: 'soon', slots: { 'wealth.today': { items: 'many' } } })],
  ['truncated JSON', 'application/json', '{"decisionId":"d-1","ttlMs":60000,"slots":{"wealth.today":{"items":[{"id":"x","title":'],
];

/**
 * The demo's fallback items for a slot, in English (the same module the page gives createClient()),
 * as a customer of this tolerance may see them: the SDK checks the host's fallback items against the
 * tolerance it holds, like every answer (risk Rn shown only for n ≤ Cn).
 */
const fallbackTitles = (slotId: string, tolerance: number) =>
  fallbackItems('en')[slotId]!.filter((i) => !i.risk || Number(i.risk.slice(1)) <= tolerance).map((i) => i.title);
/** the demo starts as its first customer, the newcomer assessed C1 (demo/js/boot.js) */
const NEWCOMER = 1;

const garbageDecide = (page: Page, contentType: string, body: string) =>
  page.route('**/v1/decide', (route) => route.fulfill({ status: 200, contentType, body }));

describe('the backend answering garbage', () => {
  const demo = demoPerTest();

  it.each(GARBAGE)('%s: the wealth page shows its fallback items and keeps tracking', async (_name, contentType, body) => {
    // a fresh profile per answer: nothing cached, so fallback items are all there is
    const browser = await openBrowser();
    try {
      const page = await browser.newPage();
      await garbageDecide(page, contentType, body);
      await page.goto(demo().url + '/wealth.html');
      await sdkReady(page);

      const expected = fallbackTitles('wealth.today', NEWCOMER);
      await until('the fallback picks', async () => (await shownTitles(page, '#wealth-today')).length > 0);
      expect(await shownTitles(page, '#wealth-today')).toEqual(expected);
      expect(await shownTitles(page, '#wealth-feed')).toEqual(fallbackTitles('wealth.feed', NEWCOMER));
      // the panel says where the items came from
      const decisions = await recorded(page, 'decision');
      expect(decisions.some((d) => d.source === 'fallback' && d.slots['wealth.today'])).toBe(true);
      // the SDK reported the bad answer through on('error') instead of throwing
      expect((await recorded(page, 'error')).length).toBeGreaterThan(0);
      expect(browser.pageErrors).toEqual([]);

      // the page still works: open a product, buy it, and the events arrive
      await page.locator('#wealth-today li.sw-card .sw-title a').first().click();
      await page.locator('#buy').click();
      await flush(page);
      await until('the purchase in SQLite', () => demo().server.query("SELECT 1 FROM events WHERE name = 'purchase'").length === 1);
    } finally {
      await browser.close();
    }
  });

  it('the script-tag home page keeps working too', async () => {
    const page = await demo().browser.newPage();
    await garbageDecide(page, 'text/html', '<h1>oops</h1>');
    await page.goto(demo().url + '/');
    await sdkReady(page);
    await until('a fallback decision', async () => (await recorded(page, 'decision')).some((d) => d.source === 'fallback'));
    const id = await page.evaluate(() => (window as unknown as { slotwise: { track(n: string): string } }).slotwise.track('e2e_after_garbage'));
    await flush(page);
    expect(demo().rows("name = 'e2e_after_garbage'").map((r) => r.id)).toEqual([id]);
    // the rest of the app is untouched: navigation works
    await page.locator('.tabbar a[href="/loans.html"]').click();
    await page.waitForURL(demo().url + '/loans.html');
    expect(demo().browser.pageErrors).toEqual([]);
  });
});

// The widgets' keyboard in Chromium's real layout, focus and key events (through the shadow DOM):
// a card the arrow keys move to in <sw-today-picks> ends up wholly inside the carousel's box, and
// Escape closes "why this?" with focus back on its button. On a tablet-wide screen: there the row
// shows two and a bit cards, and focus alone (which scrolls only the card's link into view, then
// the snap) left the next card cut off; on a phone the snap happens to hide that.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { until } from './browser';
import { demoPerTest, sdkReady } from './demo';

/** Where the focused card lies against its row's box, once its scrolling has come to rest. */
const focusedCard = (page: Page) =>
  page.evaluate(() => {
    const root = document.querySelector('sw-today-picks')!.shadowRoot!;
    const card = root.activeElement?.closest('li.sw-card');
    const row = root.querySelector('ul.sw-row')!;
    if (!card) return undefined;
    const c = card.getBoundingClientRect();
    const r = row.getBoundingClientRect();
    return { index: [...row.children].indexOf(card), inside: c.left >= r.left - 1 && c.right <= r.right + 1, left: c.left - r.left, right: r.right - c.right, scrollLeft: row.scrollLeft };
  });

/** Waits for the row to stop moving (smooth scrolling, then the snap), then reads the focused card. */
async function settled(page: Page) {
  let last = '';
  return until('the row to come to rest', async () => {
    const now = await focusedCard(page);
    const same = JSON.stringify(now) === last;
    last = JSON.stringify(now);
    return same && now;
  }, 5000, 100);
}

describe('keyboard (Chromium)', () => {
  const demo = demoPerTest({ browser: { viewport: { width: 820, height: 1000 } } });

  it('scrolls the card the arrow keys, Home and End move to wholly into the carousel', async () => {
    const page = await demo().open('/');
    await sdkReady(page);
    const cards = page.locator('sw-today-picks li.sw-card:not(.sw-skel)');
    await cards.nth(2).waitFor();
    const n = await cards.count();
    // the point of the test: not every card fits
    const cutOff = await page.evaluate(() => {
      const root = document.querySelector('sw-today-picks')!.shadowRoot!;
      const row = root.querySelector('ul.sw-row')!.getBoundingClientRect();
      return [...root.querySelectorAll('li.sw-card')].filter((li) => li.getBoundingClientRect().right > row.right + 1).length;
    });
    expect(cutOff).toBeGreaterThan(0);

    await page.locator('sw-today-picks li.sw-card .sw-title a').first().focus();
    const seen = [];
    for (const key of ['ArrowRight', 'ArrowRight', 'End', 'ArrowLeft', 'Home']) {
      await page.keyboard.press(key);
      const at = await settled(page);
      seen.push(at.index);
      expect(at, `after ${key}: ${JSON.stringify(at)}`).toMatchObject({ inside: true });
    }
    expect(seen).toEqual([1, 2, n - 1, n - 2, 0]);
  });

  it('closes "why this?" with Escape and puts focus back on its button', async () => {
    const page = await demo().open('/');
    await sdkReady(page);
    const card = page.locator('sw-today-picks li.sw-card:has(button[aria-expanded])').first();
    await card.waitFor();
    const why = card.locator('button[aria-expanded]');
    await why.click();
    await card.locator('.sw-why').waitFor();
    // on to the next control of the card, then Escape from there
    await page.keyboard.press('Tab');
    expect(await card.evaluate((li) => li.contains((li.getRootNode() as ShadowRoot).activeElement) && (li.getRootNode() as ShadowRoot).activeElement !== li.querySelector('button[aria-expanded]'))).toBe(true);
    await page.keyboard.press('Escape');
    await until('"why this?" closed', async () => (await card.locator('.sw-why').count()) === 0);
    expect(await why.getAttribute('aria-expanded')).toBe('false');
    expect(await why.evaluate((b) => (b.getRootNode() as ShadowRoot).activeElement === b)).toBe(true);
  });
});

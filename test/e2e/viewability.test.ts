// Viewability in Chromium's real layout and IntersectionObserver: an impression needs the card
// ≥ 50 % visible for ≥ 1 s without a break, and counts once per decision and item. Driven by
// scrolling the page; judged by the rows SQLite holds after a flush, not by timings.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { until } from './browser';
import { flush, networkDecision, recorded, sdkReady, demoPerTest } from './demo';

/** Scrolls the feed card titled `title` to the middle of the screen, holds it there `ms`, scrolls back to the top. */
const glimpse = (page: Page, title: string, ms: number) =>
  page.evaluate(
    async ([title, ms]) => {
      const host = document.querySelector('sw-you-may-like')!;
      const card = [...host.shadowRoot!.querySelectorAll('li.sw-card')].find((li) => li.querySelector('.sw-title')?.textContent === title)!;
      card.scrollIntoView({ block: 'center', behavior: 'instant' });
      await new Promise((r) => setTimeout(r, ms));
      window.scrollTo({ top: 0, behavior: 'instant' });
    },
    [title, ms] as const,
  );

/** The page's own log of impressions of one item (the event listeners see them as they are queued). */
const impressionsOnPage = async (page: Page, itemId: string) =>
  (await recorded(page, 'event')).filter((e) => e.type === 'impression' && e.itemId === itemId).length;

describe('viewability', () => {
  const demo = demoPerTest();

  it('records no impression for a glimpse under 1 s, and exactly one for ≥ 1 s in view', async () => {
    const page = await demo().open('/');
    await sdkReady(page);
    await page.locator('sw-you-may-like li.sw-card').first().waitFor();
    const decision = await networkDecision(page, 'home.feed');
    const feed = decision.slots['home.feed']!.items;

    // a card that starts well below the fold (the page is at the top, on a phone-sized screen)
    const below = await page.evaluate(() => {
      const host = document.querySelector('sw-you-may-like')!;
      return [...host.shadowRoot!.querySelectorAll('li.sw-card')]
        .filter((li) => li.getBoundingClientRect().top > innerHeight + 50)
        .map((li) => li.querySelector('.sw-title')!.textContent!);
    });
    expect(below.length, 'the feed must reach below the fold on a phone').toBeGreaterThan(0);
    const item = feed.find((i) => i.title === below[below.length - 1])!;
    expect(item).toBeDefined();

    // 300 ms in view, then away for longer than the rule's second: a timer not cancelled would fire now
    await glimpse(page, item.title, 300);
    await page.waitForTimeout(1500);
    await flush(page);
    expect(await impressionsOnPage(page, item.id)).toBe(0);
    expect(demo().rows("type = 'impression' AND item_id = ?", item.id)).toHaveLength(0);

    // in view for 1.5 s: one impression; then out and in again for 1.5 s: still one (once per decision)
    await glimpse(page, item.title, 1500);
    await until('the impression on the page', async () => (await impressionsOnPage(page, item.id)) === 1, 5000);
    await glimpse(page, item.title, 1500);
    await flush(page);

    const rows = demo().rows("type = 'impression' AND item_id = ?", item.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ decision_id: decision.decisionId, slot_id: 'home.feed', position: item.position });
    expect(demo().browser.pageErrors).toEqual([]);
  });
});

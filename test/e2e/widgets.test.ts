// The loop in a real browser: the script tag loads the SDK, the SDK loads the widgets, the widgets
// fill from the backend, and a click goes back to SQLite carrying the decision that showed the item.
import { describe, expect, it } from 'vitest';
import { until } from './browser';
import { flush, networkDecision, sdkReady, shownTitles, demoPerTest } from './demo';

describe('demo home: widgets from the backend', () => {
  const demo = demoPerTest();

  it('renders every slot from one decision and stores a click with that decisionId', async () => {
    const page = await demo().open('/');
    await sdkReady(page);
    await page.locator('sw-today-picks li.sw-card').first().waitFor();
    await page.locator('sw-you-may-like li.sw-card').first().waitFor();

    const decision = await networkDecision(page, 'home.today');
    const picks = decision.slots['home.today']!.items;
    expect(picks.length).toBeGreaterThan(0);
    // what the widget shows is what the backend decided, in its order
    expect(await shownTitles(page, 'sw-today-picks')).toEqual(picks.map((i) => i.title));
    // the widgets of one page asked in one request: the feed came with the same decision
    expect(decision.slots['home.feed']?.items.length).toBeGreaterThan(0);
    expect(await shownTitles(page, 'sw-you-may-like')).toEqual(decision.slots['home.feed']!.items.map((i) => i.title));

    // click the second pick: it records the click, then the browser follows the item's link
    const item = picks[1] ?? picks[0]!;
    const index = picks.indexOf(item);
    await Promise.all([
      page.waitForURL((u) => u.href === new URL(item.url!, demo().url).href),
      page.locator('sw-today-picks li.sw-card .sw-title a').nth(index).click(),
    ]);
    await sdkReady(page);
    await flush(page);

    const clicks = await until('the click in SQLite', () => {
      const rows = demo().rows("type = 'click'");
      return rows.length > 0 && rows;
    });
    expect(clicks).toHaveLength(1);
    expect(clicks[0]).toMatchObject({
      name: 'click',
      decision_id: decision.decisionId,
      slot_id: 'home.today',
      item_id: item.id,
      position: item.position,
    });
    expect(demo().browser.pageErrors).toEqual([]);
  });
});

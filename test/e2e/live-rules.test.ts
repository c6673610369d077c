// A release goes live while the demo's script-tag page is open: the page learns of it over the
// config stream and swaps its rules without a reload — a trigger added in the release fires on the
// next matching track, and the slots on show are decided again and show the campaign's pinned item.
// The release is activated through the server's rules registry (a test hook, not an HTTP route).
import { describe, expect, it } from 'vitest';
import type { RuleSet } from '../../sdk/contract-admin';
import { networkDecision, recorded, sdkReady, demoPerTest, shownTitles } from './demo';

describe('a published release reaches an open page', () => {
  const demo = demoPerTest();

  it('swaps triggers and re-decides the slots without a reload', async () => {
    const page = await demo().open('/');
    await sdkReady(page);
    const first = await networkDecision(page, 'home.today');
    expect(first.slots['home.today']!.items.map((i) => i.id)).not.toContain('rescue-card');
    // a mark that a reload would wipe
    await page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 42));
    // no rule yet: nothing fires
    await page.evaluate(() => (window as unknown as { slotwise: { track(n: string, p: object): void } }).slotwise.track('e2e_ping', {}));

    const registry = demo().server.handle().rules;
    const rules: RuleSet = registry.live('demo')!.rules;
    // the page holds a config stream (the SDK opens it after its first config)
    await expect.poll(() => demo().server.handle().streams.count('demo'), { timeout: 10_000 }).toBe(1);
    // the stream pushes the release's config: the page asks for none
    const fetched: string[] = [];
    page.on('request', (r) => new URL(r.url()).pathname === '/v1/config' && fetched.push(r.url()));
    const release = await registry.publish('demo', {
      ...rules,
      campaigns: [
        ...rules.campaigns,
        { id: 'e2e_card', label: { 'zh-CN': '信用卡推广', en: 'Card push' }, pages: ['home'], priority: 100, pins: [{ itemId: 'rescue-card', slotKind: 'picks' }] },
      ],
      triggers: [
        ...rules.triggers,
        {
          id: 'e2e_live',
          when: { type: 'track', name: 'e2e_ping' },
          delayMs: 0,
          onReload: 'drop',
          reminder: { title: { 'zh-CN': '新规则已生效', en: 'A live rule fired' }, body: { 'zh-CN': '无需刷新', en: 'No reload needed' } },
        },
      ],
    });
    expect(release.version).toBe(2);

    // the slots on show are decided again, under release 2, with the pinned item first
    await expect
      .poll(async () => (await recorded(page, 'decision')).some((d) => d.source === 'network' && d.slots['home.today']?.items[0]?.id === 'rescue-card'), {
        timeout: 10_000,
      })
      .toBe(true);
    // and the widget shows it first
    await expect.poll(async () => (await shownTitles(page, 'sw-today-picks'))[0], { timeout: 10_000 }).toMatch(/^(Upgrade: no annual fee, for life|信用卡终身免年费升级)$/);

    // the new trigger fires on the next matching track
    await page.evaluate(() => (window as unknown as { slotwise: { track(n: string, p: object): void } }).slotwise.track('e2e_ping', {}));
    await expect.poll(async () => (await recorded(page, 'reminder')).map((r) => r.ruleId), { timeout: 5000 }).toContain('e2e_live');
    expect((await recorded(page, 'reminder')).filter((r) => r.ruleId === 'e2e_live')).toHaveLength(1);

    expect(await page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark)).toBe(42);
    expect(fetched).toEqual([]);
    expect(demo().browser.pageErrors).toEqual([]);
  });

  it("links the live panel to the operator console of the same server", async () => {
    const page = await demo().open('/');
    const link = page.locator('#console-link');
    expect(await link.getAttribute('href')).toBe('/console/');
    const res = await page.request.get(new URL('/console/', page.url()).href);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain('<html');
  });
});

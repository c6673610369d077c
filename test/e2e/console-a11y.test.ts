// Every console screen in both languages, in real Chromium: axe-core finds no serious or critical
// violation (WCAG 2.1 A/AA and best practice), each screen has one h1 that takes focus, and a
// screenshot of each goes to test/e2e/screenshots/ (git-ignored) for people to look at.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startDemo, type Demo } from './demo';
import { account, DESKTOP, PASSWORD, seriousViolations, signIn } from './console-helpers';

/** polls wait this long: the machine is shared and slow at times (no timing is asserted) */
const SOON = { timeout: 20_000 };

const DIR = join(import.meta.dirname, 'screenshots');

/** hash → what to do once it shows, so the screen is seen in its fuller state */
const SCREENS: { name: string; hash: string; then?: (page: Page) => Promise<void> }[] = [
  { name: 'campaigns', hash: '#/a/demo/campaigns' },
  {
    name: 'campaign-editor',
    hash: '#/a/demo/campaigns/new',
    then: async (page) => {
      await page.locator('form.form button[type=button]').filter({ hasText: /^(Add pin|添加置顶)$/ }).click();
      await page.locator('.preview form button[type=submit]').click();
      await page.locator('.preview-slot').first().waitFor();
    },
  },
  { name: 'templates', hash: '#/a/demo/templates' },
  {
    name: 'template-form',
    hash: '#/a/demo/templates/term-deposit-maturing',
    then: async (page) => {
      await page.locator('.template-form button[type=button]').click();
      await page.locator('.template-preview').waitFor();
    },
  },
  { name: 'tags', hash: '#/a/demo/tags', then: (page) => page.locator('table.grid tbody tr button.link').first().click() },
  { name: 'triggers', hash: '#/a/demo/triggers', then: (page) => page.locator('table.grid tbody tr button.link').first().click() },
  { name: 'slots', hash: '#/a/demo/slots' },
  { name: 'items', hash: '#/a/demo/items' },
  { name: 'releases', hash: '#/a/demo/releases' },
  { name: 'imports', hash: '#/a/demo/imports' },
  { name: 'audit', hash: '#/a/demo/audit' },
  { name: 'apps', hash: '#/apps', then: (page) => page.locator('table.grid tbody tr button').first().click() },
  { name: 'accounts', hash: '#/accounts' },
];

describe('console accessibility', () => {
  let demo: Demo;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(DIR, { recursive: true });
    demo = await startDemo({ browser: { viewport: DESKTOP, locale: 'en-US' } });
    await account(demo.server, 'ops', 'admin');
    page = await demo.browser.newPage();
  }, 60_000);
  afterAll(async () => demo?.close());

  it('the log-in screen', async () => {
    await page.goto(`${demo.url}/console/`);
    await page.getByLabel('Username').waitFor();
    // a wrong password is announced, not only coloured
    await page.getByLabel('Username').fill('ops');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), SOON).toMatch(/wrong username or password/);
    await page.screenshot({ path: join(DIR, 'console-login-en.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('nav.side').waitFor();
  }, 60_000);

  for (const locale of ['en', 'zh-CN'] as const) {
    it(`every screen in ${locale}`, async () => {
      if (page.url().indexOf('/console/') < 0) await signIn(page, demo.url, 'ops');
      await page.evaluate((l) => localStorage.setItem('slotwise.console.locale', l), locale);
      await page.reload();
      await page.locator('nav.side').waitFor();
      const failures: Record<string, unknown> = {};
      for (const s of SCREENS) {
        await page.evaluate((h) => (location.hash = h), s.hash);
        // the screen's heading takes focus when it renders
        await page.waitForFunction(() => document.activeElement?.id === 'page-title');
        await page.waitForFunction(() => !document.querySelector('.loading'));
        await page.waitForLoadState('networkidle');
        await s.then?.(page);
        expect(await page.locator('h1').count(), s.name).toBe(1);
        await page.screenshot({ path: join(DIR, `console-${s.name}-${locale}.png`), fullPage: true });
        const v = await seriousViolations(page);
        if (v.length) failures[s.name] = v;
      }
      expect(failures).toEqual({});
    }, 120_000);
  }

  it('fits 1024 px: no screen scrolls sideways', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    try {
      const wide: Record<string, number> = {};
      for (const s of SCREENS) {
        await page.evaluate((h) => (location.hash = h), s.hash);
        await page.waitForFunction(() => document.activeElement?.id === 'page-title');
        await page.waitForLoadState('networkidle');
        await s.then?.(page);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > 1024) wide[s.name] = width;
        if (s.name === 'campaign-editor') await page.screenshot({ path: join(DIR, 'console-campaign-editor-1024.png') });
      }
      expect(wide).toEqual({});
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  }, 120_000);

  it('is operable from the keyboard: shift-tab to the nav, open a screen, focus lands on its heading', async () => {
    await page.goto(`${demo.url}/console/#/a/demo/campaigns`);
    await page.evaluate(() => localStorage.setItem('slotwise.console.locale', 'en'));
    await page.reload();
    await page.locator('nav.side, form.login-card').first().waitFor();
    if (await page.locator('form.login-card').count()) await signIn(page, demo.url, 'ops');
    await page.locator('nav.side').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'page-title');
    // from the heading back into the navigation just before the main region
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press('Shift+Tab');
      reached = await page.evaluate(() => document.activeElement?.textContent === 'Releases');
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'page-title' && document.activeElement.textContent === 'Releases');
  }, 60_000);
});

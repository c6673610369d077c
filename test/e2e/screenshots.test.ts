// Screenshots of the demo for people to look at (test/e2e/screenshots/, git-ignored): the home page
// in both locales on a phone, the wealth and loan pages, and the wide layout with the live panel.
// Each is taken once the page is really done (slots filled, images and fonts loaded) and checked
// for speaking the right language.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, PHONE } from './browser';
import { sdkReady, startDemo, type Demo } from './demo';

const DIR = join(import.meta.dirname, 'screenshots');

/** Waits for filled slots. */
async function settled(page: Page, slots: string[]) {
  await sdkReady(page);
  for (const s of slots) await page.locator(`${s} li.sw-card`).first().waitFor();
}

/** Waits for images (inside shadow roots too; lazy ones load once in view) and fonts. */
async function painted(page: Page) {
  await page.evaluate(async () => {
    const images: HTMLImageElement[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el instanceof HTMLImageElement) images.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const loaded = (img: HTMLImageElement) =>
      new Promise<void>((resolve) => {
        if (img.complete) return resolve();
        img.addEventListener('load', () => resolve(), { once: true });
        img.addEventListener('error', () => resolve(), { once: true });
      });
    // a broken image must not hang the run: it shows as broken in the picture instead
    await Promise.race([Promise.all(images.map(loaded)), new Promise((r) => setTimeout(r, 5000))]);
    await document.fonts.ready;
  });
}

/** The whole page at phone width: the viewport grows to the page so the sticky bars sit where a person sees them. */
async function shoot(page: Page, name: string) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: page.viewportSize()!.width, height: Math.min(height, 4000) });
  await page.evaluate(() => window.scrollTo(0, 0));
  await painted(page);
  const file = join(DIR, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  console.log(`[e2e] screenshot ${file}`);
}

describe('demo screenshots', () => {
  let demo: Demo;
  beforeAll(async () => {
    mkdirSync(DIR, { recursive: true });
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo?.close();
  });

  const HOME = ['sw-today-picks', 'sw-you-may-like', 'sw-smart-ad'];

  it.each([
    ['en', 'en', "Today's picks", 'Lumen Bank'],
    ['zh-CN', 'zh-CN', '今日推荐', '明光银行'],
  ])('home in %s', async (browserLocale, lang, picksHeading, bankName) => {
    const browser = await openBrowser({ locale: browserLocale, deviceScaleFactor: 2 });
    try {
      const page = await browser.newPage(demo.url + '/');
      await settled(page, HOME);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await page.locator('.brand-name').textContent()).toBe(bankName);
      expect(await page.locator('sw-today-picks .sw-h2').textContent()).toBe(picksHeading);
      await shoot(page, `home-${lang}`);
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('wealth and loan pages, and the wide layout with the live panel', async () => {
    const browser = await openBrowser({ deviceScaleFactor: 2 });
    try {
      const page = await browser.newPage(demo.url + '/wealth.html');
      await settled(page, ['#wealth-today', '#wealth-feed']);
      await shoot(page, 'wealth-en');

      await page.setViewportSize(PHONE);
      await page.goto(demo.url + '/loans.html');
      await settled(page, ['sw-today-picks']);
      await page.locator('#apply-start').click();
      await page.locator('#apply-next').click();
      await shoot(page, 'loans-en');

      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(demo.url + '/');
      await settled(page, HOME);
      await expect.poll(() => page.locator('#panel-decisions li[data-slot]').count()).toBeGreaterThan(0);
      await painted(page);
      await page.screenshot({ path: join(DIR, 'home-wide-en.png'), animations: 'disabled' });
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

// Screenshots of the demo for people to look at (test/e2e/screenshots/, git-ignored): every page at
// phone width (390 px) and in the wide layout with the live panel (1280 px), light and dark, zh-CN
// and en. Each is taken once the page is really done (slots filled, images and fonts loaded) and
// checked for speaking the right language and showing the right theme; the checks a picture cannot
// make itself are asserted: thumbnails that show their whole figure, feed cards without blank
// bands, the toast over the phone.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, PHONE } from './browser';
import { sdkReady, seedDemoCustomer, startDemo, type Demo } from './demo';

const DIR = join(import.meta.dirname, 'screenshots');
const WIDE = { width: 1280, height: 900 };

/** Waits for filled slots. */
async function settled(page: Page, slots: string[]) {
  await sdkReady(page);
  for (const s of slots) await page.locator(`${s} li.sw-card:not(.sw-skel)`).first().waitFor();
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

/** The whole page at phone width (the viewport grows to the page so the sticky bars sit where a person sees them); the viewport as it is when wide. */
async function shoot(page: Page, name: string) {
  const { width, height } = page.viewportSize()!;
  if (width < 800) {
    const full = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width, height: Math.min(full, 4000) });
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await painted(page);
  const file = join(DIR, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  console.log(`[e2e] screenshot ${file}`);
  await page.setViewportSize({ width, height });
}

/** Relative luminance (WCAG) of a computed `rgb(…)` colour. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** The theme the page shows: <html data-theme>, the widgets' attribute, and how dark a card really is. */
async function theme(page: Page) {
  return page.evaluate(() => {
    const card = document.querySelector('sw-today-picks')?.shadowRoot?.querySelector('.sw-card') ?? document.querySelector('#main .sw-card');
    return {
      html: document.documentElement.dataset.theme,
      widgets: [...document.querySelectorAll('sw-today-picks, sw-you-may-like, sw-smart-ad, sw-reminders')].map((el) => el.getAttribute('theme')),
      card: card ? getComputedStyle(card).backgroundColor : '',
      page: getComputedStyle(document.querySelector('.phone')!).backgroundColor,
    };
  });
}

async function expectTheme(page: Page, want: 'light' | 'dark') {
  const t = await theme(page);
  expect(t.html).toBe(want);
  for (const w of t.widgets) expect(w).toBe(want);
  for (const bg of [t.card, t.page]) {
    if (want === 'dark') expect(luminance(bg), bg).toBeLessThan(0.05);
    else expect(luminance(bg), bg).toBeGreaterThan(0.8);
  }
}

/** Feed cards hold no blank band: the gap between a card's last content and its actions is small. */
async function feedBands(page: Page, feed: string): Promise<number[]> {
  return page.evaluate((sel) => {
    const host = document.querySelector(sel);
    const root = host?.shadowRoot ?? host;
    return [...(root?.querySelectorAll('.sw-feed li.sw-card:not(.sw-skel)') ?? [])].map((card) => {
      const acts = card.querySelector('.sw-acts')!.getBoundingClientRect();
      const before = [...card.children].filter((c) => !c.classList.contains('sw-acts') && !c.classList.contains('sw-why'));
      return acts.top - Math.max(...before.map((c) => c.getBoundingClientRect().bottom));
    });
  }, feed);
}

/** Every thumbnail's SVG text (its headline figure), in full. */
async function thumbnailFigures(page: Page): Promise<{ src: string; shown: string; figure: string }[]> {
  const pairs = await page.evaluate(() =>
    [...(document.querySelector('sw-you-may-like')?.shadowRoot?.querySelectorAll('li.sw-card') ?? [])].map((card) => ({
      src: (card.querySelector('img.sw-img') as HTMLImageElement | null)?.src ?? '',
      figure: card.querySelector('.sw-hl b')?.textContent ?? '',
    })),
  );
  const out = [];
  for (const p of pairs.filter((p) => p.src && p.figure)) {
    const svg = await page.evaluate(async (src) => (await fetch(src)).text(), p.src);
    out.push({ ...p, shown: /<text[^>]*>([^<]*)<\/text>/.exec(svg)?.[1] ?? '' });
  }
  return out;
}

describe('demo screenshots', () => {
  let demo: Demo;
  beforeAll(async () => {
    mkdirSync(DIR, { recursive: true });
    demo = await startDemo();
    expect(await seedDemoCustomer(demo)).toBe(200);
  });
  afterAll(async () => {
    await demo?.close();
  });

  const HOME = ['sw-today-picks', 'sw-you-may-like', 'sw-smart-ad'];
  const PAGES = [
    { name: 'home', path: '/', slots: HOME },
    { name: 'wealth', path: '/wealth.html', slots: ['#wealth-today', '#wealth-feed'] },
    { name: 'loans', path: '/loans.html', slots: ['sw-today-picks'] },
  ];

  const EN = { lang: 'en', picksHeading: "Today's picks", bankName: 'Lumen Bank' } as const;
  const ZH = { lang: 'zh-CN', picksHeading: '今日推荐', bankName: '明光银行' } as const;
  it.each([
    { ...EN, scheme: 'light' },
    { ...ZH, scheme: 'light' },
    { ...EN, scheme: 'dark' },
    { ...ZH, scheme: 'dark' },
  ] as const)('every page in $lang, $scheme, at 390 and 1280 px', async ({ lang, picksHeading, bankName, scheme }) => {
    const browser = await openBrowser({ locale: lang, deviceScaleFactor: 2 });
    try {
      const page = await browser.newPage();
      // `prefers-color-scheme` decides while the customer has not chosen (the panel's Auto)
      await page.emulateMedia({ colorScheme: scheme });
      for (const viewport of [PHONE, WIDE]) {
        await page.setViewportSize(viewport);
        for (const p of PAGES) {
          await page.goto(demo.url + p.path);
          await settled(page, p.slots);
          expect(await page.getAttribute('html', 'lang')).toBe(lang);
          expect(await page.locator('.brand-name').first().textContent()).toBe(bankName);
          if (p.name === 'home') expect(await page.locator('sw-today-picks .sw-h2').textContent()).toBe(picksHeading);
          // the application form at step 2 (at 1280 px it is still open from the phone's run)
          if (p.name === 'loans' && (await page.locator('#apply-start').count())) {
            await page.locator('#apply-start').click();
            await page.locator('#apply-next').click();
          }
          await expectTheme(page, scheme);
          if (viewport === WIDE) await expect.poll(() => page.locator('#panel-decisions li[data-slot]').count()).toBeGreaterThan(0);
          await shoot(page, `${p.name}-${lang}-${scheme}-${viewport.width}`);
        }
      }
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('thumbnails show their whole figure and feed cards carry no blank band', async () => {
    const browser = await openBrowser();
    try {
      const page = await browser.newPage(demo.url + '/');
      await settled(page, HOME);
      await painted(page);
      const figures = await thumbnailFigures(page);
      expect(figures.length).toBeGreaterThan(0);
      for (const f of figures) expect(f.shown, f.src).toBe(f.figure.replace(/&/g, '&#38;'));
      const bands = await feedBands(page, 'sw-you-may-like');
      expect(bands.length).toBe(6);
      // the gap between a card's content and its actions is the card's own 10px gap, nothing more
      for (const gap of bands) expect(gap).toBeLessThan(20);
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('the panel switches the theme and the choice persists; the toast sits over the phone', async () => {
    const browser = await openBrowser({ viewport: WIDE });
    try {
      const page = await browser.newPage(demo.url + '/');
      await settled(page, HOME);
      await expectTheme(page, 'light');
      await page.locator('[data-theme-choice="dark"]').click();
      await expectTheme(page, 'dark');
      await page.reload();
      await settled(page, HOME);
      await expectTheme(page, 'dark');
      expect(await page.getAttribute('[data-theme-choice="dark"]', 'aria-pressed')).toBe('true');
      // back to Auto: the system's light scheme again
      await page.locator('[data-theme-choice="auto"]').click();
      await expectTheme(page, 'light');

      // beside the live panel the phone is off the window's centre: the toast follows the phone
      await page.locator('a[data-soon="qa.transfer"]').click();
      const [toast, phone] = await Promise.all([page.locator('#toast').boundingBox(), page.locator('.phone').boundingBox()]);
      expect(Math.abs(toast!.x + toast!.width / 2 - (phone!.x + phone!.width / 2))).toBeLessThan(2);
      expect(toast!.x).toBeGreaterThanOrEqual(phone!.x);
      expect(toast!.x + toast!.width).toBeLessThanOrEqual(phone!.x + phone!.width);
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

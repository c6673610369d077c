// No layout shift on the demo's home page (DESIGN: slots reserve their space, so nothing moves when
// they fill): the cumulative layout shift Chromium reports (PerformanceObserver 'layout-shift',
// shifts after user input excluded, as CLS counts them) from navigation until the slots are filled
// and their images painted, on a first visit (skeletons, then the network's answer) and on the next
// (cached slots), at phone width and in the wide layout, in both languages. The viewport is as tall
// as the page, so every slot is in view (a shift below the fold would count for nothing). Shifts
// inside the wide layout's live panel (the demo's own event log, beside the phone, growing as
// events come) are not the page's and are left out. A failure names the elements that moved and by
// how much.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, PHONE } from './browser';
import { sdkReady, seedDemoCustomer, startDemo, type Demo } from './demo';

/** as tall as the home page: every slot in view */
const PHONE_TALL = { width: PHONE.width, height: 3600 };
const WIDE = { width: 1280, height: 3600 };
const SLOTS = ['sw-reminders', 'sw-today-picks', 'sw-smart-ad', 'sw-you-may-like'];

interface Shift {
  value: number;
  at: number;
  sources: string[];
}

/** Collects layout shifts from the first paint on (an init script runs before the page's own). */
function recordShifts() {
  const w = window as unknown as { __shifts: Shift[] };
  w.__shifts = [];
  const describe = (n: Node | null) => {
    if (!(n instanceof Element)) return String(n?.nodeName ?? 'null');
    const host = (n.getRootNode() as ShadowRoot).host;
    return `${host ? host.localName + ' > ' : ''}${n.localName}${n.id ? '#' + n.id : ''}${n.classList.length ? '.' + [...n.classList].join('.') : ''}`;
  };
  const inPanel = (n: Node | null) => n instanceof Element && !!n.closest('#live-panel');
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean; startTime: number; sources: { node: Node | null; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[] }[]) {
      if (e.hadRecentInput || (e.sources.length && e.sources.every((s) => inPanel(s.node)))) continue;
      w.__shifts.push({
        value: e.value,
        at: Math.round(e.startTime),
        sources: e.sources.map((s) => `${describe(s.node)} (${Math.round(s.previousRect.x)}, ${Math.round(s.previousRect.y)})→(${Math.round(s.currentRect.x)}, ${Math.round(s.currentRect.y)}) (h ${Math.round(s.previousRect.height)}→${Math.round(s.currentRect.height)})`),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
}

/** Waits until every slot shows cards (or chose to show none), their images are in and two frames passed. */
async function settled(page: Page) {
  await sdkReady(page);
  await page.waitForFunction(
    (slots) =>
      slots.every((tag) => {
        const root = document.querySelector(tag)?.shadowRoot;
        // filled: cards and no skeleton left (an empty reminder or ad slot renders no list at all)
        return !!root && !root.querySelector('.sw-skel') && (tag !== 'sw-today-picks' && tag !== 'sw-you-may-like' ? true : !!root.querySelector('li.sw-card'));
      }),
    SLOTS,
    { timeout: 15_000 },
  );
  await page.evaluate(async () => {
    const images: HTMLImageElement[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el instanceof HTMLImageElement) images.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    await Promise.race([
      Promise.all(images.map((img) => (img.complete ? undefined : new Promise((r) => ((img.onload = r), (img.onerror = r)))))),
      new Promise((r) => setTimeout(r, 5000)),
    ]);
    await document.fonts.ready;
    // a shift is reported with the frame that shows it
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}

const shifts = (page: Page) => page.evaluate(() => (window as unknown as { __shifts: Shift[] }).__shifts);
const cls = (list: Shift[]) => list.reduce((a, s) => a + s.value, 0);

describe('demo home page: layout shift', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
    expect(await seedDemoCustomer(demo)).toBe(200);
  });
  afterAll(async () => {
    await demo?.close();
  });

  it.each([
    { viewport: PHONE_TALL, locale: 'en' },
    { viewport: PHONE_TALL, locale: 'zh-CN' },
    { viewport: WIDE, locale: 'en' },
    { viewport: WIDE, locale: 'zh-CN' },
  ])('holds still at $viewport.width px in $locale, first visit and cached', async ({ viewport, locale }) => {
    const browser = await openBrowser({ viewport, locale });
    try {
      await browser.context.addInitScript(recordShifts);
      const page = await browser.newPage();
      for (const visit of ['first visit', 'cached slots']) {
        await page.goto(demo.url + '/');
        await settled(page);
        const list = await shifts(page);
        expect(cls(list), `${visit}: ${JSON.stringify(list, null, 1)}`).toBeLessThan(0.01);
      }
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

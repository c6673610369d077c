// Item fields are untrusted. An operator's catalog (the server started with --catalog) full of
// markup and script payloads must render as inert text; links that are not http(s) or relative
// must never reach an href. Two layers are tried: the server's catalog validation, then the
// widgets themselves against a backend that answers javascript: URLs anyway (a fault, via page.route).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from './browser';
import { networkDecision, sdkReady, shownTitles, startDemo, type Demo } from './demo';

const SCRIPT = '<script>window.__xss=(window.__xss||0)+1</script>';
const IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1;alert(1)">';
const SVG = '"><svg onload=alert(1)>';
const STYLE = '</style><script>alert(1)</script>';

/** Rows that load (their text is hostile, their URLs are relative) and rows the server must refuse. */
const CATALOG = [
  { id: 'xss-fund', kind: 'fund', risk: 'R1', editorial: 100, title: `Cash ${SCRIPT}`, subtitle: IMG, cta: SVG, highlight: { label: STYLE, value: `${SCRIPT}2%` } },
  { id: 'xss-deposit', kind: 'deposit', editorial: 90, title: IMG, subtitle: `Deposit ${SVG}`, url: '/wealth.html#item=x"><script>alert(1)</script>' },
  { id: 'xss-article', kind: 'article', editorial: 80, title: `${SVG} guide`, image: '/v1/images/x.svg" onerror="alert(1)' },
  { id: 'xss-card', kind: 'card', editorial: 70, title: { en: `Card ${STYLE}`, 'zh-CN': `信用卡 ${SCRIPT}` }, subtitle: '{{constructor.constructor("alert(1)")()}}' },
  { id: 'xss-cover', kind: 'insurance', risk: 'R1', editorial: 60, title: `Cover <a href="javascript:alert(1)">here</a>` },
  { id: 'xss-ad', kind: 'ad', editorial: 50, title: `Ad ${IMG}`, cta: SCRIPT },
  ...['a', 'b', 'c', 'd', 'e', 'f'].map((k, i) => ({ id: `plain-${k}`, kind: 'deposit', editorial: 10 - i, title: `Plain deposit ${k}` })),
  // refused by the server's catalog validation, each reported with its line
  { id: 'bad-js-url', kind: 'card', title: 'Refused', url: 'javascript:alert(document.domain)' },
  { id: 'bad-js-image', kind: 'card', title: 'Refused', image: 'javascript:alert(1)' },
  { id: 'bad-js-case', kind: 'card', title: 'Refused', url: 'JaVaScRiPt:alert(1)' },
  { id: 'bad-js-space', kind: 'card', title: 'Refused', url: ' javascript:alert(1)' },
];

/** Everything hostile a page could hold, across the document and every open shadow root. */
function audit(page: Page) {
  return page.evaluate(() => {
    const all: Element[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        all.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const inWidgets = all.filter((el) => el.getRootNode() instanceof ShadowRoot);
    return {
      xss: (window as unknown as { __xss?: number }).__xss ?? 0,
      scripts: inWidgets.filter((el) => el.localName === 'script').length,
      handlers: all.filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).map((el) => el.outerHTML.slice(0, 120)),
      badLinks: all
        .filter((el): el is HTMLAnchorElement => el instanceof HTMLAnchorElement && el.hasAttribute('href'))
        .map((a) => a.href)
        .filter((href) => !/^https?:$/.test(new URL(href).protocol)),
      badImages: all
        .filter((el): el is HTMLImageElement => el instanceof HTMLImageElement && el.hasAttribute('src'))
        .map((img) => img.src)
        .filter((src) => !/^(https?:|data:image\/(png|gif|jpeg|webp))/.test(src)),
    };
  });
}

describe('a hostile catalog renders inert', () => {
  let dir: string;
  let catalogFile: string;
  let demo: Demo;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'slotwise-xss-'));
    catalogFile = join(dir, 'catalog.json');
    writeFileSync(catalogFile, JSON.stringify(CATALOG, null, 2));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await demo?.close();
  });

  it('shows the payloads as text: no dialog, no script run, no javascript: link', async () => {
    demo = await startDemo({ server: { catalogFile } });
    // the server refused the rows with script URLs, naming each
    for (const id of ['bad-js-url', 'bad-js-image', 'bad-js-case', 'bad-js-space']) {
      expect(demo.server.logs.some((l) => l.includes(`"${id}"`) && /skipped/.test(l)), `${id} reported`).toBe(true);
    }
    const dialogs: string[] = [];
    demo.browser.context.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });

    const page = await demo.open('/');
    await sdkReady(page);
    await page.locator('sw-today-picks li.sw-card').first().waitFor();
    await page.locator('sw-you-may-like li.sw-card').first().waitFor();
    const decision = await networkDecision(page, 'home.today');
    const served = Object.values(decision.slots).flatMap((s) => s.items);
    expect(served.some((i) => i.id.startsWith('xss-')), 'payload items were served').toBe(true);
    expect(served.some((i) => i.id.startsWith('bad-'))).toBe(false);

    // the hostile titles are on screen, as the characters they are
    const titles = [...(await shownTitles(page, 'sw-today-picks')), ...(await shownTitles(page, 'sw-you-may-like'))];
    expect(titles).toContain(`Cash ${SCRIPT}`);
    expect(titles.some((t) => t.includes('onerror'))).toBe(true);
    // open every "why this?" so the reasons render too, and hover everything hoverable
    for (const why of await page.locator('sw-today-picks .sw-acts button[aria-expanded]').all()) await why.click();
    await page.mouse.move(200, 400);

    await page.waitForTimeout(500); // give an onerror or onload a chance to run, were there one
    expect(await audit(page)).toEqual({ xss: 0, scripts: 0, handlers: [], badLinks: [], badImages: [] });
    expect(dialogs).toEqual([]);
    expect(demo.browser.pageErrors).toEqual([]);
  });

  it('refuses javascript: and data: links even when the backend sends them', async () => {
    demo = await startDemo({ server: { catalogFile } });
    const dialogs: string[] = [];
    demo.browser.context.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const page = await demo.browser.newPage();
    const URLS = ['javascript:alert(1)', ' javascript:alert(2)', 'JAVASCRIPT:alert(3)', 'java\tscript:alert(4)', 'data:text/html,<script>alert(5)</script>', 'vbscript:msgbox(6)'];
    const IMAGES = ['javascript:alert(7)', 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="alert(8)"/>'];
    // a compromised backend: the real answer, with every link and image swapped for a payload
    await page.route('**/v1/decide', async (route) => {
      const real = await route.fetch();
      const body = (await real.json()) as { slots: Record<string, { items: { url?: string; image?: string }[] }> };
      let k = 0;
      for (const slot of Object.values(body.slots)) {
        for (const item of slot.items) {
          item.url = URLS[k % URLS.length];
          item.image = IMAGES[k % IMAGES.length];
          k++;
        }
      }
      await route.fulfill({ response: real, json: body });
    });
    await page.goto(demo.url + '/');
    await sdkReady(page);
    await page.locator('sw-today-picks li.sw-card').first().waitFor();
    await until('the feed', async () => (await shownTitles(page, 'sw-you-may-like')).length > 0);

    // the cards are there, without links; clicking a title goes nowhere
    await page.locator('sw-today-picks li.sw-card .sw-title').first().click();
    await page.waitForTimeout(500);
    expect(page.url()).toBe(demo.url + '/');
    expect(await audit(page)).toEqual({ xss: 0, scripts: 0, handlers: [], badLinks: [], badImages: [] });
    expect(dialogs).toEqual([]);
    expect(demo.browser.pageErrors).toEqual([]);
  });
});

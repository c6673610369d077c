// The script tag and the widget elements under a strict Content-Security-Policy, in Chromium:
// no 'unsafe-eval', no 'unsafe-inline'. The page's HTML is fulfilled with the policy header at the
// real server's origin (so 'self' is the server); the bundles, the API and the item images come
// from the real server-stub. Widgets must render items, events must land in SQLite, and the page
// must see zero CSP violations (securitypolicyviolation events, console errors).
// The nonce path: a policy that allows scripts only by nonce, where the core must pass its nonce
// on to the widgets chunk it loads (and the chunk to its styles).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { openBrowser, problemsOf, until, type BrowserSession } from './browser';

const STRICT = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'";
const NONCE = 'c3Atbm9uY2UtNDI';
const BY_NONCE = `default-src 'self'; script-src 'nonce-${NONCE}'; style-src 'self' 'nonce-${NONCE}'; img-src 'self' data:; connect-src 'self'`;

const WIDGETS = `
<sw-today-picks slot-id="home.today" locale="en"></sw-today-picks>
<sw-smart-ad slot-id="home.ad" locale="en"></sw-smart-ad>
<sw-you-may-like slot-id="home.feed" locale="en"></sw-you-may-like>
<sw-reminders slot-id="home.reminders" locale="en"></sw-reminders>
<sw-interests locale="en"></sw-interests>`;

/** the async snippet of sdk/script-tag.ts, allowed by its nonce */
const SNIPPET = `window.slotwise = window.slotwise || [];
['track','page','identify','setConsent','setPersonalization','reset','use','on','flush'].forEach(function (m) {
  slotwise[m] = slotwise[m] || function () { slotwise.push([m].concat([].slice.call(arguments))); }; });
slotwise.track('csp_snippet', { via: 'nonce' });`;

const pages: Record<string, { csp: string; html: string }> = {
  '/csp-strict.html': {
    csp: STRICT,
    html: `<!doctype html><html lang="en"><meta charset="utf-8"><title>strict CSP</title>
<script async src="/slotwise.min.js" data-app-key="demo" data-locale="en"></script>${WIDGETS}`,
  },
  '/csp-nonce.html': {
    csp: BY_NONCE,
    html: `<!doctype html><html lang="en"><meta charset="utf-8"><title>nonce CSP</title>
<script nonce="${NONCE}">${SNIPPET}</script>
<script async nonce="${NONCE}" src="/slotwise.min.js" data-app-key="demo" data-locale="en"></script>${WIDGETS}`,
  },
};

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

describe('CSP: no unsafe-eval, no unsafe-inline', () => {
  let server: TestServer;
  let browser: BrowserSession;

  beforeAll(async () => {
    server = await startServer();
    browser = await openBrowser({ locale: 'en-US' });
    for (const [path, { csp, html }] of Object.entries(pages)) {
      await browser.context.route(server.url + path, (route) =>
        route.fulfill({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }, body: html }),
      );
    }
    // before any script of the page: an init script is not subject to the page's policy
    await browser.context.addInitScript(() => {
      const w = window as unknown as { __violations: Violation[] };
      w.__violations = [];
      document.addEventListener(
        'securitypolicyviolation',
        (e) => w.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }),
        true,
      );
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** the number of item cards each widget shows, read through its open shadow root */
  const cards = (page: Page) =>
    page.evaluate(() =>
      Object.fromEntries(
        ['sw-today-picks', 'sw-smart-ad', 'sw-you-may-like'].map((tag) => [tag, document.querySelector(tag)?.shadowRoot?.querySelectorAll('.sw-card').length ?? 0]),
      ),
    );

  async function check(path: string) {
    const page = await browser.newPage(server.url + path);
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));

    const shown = await until('items in every widget', async () => {
      const n = await cards(page);
      return Object.values(n).every((c) => c > 0) && n;
    }, 30_000).catch(async (e) => {
      throw new Error(`${(e as Error).message}; cards ${JSON.stringify(await cards(page))}; problems ${JSON.stringify(problemsOf(page))}`);
    });
    expect(shown['sw-today-picks']).toBeGreaterThan(0);

    // styles applied (adopted sheet or nonce'd <style>): a card is laid out as a block with a box
    const styled = await page.evaluate(() => {
      const card = document.querySelector('sw-today-picks')!.shadowRoot!.querySelector('.sw-card') as HTMLElement;
      const root = card.getRootNode() as ShadowRoot;
      return { sheets: root.adoptedStyleSheets.length + root.querySelectorAll('style').length, height: card.getBoundingClientRect().height };
    });
    expect(styled.sheets).toBeGreaterThan(0);
    expect(styled.height).toBeGreaterThan(0);

    // images: item images come from the server ('self'); each one that finished loading decoded
    const images = await page.evaluate(async () => {
      const imgs = [...document.querySelector('sw-today-picks')!.shadowRoot!.querySelectorAll('img')];
      await Promise.all(imgs.map((i) => i.decode().catch(() => {})));
      return imgs.map((i) => ({ src: i.src, ok: i.complete && i.naturalWidth > 0 }));
    });
    for (const img of images) expect(img.ok, img.src).toBe(true);

    const id = await page.evaluate(() => {
      const sw = (window as unknown as { slotwise: { track(n: string, p?: object): string; flush(): Promise<void> } }).slotwise;
      const id = sw.track('csp_check', { path: location.pathname });
      return sw.flush().then(() => id);
    });
    await until('the tracked event in SQLite', () => server.query('SELECT id FROM events WHERE id = ?', id).length === 1, 15_000);
    const page_ = server.query<{ n: number }>("SELECT count(*) AS n FROM events WHERE type = 'page' AND json_extract(properties, '$.path') = ?", path);
    expect(page_[0]!.n).toBeGreaterThan(0);
    // impressions carry the decision the widgets rendered
    await until('an impression from a widget', async () => {
      await page.evaluate(() => (window as unknown as { slotwise: { flush(): Promise<void> } }).slotwise.flush());
      return server.query("SELECT id FROM events WHERE type = 'impression' AND decision_id IS NOT NULL").length > 0;
    }, 20_000);

    const violations = await page.evaluate(() => (window as unknown as { __violations: Violation[] }).__violations);
    expect(violations).toEqual([]);
    expect(consoleErrors.filter((m) => /Content.Security.Policy|Refused to/i.test(m))).toEqual([]);
    expect(problemsOf(page)).toEqual([]);
    return page;
  }

  it("strict policy ('self' only): widgets render, events arrive, no violation", async () => {
    const page = await check('/csp-strict.html');
    // the widgets chunk came from 'self' as a script element, not through eval or inline code
    const chunk = await page.evaluate(() => (document.querySelector('script[data-slotwise-widgets]') as HTMLScriptElement | null)?.src);
    expect(chunk).toBe(`${server.url}/slotwise-widgets.min.js`);
    await page.close();
  });

  it('nonce policy: the core passes its nonce to the widgets chunk; the snippet queue replays', async () => {
    const page = await check('/csp-nonce.html');
    const chunk = await page.evaluate(() => {
      const s = document.querySelector('script[data-slotwise-widgets]') as HTMLScriptElement | null;
      return s && { src: s.src, nonce: s.nonce };
    });
    expect(chunk).toEqual({ src: `${server.url}/slotwise-widgets.min.js`, nonce: NONCE });
    // every script the core added (the widgets chunk, and the network chunk where the build splits
    // one off) carries the nonce: under this policy a script without it would not have run
    const added = await page.evaluate(() =>
      [...document.scripts].filter((s) => s.src && !s.src.endsWith('/slotwise.min.js')).map((s) => ({ src: s.src, nonce: s.nonce })),
    );
    expect(added.length).toBeGreaterThan(0);
    for (const s of added) expect(s.nonce, s.src).toBe(NONCE);
    // the call queued by the inline snippet before the SDK loaded was replayed and stored
    await until('the snippet-queued event', () => server.query("SELECT id FROM events WHERE name = 'csp_snippet'").length === 1, 15_000);
    await page.close();
  });
});

/**
 * What every e2e test starts from: the real server-stub on a loopback port (its own temporary data
 * directory, serving demo/ and the built dist/), a fresh Chromium context, and helpers that read the
 * page through the SDK's public API and the demo's recorder (window.lumen, demo/js/boot.js).
 */
import type { Page } from 'playwright-core';
import { afterEach, beforeEach } from 'vitest';
import type { SlotwiseEvent } from '../../sdk/contract';
import type { ClientEvents } from '../../sdk/types';
import { startServer, type TestServer, type TestServerOptions } from '../helpers/server';
import { openBrowser, problemsOf, until, type BrowserOptions, type BrowserSession } from './browser';
import { makeEvent } from '../helpers/events';

export interface Demo {
  server: TestServer;
  browser: BrowserSession;
  url: string;
  /** a new tab at `path` of the demo, loaded */
  open(path?: string): Promise<Page>;
  /** rows of `events` as stored */
  rows(where: string, ...params: unknown[]): EventRow[];
  close(): Promise<void>;
}

export interface EventRow {
  id: string;
  type: string;
  name: string;
  decision_id: string | null;
  slot_id: string | null;
  item_id: string | null;
  position: number | null;
  properties: string;
}

/**
 * A fresh demo for every test of the calling `describe`, closed after it.
 * @example const demo = demoPerTest(); it('…', async () => { const page = await demo().open('/'); });
 */
export function demoPerTest(o?: Parameters<typeof startDemo>[0]): () => Demo {
  let demo: Demo | undefined;
  beforeEach(async () => {
    demo = await startDemo(o);
  });
  afterEach(async () => {
    await demo?.close();
    demo = undefined;
  });
  return () => demo!;
}

export async function startDemo(o: { server?: TestServerOptions; browser?: BrowserOptions } = {}): Promise<Demo> {
  // the server's log lines are kept in server.logs (not printed)
  const server = await startServer(o.server);
  let browser: BrowserSession;
  try {
    browser = await openBrowser(o.browser);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    server,
    browser,
    url: server.url,
    open: (path = '/') => browser.newPage(server.url + path),
    rows: (where, ...params) =>
      server.query<EventRow>(
        `SELECT id, type, name, decision_id, slot_id, item_id, position, properties FROM events WHERE ${where} ORDER BY ts, id`,
        ...params,
      ),
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}

/**
 * Waits until the page's client is the real one: on script-tag pages `window.slotwise` is the
 * snippet's queue (an array) until /slotwise.min.js has run; the Preact page sets `lumenClient`.
 */
export async function sdkReady(page: Page, timeoutMs = 15_000): Promise<void> {
  try {
    await page.waitForFunction(
      () => {
        const w = window as unknown as Record<string, { decide?: unknown } | undefined>;
        const c = w.lumenClient ?? w.slotwise;
        return !!c && !Array.isArray(c) && typeof c.decide === 'function';
      },
      undefined,
      { timeout: timeoutMs },
    );
  } catch {
    throw new Error(
      `the SDK never started on ${page.url()} (window.slotwise is still the snippet's queue or missing). ` +
        `Page problems: ${JSON.stringify(problemsOf(page))}`,
    );
  }
}

/** `flush()` on the page's client: everything queued so far is sent and acknowledged. */
export async function flush(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const w = window as unknown as Record<string, { flush(): Promise<void> } | undefined>;
    await (w.lumenClient ?? w.slotwise)!.flush();
  });
}

type Kind = 'event' | 'sent' | 'decision' | 'reminder' | 'error';
/** What the page's client reported so far, through the demo's recorder (it follows from load). */
export function recorded(page: Page, kind: 'decision'): Promise<ClientEvents['decision'][]>;
export function recorded(page: Page, kind: 'sent'): Promise<ClientEvents['sent'][]>;
export function recorded(page: Page, kind: 'event'): Promise<SlotwiseEvent[]>;
export function recorded(page: Page, kind: 'reminder'): Promise<ClientEvents['reminder'][]>;
export function recorded(page: Page, kind: 'error'): Promise<{ code: string; message: string }[]>;
export function recorded(page: Page, kind: Kind): Promise<unknown[]> {
  return page.evaluate((k) => {
    const list = window.lumen.log(k);
    // errors are Error objects: keep what crosses to the test
    return k === 'error' ? list.map((e: { code: string; message: string }) => ({ code: e.code, message: e.message })) : list;
  }, kind);
}

/** The newest decision that filled `slotId` from the network. */
export async function networkDecision(page: Page, slotId: string) {
  return until(`a network decision for ${slotId}`, async () =>
    (await recorded(page, 'decision')).reverse().find((d) => d.source === 'network' && d.slots[slotId]),
  );
}

/** Titles shown by a widget element, in order. */
export const shownTitles = (page: Page, element: string) => page.locator(`${element} li.sw-card .sw-title`).allTextContents();

/**
 * Stores the demo's customer (demo/js/boot.js: Lin Xiao, C1, new) as one the bank already knows, as
 * a real customer is: the page's own identify races its first decide, and a slot asked before the
 * backend stored it answers for a stranger (and is cached). Returns the events answer's status.
 */
export async function seedDemoCustomer(demo: Pick<Demo, 'url'>): Promise<number> {
  const identify = makeEvent(0, {
    id: 'seed-identify-lumen-new-c1', type: 'identify', name: 'identify', ts: Date.now(), anonymousId: 'seed', userId: 'lumen-new-c1',
    properties: { riskTolerance: 'C1', segment: 'new' },
  });
  const answer = await fetch(demo.url + '/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-slotwise-key': 'demo' },
    body: JSON.stringify({ sentAt: Date.now(), events: [identify] }),
  });
  return answer.status;
}

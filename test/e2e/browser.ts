/**
 * The browser harness of the e2e tests: Debian's Chromium driven by playwright-core, one fresh
 * user-data directory per context (so IndexedDB, localStorage and the SDK's identity start empty
 * and two pages of one context share them, like two tabs), plus small helpers to wait on the page
 * and on SQLite without sleeping blindly.
 *
 * No Chromium is an error naming the fix, never a skipped test.
 *
 * @example
 * const b = await openBrowser();
 * const page = await b.newPage(`${server.url}/`);
 * await b.close();
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A phone: the demo is mobile first. */
export const PHONE = { width: 390, height: 844 };

/** The Chromium to drive, or an error that says how to get one. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `The browser tests need Chromium, and there is none at ${path}.\n` +
        `Install Debian's Chromium:  apt-get update && apt-get install -y chromium\n` +
        `or point CHROMIUM_PATH at a Chromium binary:  CHROMIUM_PATH=/path/to/chromium npm test`,
    );
  }
  return path;
}

export interface BrowserSession {
  context: BrowserContext;
  /** a new tab, optionally opened at `url` and waited on until its load event */
  newPage(url?: string): Promise<Page>;
  /** uncaught exceptions in any page of this context: a demo page must have none */
  pageErrors: string[];
  /** console errors, for diagnosing a failure (not asserted on: the SDK may log on purpose) */
  consoleErrors: string[];
  close(): Promise<void>;
}

export interface BrowserOptions {
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
  /** the browser's language, i.e. navigator.language */
  locale?: string;
}

/** blank tabs already handed out by newPage() */
const used = new WeakSet<Page>();
const problems = new WeakMap<Page, string[]>();

/** Uncaught exceptions and console errors of one page so far, for failure messages. */
export const problemsOf = (page: Page): string[] => problems.get(page) ?? [];

export async function openBrowser(o: BrowserOptions = {}): Promise<BrowserSession> {
  const executablePath = chromiumPath();
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-e2e-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(dir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: o.viewport ?? PHONE,
      deviceScaleFactor: o.deviceScaleFactor ?? 1,
      isMobile: false,
      hasTouch: false,
      locale: o.locale ?? 'en-US',
      timeout: 60_000,
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const watch = (page: Page) => {
    const own: string[] = [];
    problems.set(page, own);
    page.on('pageerror', (e) => {
      pageErrors.push(`${page.url()}: ${e.stack ?? e.message}`);
      own.push(`uncaught: ${e.message}`);
    });
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      consoleErrors.push(`${page.url()}: ${m.text()}`);
      own.push(`console: ${m.text()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);

  return {
    context,
    pageErrors,
    consoleErrors,
    async newPage(url) {
      // a persistent context opens with one blank tab: use it first
      const blank = context.pages().find((p) => p.url() === 'about:blank' && !used.has(p));
      const page = blank ?? (await context.newPage());
      used.add(page);
      if (url) await page.goto(url, { waitUntil: 'load' });
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `fn` until it returns something other than undefined/false, or throws with `what` after
 * `timeoutMs`. For waiting on SQLite rows and page state; never a bare sleep.
 */
export async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 50): Promise<Exclude<T, false | undefined>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as Exclude<T, false | undefined>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

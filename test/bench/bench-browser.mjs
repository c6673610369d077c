// One Chromium session for a browser benchmark: its pages served by a bench server (startBenchServer),
// a fresh profile, a deadline that ends a hung run, and pages made cross-origin isolated (COOP/COEP)
// so timers tick in 5 µs steps. `close()` removes everything it made.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startBenchServer } from './bench-server.mjs';

export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * @param {{ name: string, pages: Record<string, string>, minutes: number, args?: string[], isolate: RegExp, locale?: string }} o
 *   pages: file name → HTML; isolate: the page URLs to serve with COOP/COEP
 */
export async function openBenchBrowser({ name, pages, minutes, args = [], isolate, locale }) {
  const dir = mkdtempSync(join(tmpdir(), `slotwise-${name}-pages-`));
  for (const [file, html] of Object.entries(pages)) writeFileSync(join(dir, file), html);
  const profile = mkdtempSync(join(tmpdir(), `slotwise-${name}-profile-`));
  const server = await startBenchServer({ pages: dir });
  const deadline = setTimeout(() => {
    console.error(`bench:${name}: over ${minutes} minutes, giving up`);
    process.exit(3);
  }, minutes * 60_000);
  let context;
  const close = async () => {
    clearTimeout(deadline);
    await context?.close().catch(() => {});
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: [...CHROMIUM_ARGS, ...args],
      viewport: { width: 390, height: 844 },
      ...(locale ? { locale } : {}),
      timeout: 60_000,
    });
    await context.route(isolate, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } });
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { context, server, close };
}

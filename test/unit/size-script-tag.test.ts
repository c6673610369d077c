// @vitest-environment node
/**
 * The script tag's budget (DESIGN.md "Budgets", issue 17): everything a page loads before its first
 * event is sent — the core, dist/slotwise.min.js, and the network module it loads in parallel at
 * start, dist/slotwise-net.min.js — at most 20 KB min+gzip in total, each file compressed on its
 * own as a server sends it. The widgets chunk is not in the sum: the core loads it only when a widget
 * element is on the page (size-widgets.test.ts has its own budget).
 *
 * Built here exactly as rollup.config.mjs builds them, so the numbers are the shipped ones.
 */
import { bundleSize, sizeLine } from '../helpers/bundle-size';
import { expect, it } from 'vitest';

const BUDGET = 20 * 1024;
/** the chunks the core loads by itself at start, before anything is sent */
const AT_START = ['slotwise-net.min.js'];
/** the chunks it loads on demand only */
const ON_DEMAND = ['slotwise-widgets.min.js'];

it('the core and what it loads before the first send stay within 20 KB min+gzip', async () => {
  const core = await bundleSize('dist/slotwise.min.js');
  const chunks = await Promise.all(AT_START.map((f) => bundleSize('dist/' + f)));
  const total = core.gz + chunks.reduce((n, c) => n + c.gz, 0);
  console.log(
    [core, ...chunks].map((s, i) => `${sizeLine(['slotwise.min.js', ...AT_START][i]!, s, BUDGET)}\n${s.table}`).join('\n') +
      `\nscript tag before its first send: ${total} bytes min+gzip (${(total / 1024).toFixed(1)} KB of ${BUDGET / 1024} KB)`,
  );
  expect(total, `the script tag is ${(total / 1024).toFixed(1)} KB min+gzip before its first send, over ${BUDGET / 1024} KB`).toBeLessThanOrEqual(BUDGET);
  // the sum is complete: the core names no chunk file but these, so a new one cannot slip past it
  const named = new Set(core.code.match(/slotwise-[a-z]+\.min\.js/g));
  expect([...named].sort()).toEqual([...AT_START, ...ON_DEMAND].sort());
}, 180_000);

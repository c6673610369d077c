// @vitest-environment node
/**
 * Size budget of the script-tag core (DESIGN.md "Budgets"): dist/slotwise.min.js — capture,
 * queue, flush scheduling and beacons, the decide cache, budget and fallbacks, tags, triggers — at
 * most 14 KB min+gzip. Built
 * here exactly as rollup.config.mjs builds it, so the number is the shipped one. The network
 * module (requests and the lean answer checks) is slotwise-net.min.js: see size-net.test.ts, and
 * size-script-tag.test.ts for the budget of the two together.
 */
import { bundleSize, sizeLine } from '../helpers/bundle-size';
import { expect, it } from 'vitest';

const BUDGET = 14 * 1024;

it('slotwise.min.js stays within 14 KB min+gzip', async () => {
  const size = await bundleSize('dist/slotwise.min.js');
  const { gz, modules } = size;
  console.log(`${sizeLine('slotwise.min.js', size, BUDGET)}\n${size.table}`);
  expect(gz, `slotwise.min.js is ${(gz / 1024).toFixed(1)} KB min+gzip, over the ${BUDGET / 1024} KB budget`).toBeLessThanOrEqual(BUDGET);
  // the split holds: no validation library and no ky in the core, its `./net` is the lazy loader
  const inside = (pkg: string) => Object.entries(modules).some(([id, m]) => id.includes(`node_modules/${pkg}/`) && m.renderedLength > 0);
  expect(inside('zod'), 'zod in the core').toBe(false);
  expect(inside('ky'), 'ky in the core').toBe(false);
  expect(Object.keys(modules).some((id) => id.endsWith('sdk/net-lazy.ts'))).toBe(true);
  // what needs the network anyway comes with it: the send loop and the request half of decide()
  for (const id of Object.keys(modules)) expect(id, 'a network-only module in the core').not.toMatch(/sdk\/(send-loop|decide-send|net|contract-check)\.ts$/);
}, 180_000);

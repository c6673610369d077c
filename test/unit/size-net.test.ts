// @vitest-environment node
/**
 * Size budget of the script tag's network module, dist/slotwise-net.min.js (ky, zod/mini, the
 * contract's schemas, the requests to /v1/events, /v1/decide and /v1/config and the options check):
 * at most 16 KB min+gzip. The core loads it in parallel at start (see sdk/net-lazy.ts). Built here
 * exactly as rollup.config.mjs builds it, so the number is the shipped one.
 */
import { bundleSize, sizeLine } from '../helpers/bundle-size';
import { expect, it } from 'vitest';

const BUDGET = 16 * 1024;

it('slotwise-net.min.js stays within 16 KB min+gzip, and carries no core', async () => {
  const size = await bundleSize('dist/slotwise-net.min.js');
  const { code, gz, modules } = size;
  console.log(`${sizeLine('slotwise-net.min.js', size, BUDGET)}\n${size.table}`);
  expect(gz, `slotwise-net.min.js is ${(gz / 1024).toFixed(1)} KB min+gzip, over the ${BUDGET / 1024} KB budget`).toBeLessThanOrEqual(BUDGET);
  // the core's parts stay in the core: no queue, no IndexedDB, no capture in here
  for (const id of Object.keys(modules)) expect(id, 'a core module in the network chunk').not.toMatch(/sdk\/(client|queue|db|capture|decisions|transport|triggers|tags)\.ts$|node_modules\/idb\//);
  // it registers with the core, under CSP without eval: zod is told to stay jitless at init
  expect(code).toContain('__slotwiseNet');
  expect(code).toMatch(/jitless:!0/);
}, 180_000);

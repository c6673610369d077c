// @vitest-environment node
/**
 * What the script tag's network module, dist/slotwise-net.min.js, is made of: net.ts (the requests
 * to /v1/events, /v1/decide and /v1/config, with plain fetch), the transport's send loop
 * (send-loop.ts), the request half of decide() (decide-send.ts), the contract's lean answer checks
 * (contract-check.ts) and the options check. The core loads it in parallel at start (see
 * sdk/net-lazy.ts); its weight counts in the script tag's 20 KB (size-script-tag.test.ts). Built here
 * exactly as rollup.config.mjs builds it, so the code is the shipped one.
 */
import { bundleSize, sizeLine } from '../helpers/bundle-size';
import { expect, it } from 'vitest';

it('slotwise-net.min.js carries no core, no zod, no ky, and nothing evaluated from strings', async () => {
  const size = await bundleSize('dist/slotwise-net.min.js');
  const { code, modules } = size;
  console.log(`${sizeLine('slotwise-net.min.js', size, 20 * 1024)}\n${size.table}`);
  // the core's parts stay in the core: no queue, no IndexedDB, no capture in here
  for (const id of Object.keys(modules)) expect(id, 'a core module in the network chunk').not.toMatch(/sdk\/(client|queue|db|capture|decisions|transport|triggers|tags)\.ts$|node_modules\/idb\//);
  // answers are checked with the contract's lean schemas; requests go with fetch
  for (const id of Object.keys(modules)) expect(id, 'a library the lean checks replace').not.toMatch(/node_modules\/(zod|ky)\//);
  for (const m of ['contract-check', 'send-loop', 'decide-send']) expect(Object.keys(modules).some((id) => id.endsWith(`sdk/${m}.ts`)), m).toBe(true);
  // it registers with the core, and runs under a CSP without 'unsafe-eval'
  expect(code).toContain('__slotwiseNet');
  for (const bad of ['eval(', 'new Function', 'Function(']) expect(code.includes(bad), bad).toBe(false);
}, 180_000);

it('the ESM build (dist/index.js) imports neither zod nor ky (nor, since idb left, anything): an app bundling the SDK gets neither', async () => {
  const { code } = await bundleSize('dist/index.js');
  const imports = [...code.matchAll(/^import\s[^;]*?['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  expect(imports).toEqual([]);
}, 180_000);

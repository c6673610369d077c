// @vitest-environment node
/**
 * Size budget of the script tag's network module, dist/slotwise-net.min.js (ky, zod/mini, the
 * contract's schemas, the requests to /v1/events, /v1/decide and /v1/config and the options check):
 * at most 16 KB min+gzip. The core loads it in parallel at start (see sdk/net-lazy.ts). Built here
 * exactly as rollup.config.mjs builds it, so the number is the shipped one.
 */
import { gzipSync } from 'node:zlib';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { expect, it } from 'vitest';

const BUDGET = 16 * 1024;

it('slotwise-net.min.js stays within 16 KB min+gzip, and carries no core', async () => {
  const configUrl = new URL('../../rollup.config.mjs', import.meta.url).href;
  const configs: RollupOptions[] = (await import(configUrl)).default;
  const config = configs.find((c) => (c.output as OutputOptions).file === 'dist/slotwise-net.min.js');
  expect(config, 'rollup.config.mjs builds dist/slotwise-net.min.js').toBeDefined();
  const bundle = await rollup({ ...config, onwarn: () => {} });
  const { output } = await bundle.generate(config!.output as OutputOptions);
  await bundle.close();
  const code = output[0].code;
  const gz = gzipSync(code, { level: 9 }).length;

  const parts: Record<string, number> = {};
  for (const [id, m] of Object.entries(output[0].modules)) {
    const key = id.includes('node_modules/') ? id.split('node_modules/')[1]!.split('/').slice(0, 2).join('/') : id.replace(/^.*?\/sdk\//, 'sdk/');
    parts[key] = (parts[key] ?? 0) + m.renderedLength;
  }
  const table = Object.entries(parts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `  ${String(v).padStart(7)}  ${k}`)
    .join('\n');
  console.log(`slotwise-net.min.js: ${code.length} bytes min, ${gz} bytes min+gzip (${(gz / 1024).toFixed(1)} KB of ${BUDGET / 1024} KB)\n${table}`);
  expect(gz, `slotwise-net.min.js is ${(gz / 1024).toFixed(1)} KB min+gzip, over the ${BUDGET / 1024} KB budget`).toBeLessThanOrEqual(BUDGET);
  // the core's parts stay in the core: no queue, no IndexedDB, no capture in here
  for (const id of Object.keys(output[0].modules)) expect(id, 'a core module in the network chunk').not.toMatch(/sdk\/(client|queue|db|capture|decisions|transport|triggers|tags)\.ts$|node_modules\/idb\//);
  // it registers with the core, under CSP without eval: zod is told to stay jitless at init
  expect(code).toContain('__slotwiseNet');
  expect(code).toMatch(/jitless:!0/);
}, 180_000);

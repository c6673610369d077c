// @vitest-environment node
/**
 * Size budget of the script-tag core (DESIGN.md "Budgets"): dist/slotwise.min.js — capture,
 * queue, flush scheduling and beacons, decisions, tags, triggers — at most 14 KB min+gzip. Built
 * here exactly as rollup.config.mjs builds it, so the number is the shipped one. The network
 * module (ky, zod/mini, the contract's schemas) is slotwise-net.min.js: see size-net.test.ts.
 */
import { gzipSync } from 'node:zlib';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { expect, it } from 'vitest';

const BUDGET = 14 * 1024;

it('slotwise.min.js stays within 14 KB min+gzip', async () => {
  // @ts-expect-error -- the config is plain JS
  const { default: configs } = (await import('../../rollup.config.mjs')) as { default: RollupOptions[] };
  const config = configs.find((c) => c.input == 'sdk/script-tag.ts');
  expect(config, 'rollup.config.mjs builds sdk/script-tag.ts').toBeDefined();
  const bundle = await rollup({ ...config, onwarn: () => {} });
  const { output } = await bundle.generate(config!.output as OutputOptions);
  await bundle.close();
  const code = output[0].code;
  const gz = gzipSync(code, { level: 9 }).length;

  // where the bytes go, to act on a failure (sizes before minification, per package or file)
  const parts: Record<string, number> = {};
  for (const [id, m] of Object.entries(output[0].modules)) {
    const key = id.includes('node_modules/') ? id.split('node_modules/')[1]!.split('/').slice(0, 2).join('/') : id.replace(/^.*?\/(sdk|widgets)\//, '$1/');
    parts[key] = (parts[key] ?? 0) + m.renderedLength;
  }
  const table = Object.entries(parts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `  ${String(v).padStart(7)}  ${k}`)
    .join('\n');
  console.log(`slotwise.min.js: ${code.length} bytes min, ${gz} bytes min+gzip (${(gz / 1024).toFixed(1)} KB of ${BUDGET / 1024} KB)\n${table}`);
  expect(gz, `slotwise.min.js is ${(gz / 1024).toFixed(1)} KB min+gzip, over the ${BUDGET / 1024} KB budget`).toBeLessThanOrEqual(BUDGET);
  // the split holds: no validation library and no ky in the core, its `./net` is the lazy loader
  const inside = (pkg: string) => Object.entries(output[0].modules).some(([id, m]) => id.includes(`node_modules/${pkg}/`) && m.renderedLength > 0);
  expect(inside('zod'), 'zod in the core').toBe(false);
  expect(inside('ky'), 'ky in the core').toBe(false);
  expect(Object.keys(output[0].modules).some((id) => id.endsWith('sdk/net-lazy.ts'))).toBe(true);
}, 180_000);

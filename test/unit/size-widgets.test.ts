// @vitest-environment node
// The widgets chunk (dist/slotwise-widgets.min.js: Preact + widgets + custom elements) is built the
// way `npm run build` builds it, in memory, and must stay within 11 KB min+gzip.
import { gzipSync } from 'node:zlib';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { describe, expect, it } from 'vitest';

const BUDGET = 11 * 1024;

describe('widgets chunk size', () => {
  it(`is at most ${BUDGET} bytes min+gzip, and carries no core SDK`, { timeout: 60_000 }, async () => {
    const configUrl = new URL('../../rollup.config.mjs', import.meta.url).href;
    const configs: RollupOptions[] = (await import(configUrl)).default;
    const config = configs.find((c) => (c.output as OutputOptions).file === 'dist/slotwise-widgets.min.js')!;
    expect(config, 'rollup.config.mjs builds dist/slotwise-widgets.min.js').toBeTruthy();
    const bundle = await rollup({ ...config, onwarn: () => {} });
    const { output } = await bundle.generate(config.output as OutputOptions);
    await bundle.close();
    const code = output[0].code;
    const gz = gzipSync(code, { level: 9 }).length;
    console.log(`[size] slotwise-widgets.min.js: ${code.length} B min, ${gz} B min+gzip (budget ${BUDGET})`);
    expect(gz).toBeLessThanOrEqual(BUDGET);
    // the chunk drives the page's client: nothing of capture, transport or decisions is inside
    for (const core of ['x-slotwise-key', '/v1/decide', '/v1/events', 'indexedDB', 'sendBeacon']) expect(code.includes(core), core).toBe(false);
    // CSP: nothing evaluated from strings (inline style attributes are checked on the rendered DOM)
    for (const bad of ['eval(', 'new Function']) expect(code.includes(bad), bad).toBe(false);
  });
});

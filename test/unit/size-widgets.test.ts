// @vitest-environment node
// The widgets chunk (dist/slotwise-widgets.min.js: Preact + widgets + custom elements) is built the
// way `npm run build` builds it, in memory, and must stay within 11 KB min+gzip.
import { bundleSize, sizeLine } from '../helpers/bundle-size';
import { describe, expect, it } from 'vitest';

const BUDGET = 11 * 1024;

describe('widgets chunk size', () => {
  it(`is at most ${BUDGET} bytes min+gzip, and carries no core SDK`, { timeout: 60_000 }, async () => {
    const size = await bundleSize('dist/slotwise-widgets.min.js');
    const { code, gz } = size;
    console.log(`[size] ${sizeLine('slotwise-widgets.min.js', size, BUDGET)}`);
    expect(gz).toBeLessThanOrEqual(BUDGET);
    // the chunk drives the page's client: nothing of capture, transport or decisions is inside
    for (const core of ['x-slotwise-key', '/v1/decide', '/v1/events', 'indexedDB', 'sendBeacon']) expect(code.includes(core), core).toBe(false);
    // CSP: nothing evaluated from strings (inline style attributes are checked on the rendered DOM)
    for (const bad of ['eval(', 'new Function']) expect(code.includes(bad), bad).toBe(false);
  });
});

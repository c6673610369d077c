import { describe, expect, it } from 'vitest';
import { createClient } from '../../sdk/client';
import { SlotwiseError } from '../../sdk/errors';
import { checkOptions } from '../../sdk/net';
import { resolveOptions } from '../../sdk/options';
import type { ClientOptions } from '../../sdk/types';

const base = { appKey: 'demo', endpoint: 'http://localhost:8787' };
const fails = (o: unknown) => {
  try {
    checkOptions(o as ClientOptions);
  } catch (e) {
    expect(e).toBeInstanceOf(SlotwiseError);
    expect((e as SlotwiseError).code).toBe('invalid_options');
    return e as SlotwiseError;
  }
  throw new Error('expected invalid_options for ' + JSON.stringify(o));
};

describe('options', () => {
  it('fills every default from DESIGN.md', () => {
    const o = resolveOptions({ ...base, endpoint: 'http://localhost:8787/' });
    expect(o).toMatchObject({
      endpoint: 'http://localhost:8787',
      channel: 'web',
      consent: 'granted',
      autocapture: { pageviews: true, clicks: true, visibility: true },
      flush: { count: 20, intervalMs: 2000 },
      maxQueue: 10_000,
      decideTimeoutMs: 800,
      locale: navigator.language,
      debug: false,
    });
  });

  it('autocapture: false switches every part off; a partial object keeps the rest on', () => {
    expect(resolveOptions({ ...base, autocapture: false }).autocapture).toEqual({ pageviews: false, clicks: false, visibility: false });
    expect(resolveOptions({ ...base, autocapture: { clicks: false } }).autocapture).toEqual({ pageviews: true, clicks: false, visibility: true });
    expect(resolveOptions({ ...base, flush: { count: 5 } }).flush).toEqual({ count: 5, intervalMs: 2000 });
  });

  it.each([
    [{ endpoint: base.endpoint }, 'appKey'],
    [{ ...base, appKey: '' }, 'appKey'],
    [{ ...base, endpoint: 'localhost:8787' }, 'endpoint'],
    [{ ...base, endpoint: 'http://x.test/?a=1' }, 'endpoint'],
    [{ ...base, channel: 'tv' }, 'channel'],
    [{ ...base, consent: 'yes' }, 'consent'],
    [{ ...base, flush: { count: 0 } }, 'flush.count'],
    [{ ...base, flush: { count: 501 } }, 'flush.count'],
    [{ ...base, flush: { intervalMs: 1.5 } }, 'flush.intervalMs'],
    [{ ...base, maxQueue: -1 }, 'maxQueue'],
    [{ ...base, autocapture: { click: true } }, 'click'],
    [{ ...base, autocapture: true }, 'autocapture'],
    [{ ...base, fetch: 'window.fetch' }, 'fetch'],
    [{ ...base, autoCapture: false }, 'autoCapture'],
  ])('%j names %s', (o, name) => {
    const e = fails(o);
    expect(e.message).toContain(name);
    expect(e.details?.path).toBe(name);
  });

  it('rejects a missing or non-object config with a clear message', () => {
    expect(fails(undefined).message).toMatch(/invalid options/);
    expect(fails('demo').message).toMatch(/invalid options/);
  });

  it('createClient throws synchronously on a bad config, and only then', () => {
    expect(() => createClient({ ...base, maxQueue: 0 })).toThrowError(/maxQueue/);
  });
});

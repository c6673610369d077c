/**
 * The script tag's lazy network module (sdk/net-lazy.ts), and the client running on it as in
 * dist/slotwise.min.js (there rollup resolves `./net` to net-lazy.ts; here vi.doMock does).
 *
 * happy-dom does not run script files, so the browser's part is played by `browser()`: it takes the
 * injected <script>, and either runs "the chunk" — the real net.ts registering as net-entry.ts does
 * — and fires `load`, or fires `error` (a 404 or a CSP block). Real Chromium runs the built files.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlotwiseError } from '../../sdk/errors';
import type { ClientOptions, SlotwiseClient } from '../../sdk/types';
import { fakeBackend, freshIDB, peek, settle, until } from '../helpers/capture';


type G = { __slotwiseNet?: unknown };
const g = globalThis as G;

/** the page's browser: what happens to each injected chunk script */
function browser(outcome: () => 'load' | 'error' | 'no-register' | 'stale') {
  const scripts: HTMLScriptElement[] = [];
  vi.spyOn(document.head, 'appendChild').mockImplementation(<T extends Node>(node: T): T => {
    const el = node as unknown as HTMLScriptElement;
    scripts.push(el);
    setTimeout(() => {
      const what = outcome();
      if (what == 'load' || what == 'stale') {
        const self = { v: what == 'stale' ? '0.0.0-old' : __SDK_VERSION__, connect: real.connect };
        // as net-entry.ts does
        if (typeof g.__slotwiseNet == 'function') (g.__slotwiseNet as (m: unknown) => void)(self);
        else g.__slotwiseNet = self;
      }
      el.dispatchEvent(new Event(what == 'error' ? 'error' : 'load'));
    });
    return node;
  });
  return scripts;
}

const coreScript = () => {
  const s = document.createElement('script');
  s.src = 'https://cdn.bank.example/sw/slotwise.min.js?v=3';
  s.nonce = 'n0nce';
  return s;
};

let real: typeof import('../../sdk/net');
let lazy: typeof import('../../sdk/net-lazy');
let createClient: typeof import('../../sdk/client').createClient;
let clients: SlotwiseClient[] = [];
beforeEach(async () => {
  vi.resetModules();
  delete g.__slotwiseNet;
  real = await vi.importActual('../../sdk/net');
  // a fresh net-lazy per test (its state is the page's), the one the client imports as `./net`
  vi.doMock('../../sdk/net', async () => ({ ...real, ...(await vi.importActual('../../sdk/net-lazy')) }));
  lazy = (await import('../../sdk/net')) as unknown as typeof import('../../sdk/net-lazy');
  createClient = (await import('../../sdk/client')).createClient;
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  // the chunks still "loading" finish before the next test starts
  await new Promise((r) => setTimeout(r));
  vi.restoreAllMocks();
  delete g.__slotwiseNet;
});

const make = (o: Partial<ClientOptions>) => {
  const c = createClient({ appKey: 'demo', endpoint: 'http://api.test', autocapture: false, indexedDB: freshIDB(), ...o } as ClientOptions);
  clients.push(c);
  return c;
};

describe('net-lazy', () => {
  it('loads slotwise-net.min.js once, from next to the core script with its nonce, and serves calls once it registered', async () => {
    const scripts = browser(() => 'load');
    const backend = fakeBackend();
    lazy.load({ script: coreScript() });
    const net = lazy.connect({ appKey: 'demo', endpoint: 'http://api.test', fetch: backend.fetch });
    const [config, again] = await Promise.all([net.config(), net.config(), net.ready]);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]!.src).toBe('https://cdn.bank.example/sw/slotwise-net.min.js?v=3');
    expect(scripts[0]!.nonce).toBe('n0nce');
    expect(scripts[0]!.hasAttribute('data-slotwise-net')).toBe(true);
    expect(config.config.version).toBe('test');
    expect(again.problems).toEqual([]);
    const sent = await net.send(['a'], JSON.stringify({ sentAt: 1, events: [{ id: 'a' }] }), false);
    expect(sent).toEqual({ ack: { accepted: 1, duplicates: 0 } });
  });

  it('a chunk that fails to load rejects every waiting call with one error, and is tried again on the next call', async () => {
    let outcome: 'load' | 'error' | 'no-register' = 'error';
    const scripts = browser(() => outcome);
    lazy.load({ script: coreScript() });
    const net = lazy.connect({ appKey: 'demo', endpoint: 'http://api.test', fetch: fakeBackend().fetch });
    const errors = await Promise.all([net.ready, net.config(), net.decide({} as never)].map((p) => p.then(() => undefined, (e: SlotwiseError) => e)));
    expect(errors[0]).toMatchObject({ name: 'SlotwiseError', code: 'network' });
    expect(errors[0]!.message).toMatch(/slotwise-net\.min\.js did not load/);
    expect(new Set(errors).size).toBe(1);
    // a second failure is the same failure: told once by the client
    outcome = 'no-register';
    await expect(net.config()).rejects.toBe(errors[0]);
    outcome = 'load';
    await expect(net.config()).resolves.toMatchObject({ config: { version: 'test' } });
    expect(scripts).toHaveLength(3);
  });

  it('a chunk of another release (a stale cache) is not used: reported like a failed load, tried again', async () => {
    let outcome: 'load' | 'stale' = 'stale';
    const backend = fakeBackend();
    browser(() => outcome);
    lazy.load({ script: coreScript() });
    const net = lazy.connect({ appKey: 'demo', endpoint: 'http://api.test', fetch: backend.fetch });
    await expect(net.ready).rejects.toThrow(/slotwise-net\.min\.js is 0\.0\.0-old/);
    await expect(net.config()).rejects.toThrow(/slotwise-net\.min\.js is 0\.0\.0-old/);
    expect(backend.requests).toHaveLength(0);
    outcome = 'load';
    await expect(net.config()).resolves.toMatchObject({ config: { version: 'test' } });
  });

  it('bad options are found when the chunk arrives: every call rejects with that invalid_options, nothing is sent', async () => {
    browser(() => 'load');
    const backend = fakeBackend();
    lazy.load({ script: coreScript() });
    const net = lazy.connect({ appKey: 'demo', endpoint: 'http://api.test', channel: 'tv' as never, fetch: backend.fetch });
    const e = await net.ready.catch((e: SlotwiseError) => e);
    expect(e).toMatchObject({ code: 'invalid_options', details: { path: 'channel' } });
    await expect(net.send(['a'], '{}', false)).rejects.toBe(e);
    await expect(net.config()).rejects.toBe(e);
    expect(backend.requests).toHaveLength(0);
  });
});

describe('the client on the lazy network module (the script tag)', () => {
  it('tracks at once; sends once the module arrived', async () => {
    const scripts = browser(() => 'load');
    const backend = fakeBackend();
    lazy.load({ script: coreScript() });
    const sw = make({ fetch: backend.fetch });
    const id = sw.track('early');
    expect(id).toBeTruthy();
    await sw.flush();
    expect(scripts).toHaveLength(1);
    expect(backend.requests.flatMap((r) => r.body.events.map((e) => e.id))).toEqual([id]);
  });

  it('a bad data-attribute is reported (console, on("error")) when the module arrives; the client closes without sending', async () => {
    browser(() => 'load');
    const backend = fakeBackend();
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => {});
    lazy.load({ script: coreScript() });
    const idb = freshIDB();
    const sw = make({ fetch: backend.fetch, consent: 'yes' as never, indexedDB: idb });
    const errors: SlotwiseError[] = [];
    sw.on('error', (e) => errors.push(e));
    sw.track('before');
    await until(() => errors.length > 0);
    expect(errors.map((e) => [e.code, e.details?.path])).toEqual([['invalid_options', 'consent']]);
    expect(String(console.mock.calls[0])).toMatch(/invalid_options.*consent/);
    await settle();
    sw.track('after');
    await sw.flush();
    expect(backend.requests).toHaveLength(0);
  });

  it('a module that cannot load loses nothing: events stay in IndexedDB, the failure is told once, the next flush retries', async () => {
    let outcome: 'load' | 'error' = 'error';
    const scripts = browser(() => outcome);
    const backend = fakeBackend();
    lazy.load({ script: coreScript() });
    const idb = freshIDB();
    const sw = make({ fetch: backend.fetch, indexedDB: idb });
    const errors: SlotwiseError[] = [];
    sw.on('error', (e) => errors.push(e));
    const ids = [sw.track('a'), sw.track('b')];
    await sw.flush();
    expect(errors.map((e) => e.code)).toEqual(['network']);
    expect(errors[0]!.message).toMatch(/slotwise-net\.min\.js did not load/);
    expect((await peek(idb)).names).toEqual(['a', 'b']);
    expect(backend.requests).toHaveLength(0);
    // the retry record of the failed attempt is what the transport's backoff waits for; coming
    // back online (as after any network failure) retries at once
    outcome = 'load';
    window.dispatchEvent(new Event('online'));
    await until(() => backend.requests.length > 0);
    await until(async () => (await peek(idb)).events.length == 0);
    expect(backend.requests.flatMap((r) => r.body.events.map((e) => e.id))).toEqual(ids);
    expect(scripts.length).toBeGreaterThanOrEqual(2);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlotwiseClient } from '../../sdk/types';
import { fakeBackend } from '../helpers/capture';

type W = { slotwise?: unknown };
const w = window as unknown as W;
let backend: ReturnType<typeof fakeBackend>;
const realFetch = globalThis.fetch;

const tag = (attrs: Record<string, string>) => {
  const s = document.createElement('script');
  for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v);
  document.head.append(s);
  return s;
};
/** the async snippet of script-tag.ts, as a page would paste it */
const snippet = () => {
  const q = ((w.slotwise as unknown[]) ||= []) as unknown[] & Record<string, unknown>;
  for (const m of ['track', 'page', 'identify', 'setConsent', 'setPersonalization', 'reset', 'use', 'on', 'flush'])
    q[m] ||= (...args: unknown[]) => q.push([m, ...args]);
  return q as unknown as SlotwiseClient;
};
const load = async () => {
  vi.resetModules();
  await import('../../sdk/script-tag');
};

beforeEach(() => {
  backend = fakeBackend();
  globalThis.fetch = backend.fetch;
  document.head.innerHTML = '';
  delete w.slotwise;
});
afterEach(async () => {
  const c = w.slotwise as SlotwiseClient | undefined;
  if (c && !Array.isArray(c)) await c.close();
  delete w.slotwise;
  globalThis.fetch = realFetch;
  vi.restoreAllMocks();
});

describe('script tag', () => {
  it('configures from data- attributes and replays what the snippet queued, in order', async () => {
    tag({ 'data-app-key': 'demo', 'data-endpoint': 'http://api.test', 'data-channel': 'app', 'data-locale': 'zh-CN', 'data-autocapture': 'false' });
    const early = snippet();
    early.identify('u1', { segment: 'gold' });
    early.track('early', { a: 1 });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    (early as unknown as unknown[]).push(['launchRockets']);
    await load();
    const sw = w.slotwise as SlotwiseClient;
    expect(Array.isArray(sw)).toBe(false);
    expect(sw.locale).toBe('zh-CN');
    expect(sw.userId).toBe('u1');
    sw.track('late');
    await sw.flush();
    const events = backend.requests.flatMap((r) => r.body.events);
    expect(events.map((e) => [e.type, e.name])).toEqual([
      ['identify', 'identify'],
      ['track', 'early'],
      ['track', 'late'],
    ]);
    expect(events[0]).toMatchObject({ userId: 'u1', properties: { segment: 'gold' }, context: { channel: 'app', locale: 'zh-CN' } });
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]![1])).toMatch(/launchRockets is not a method/);
  });

  it('defaults the endpoint to the origin the script came from; consent from data-consent', async () => {
    // (a non-JS type: happy-dom would try to fetch the src)
    tag({ type: 'text/x-test', 'data-app-key': 'demo', src: 'http://cdn.test:8787/slotwise.min.js', 'data-consent': 'pending', 'data-autocapture': 'false' });
    await load();
    const sw = w.slotwise as SlotwiseClient;
    expect(sw.getConsent()).toBe('pending');
    sw.setConsent('granted');
    sw.track('x');
    await sw.flush();
    expect(backend.requests[0]!.url).toBe('http://cdn.test:8787/v1/events');
  });

  it('a bad config is logged once and the page is not broken: the queue stays in place', async () => {
    tag({ 'data-endpoint': 'http://api.test' });
    const early = snippet();
    early.track('kept');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(load()).resolves.toBeUndefined();
    expect(w.slotwise).toBe(early);
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]![0])).toMatch(/invalid options: appKey/);
  });

  it("the landing page view comes after the snippet's use()/on(): they see it", async () => {
    tag({ 'data-app-key': 'demo', 'data-endpoint': 'http://api.test' });
    const early = snippet();
    const heard: string[] = [];
    early.on('event', (e) => heard.push(`${e.type}:${e.properties.via}`));
    early.use((e) => ({ ...e, properties: { ...e.properties, via: 'middleware' } }));
    await load();
    const sw = w.slotwise as SlotwiseClient;
    await sw.flush();
    expect(heard[0]).toBe('page:middleware');
    const page = backend.requests.flatMap((r) => r.body.events).find((e) => e.type == 'page');
    expect(page?.properties.via).toBe('middleware');
  });

  it('a relative data-endpoint is resolved against the page', async () => {
    tag({ 'data-app-key': 'demo', 'data-endpoint': '/', 'data-autocapture': 'false' });
    const error = vi.spyOn(console, 'error');
    await load();
    const sw = w.slotwise as SlotwiseClient;
    sw.track('x');
    await sw.flush();
    expect(error).not.toHaveBeenCalled();
    expect(backend.requests[0]!.url).toBe(new URL('/v1/events', location.href).href);
  });

  it('a relative data-endpoint with a path keeps the path', async () => {
    tag({ 'data-app-key': 'demo', 'data-endpoint': '/api/sw/', 'data-autocapture': 'false' });
    const urls: string[] = [];
    globalThis.fetch = (async (input: RequestInfo | URL) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return Response.json({ accepted: 1, duplicates: 0 });
    }) as typeof fetch;
    await load();
    const sw = w.slotwise as SlotwiseClient;
    sw.track('x');
    await sw.flush();
    expect(urls).toContain(new URL('/api/sw/v1/events', location.href).href);
  });

  it('loaded twice: the second copy leaves the running client alone', async () => {
    tag({ 'data-app-key': 'demo', 'data-endpoint': 'http://api.test', 'data-autocapture': 'false' });
    await load();
    const first = w.slotwise;
    await load();
    expect(w.slotwise).toBe(first);
  });
});

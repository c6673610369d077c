import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../sdk/contract';
import { createRemoteConfig } from '../../sdk/remote-config';
import { createSlots } from '../../sdk/slots';
import type { Slots } from '../../sdk/types';
import { FAKE_TIMERS, fakeCore, freshIdb, settle, type FakeCore } from './fake-core';

const HOUR = 3600_000;
const tagRule = (name: string) => ({ name, match: { name: 'deposit_view' }, agg: 'exists', windowMs: HOUR });
const trigger = (id: string) => ({
  id,
  when: { name: 'deposit_view' },
  delayMs: 0,
  reminder: { title: { en: `Reminder ${id}` }, body: { en: 'b' } },
});
const config = (over: Partial<Config> = {}): Config => ({
  version: 'v1',
  ttlMs: HOUR,
  slots: [],
  tags: [tagRule('saw_deposit')],
  triggers: [trigger('t1')],
  ...over,
});

/** a /v1/config endpoint whose answer the test sets; anything else is a network error */
function configServer() {
  let next: () => Response = () => Response.json(config());
  const calls: string[] = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname} ${new Headers(init?.headers).get('x-slotwise-key')}`);
    if (!String(url).endsWith('/v1/config')) throw new TypeError('offline');
    return next();
  }) as typeof globalThis.fetch;
  return { fetch, calls, answer: (fn: () => Response) => (next = fn) };
}

let open: { core: FakeCore; slots?: Slots; close?: () => void }[] = [];
beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
  vi.setSystemTime(new Date('2025-03-03T10:00:00'));
});
afterEach(async () => {
  vi.useRealTimers();
  for (const o of open) {
    o.slots?.close();
    o.close?.();
    await o.core.close();
  }
  open = [];
});

const start = async (server: ReturnType<typeof configServer>, o: Parameters<typeof fakeCore>[0] = {}) => {
  const core = fakeCore({ fetch: server.fetch, ...o });
  const slots = createSlots(core);
  open.push({ core, slots });
  await settle();
  return { core, slots };
};

describe('remote config', () => {
  it('fetches the rules with the app key and runs them', async () => {
    const server = configServer();
    const { core, slots } = await start(server);
    expect(server.calls).toEqual(['GET /v1/config demo']);
    core.track('deposit_view', {});
    expect(slots.getTags().map((t) => t.name)).toEqual(['saw_deposit']);
    expect(core.emitted.reminder.map((r) => r.title)).toEqual(['Reminder t1']);
  });

  it('skips a bad rule among good ones, reports it once per version, runs the others', async () => {
    const server = configServer();
    server.answer(() =>
      Response.json(config({ tags: [tagRule('a'), { name: 'bad', agg: 'count' }, tagRule('b')], triggers: [trigger('t1'), { id: 't2', when: 'x' }] })),
    );
    const { core, slots } = await start(server);
    expect(core.errors.map((e) => [e.code, e.message.split(':')[0]])).toEqual([
      ['bad_rule', 'tags.1.match'],
      ['bad_rule', 'triggers.1.when'],
    ]);
    core.track('deposit_view', {});
    expect(slots.getTags().map((t) => t.name)).toEqual(['a', 'b']);
    expect(core.emitted.reminder).toHaveLength(1);
    // the same version again on refresh: no new reports
    vi.advanceTimersByTime(HOUR);
    await settle();
    expect(server.calls).toHaveLength(2);
    expect(core.errors).toHaveLength(2);
  });

  it('refreshes on the TTL, keeps the last good config through failures and bad answers, retries with backoff', async () => {
    const server = configServer();
    const { core, slots } = await start(server);
    server.answer(() => new Response('<html>oops</html>', { status: 200 }));
    vi.advanceTimersByTime(HOUR);
    await settle();
    expect(core.errors.map((e) => e.code)).toEqual(['bad_response']);
    server.answer(() => new Response('', { status: 503 }));
    vi.advanceTimersByTime(30_000);
    await settle();
    expect(core.errors.map((e) => e.code)).toEqual(['bad_response', 'server']);
    vi.advanceTimersByTime(59_999);
    await settle();
    expect(server.calls).toHaveLength(3);
    server.answer(() => Response.json(config({ version: 'v2', tags: [tagRule('new_tag')] })));
    vi.advanceTimersByTime(1);
    await settle();
    expect(server.calls).toHaveLength(4);
    core.track('deposit_view', {});
    expect(slots.getTags().map((t) => t.name)).toEqual(['new_tag']);
  });

  it('starts offline with the last good config from the device', async () => {
    const idb = freshIdb();
    const server = configServer();
    const first = await start(server, { idb });
    first.slots.close();
    const offline = configServer();
    offline.answer(() => {
      throw new TypeError('Failed to fetch');
    });
    // a day later: the saved config is past its TTL, the refresh fails, the saved rules still run
    vi.advanceTimersByTime(24 * HOUR);
    const { core, slots } = await start(offline, { idb });
    expect(offline.calls).toHaveLength(1);
    expect(core.errors.map((e) => e.code)).toEqual(['network']);
    core.track('deposit_view', {});
    expect(slots.getTags().map((t) => t.name)).toEqual(['saw_deposit']);
    expect(core.emitted.reminder).toHaveLength(1);
  });

  it('a saved config still within its TTL is used without asking', async () => {
    const idb = freshIdb();
    const first = await start(configServer(), { idb });
    first.slots.close();
    const server = configServer();
    await start(server, { idb });
    expect(server.calls).toEqual([]);
    vi.advanceTimersByTime(HOUR);
    await settle();
    expect(server.calls).toHaveLength(1);
  });

  it('close() leaves no timer behind', async () => {
    const server = configServer();
    const core = fakeCore({ fetch: server.fetch, idb: false });
    const applied: string[] = [];
    const rc = createRemoteConfig(core, (c) => applied.push(c.version));
    open.push({ core, close: rc.close });
    await settle();
    rc.close();
    vi.advanceTimersByTime(10 * HOUR);
    await settle();
    expect(server.calls).toHaveLength(1);
    expect(applied).toEqual(['v1']);
  });
});

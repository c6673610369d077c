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
  let next: (init?: RequestInit) => Response = () => Response.json(config());
  const calls: string[] = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname} ${new Headers(init?.headers).get('x-slotwise-key')}`);
    if (!String(url).endsWith('/v1/config')) throw new TypeError('offline');
    return next(init);
  }) as typeof globalThis.fetch;
  return { fetch, calls, answer: (fn: (init?: RequestInit) => Response) => (next = fn) };
}

/** EventSource as the browser has it, driven by the test: `streams` are the ones opened */
class FakeEventSource {
  static streams: FakeEventSource[] = [];
  readyState = 1;
  onmessage: ((e: { data: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  listeners = new Map<string, ((e: { data: string }) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.streams.push(this);
  }
  addEventListener(type: string, fn: (e: { data: string }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  send(version: number) {
    this.onmessage?.({ data: String(version) });
  }
  /** a release as the server sends it: its config (`event: config`), then its version */
  push(config: Config | string) {
    for (const fn of this.listeners.get('config') ?? []) fn({ data: typeof config == 'string' ? config : JSON.stringify(config) });
    if (typeof config != 'string') this.send(config.release!);
  }
  /** the server refused the stream for good */
  refuse() {
    this.readyState = 2;
    this.onerror?.();
  }
  close() {
    this.readyState = 2;
  }
}

let open: { core: FakeCore; slots?: Slots; close?: () => void }[] = [];
beforeEach(() => {
  FakeEventSource.streams = [];
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.useFakeTimers(FAKE_TIMERS);
  vi.setSystemTime(new Date('2025-03-03T10:00:00'));
});
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
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

  it('a page started from a saved config within its TTL opens the stream at once and takes a newer release', async () => {
    const idb = freshIdb();
    const first = await start(configServer(), { idb });
    first.slots.close();
    FakeEventSource.streams = [];
    const server = configServer();
    server.answer(() => Response.json(config({ version: 'v2', release: 2, triggers: [trigger('t2')] })));
    const { core } = await start(server, { idb });
    // no request: the saved config is fresh; but the stream is open
    expect(server.calls).toEqual([]);
    expect(FakeEventSource.streams).toHaveLength(1);
    // the stream's first event names the live release: not the saved one (none), so it is fetched
    FakeEventSource.streams[0]!.send(2);
    await settle();
    expect(server.calls).toHaveLength(1);
    core.track('deposit_view', {});
    expect(core.emitted.reminder.map((r) => r.title)).toEqual(['Reminder t2']);
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

  it('a release announced on the stream refetches the config with If-None-Match and swaps the rules', async () => {
    const server = configServer();
    const seen: (string | null)[] = [];
    server.answer((init) => (seen.push(new Headers(init?.headers).get('if-none-match')), Response.json(config({ release: 1 }))));
    const { core } = await start(server);
    expect(FakeEventSource.streams.map((s) => s.url)).toEqual(['http://127.0.0.1:9/v1/config/stream?key=demo']);
    const [stream] = FakeEventSource.streams;
    // the version it runs: nothing to fetch
    stream!.send(1);
    await settle();
    expect(server.calls).toHaveLength(1);
    server.answer((init) => (seen.push(new Headers(init?.headers).get('if-none-match')), Response.json(config({ version: 'v2', release: 2, triggers: [trigger('t2')] }))));
    stream!.send(2);
    await settle();
    expect(seen).toEqual([null, '"1-v1"']);
    core.track('deposit_view', {});
    expect(core.emitted.reminder.map((r) => r.title)).toEqual(['Reminder t2']);
    expect(FakeEventSource.streams).toHaveLength(1);
  });

  it('a release pushed with its config swaps the rules with no request; a bad push, or a version alone, refetches', async () => {
    const server = configServer();
    server.answer(() => Response.json(config({ release: 1 })));
    const { core } = await start(server);
    const [stream] = FakeEventSource.streams;
    stream!.send(1);
    await settle();
    expect(server.calls).toHaveLength(1);
    stream!.push(config({ version: 'v2', release: 2, triggers: [trigger('t2')] }));
    await settle();
    expect(server.calls).toHaveLength(1);
    core.track('deposit_view', {});
    expect(core.emitted.reminder.map((r) => r.title)).toEqual(['Reminder t2']);
    // a push the contract refuses is not applied: the version after it refetches
    server.answer(() => Response.json(config({ version: 'v3', release: 3, triggers: [trigger('t3')] })));
    stream!.push('{"version":');
    stream!.push({ ...config({ release: 3 }), ttlMs: 'soon' } as unknown as Config);
    await settle();
    expect(server.calls).toHaveLength(2);
    // a pushed config is for its own release: a later version announced alone is fetched
    stream!.push(config({ version: 'v4', release: 4 }));
    await settle();
    expect(server.calls).toHaveLength(2);
    server.answer(() => Response.json(config({ version: 'v5', release: 5, triggers: [trigger('t5')] })));
    stream!.send(5);
    await settle();
    expect(server.calls).toHaveLength(3);
    core.track('deposit_view', {});
    expect(core.emitted.reminder.map((r) => r.title).at(-1)).toBe('Reminder t5');
  });

  it('without a stream: revalidates every 30 s, a 304 keeps the rules in force', async () => {
    vi.stubGlobal('EventSource', undefined);
    const server = configServer();
    server.answer((init) =>
      new Headers(init?.headers).get('if-none-match') == '"3-v1"' ? new Response(null, { status: 304 }) : Response.json(config({ release: 3 })),
    );
    const { core } = await start(server);
    vi.advanceTimersByTime(30_000);
    await settle();
    vi.advanceTimersByTime(30_000);
    await settle();
    expect(server.calls).toHaveLength(3);
    expect(core.errors).toEqual([]);
    core.track('deposit_view', {});
    expect(core.emitted.reminder.map((r) => r.title)).toEqual(['Reminder t1']);
  });

  it('falls back to revalidating when the server refuses the stream', async () => {
    const server = configServer();
    await start(server);
    FakeEventSource.streams[0]!.refuse();
    vi.advanceTimersByTime(30_000);
    await settle();
    expect(server.calls).toHaveLength(2);
  });

  it('a new release keeps a pending trigger of an unchanged rule on its deadline, and cancels a removed or changed rule\'s', async () => {
    const waiting = (id: string, title = `Reminder ${id}`) => ({
      ...trigger(id),
      unless: { name: 'loan_apply_submit', withinMs: 60_000 },
      onReload: 'drop',
      reminder: { title: { en: title }, body: { en: 'b' } },
    });
    const server = configServer();
    server.answer(() => Response.json(config({ release: 1, triggers: [waiting('kept'), waiting('removed'), waiting('changed')] })));
    const { core } = await start(server);
    core.track('deposit_view', {});
    vi.advanceTimersByTime(20_000);
    await settle();
    server.answer(() => Response.json(config({ version: 'v2', release: 2, triggers: [waiting('kept'), waiting('changed', 'New words')] })));
    FakeEventSource.streams[0]!.send(2);
    await settle();
    expect(core.emitted.reminder).toEqual([]);
    // the kept one fires on its first deadline: 60 s after the event, not 60 s after the swap
    vi.advanceTimersByTime(40_000);
    await settle();
    expect(core.emitted.reminder.map((r) => r.title)).toEqual(['Reminder kept']);
    vi.advanceTimersByTime(120_000);
    await settle();
    expect(core.emitted.reminder.map((r) => r.title)).toEqual(['Reminder kept']);
  });

  it('a new release re-decides the slots on show without withdrawing them, and its answers are cached under it', async () => {
    let release = 1;
    const decides: number[] = [];
    const fetch = (async (url: string, init?: RequestInit) => {
      if (String(url).endsWith('/v1/config')) return Response.json(config({ version: `v${release}`, release }));
      const req = JSON.parse(String(init!.body));
      decides.push(release);
      const id = `i-${release}-${decides.length}`;
      return Response.json({
        decisionId: `d${decides.length}`, ttlMs: HOUR, release,
        slots: Object.fromEntries(req.slots.map((s: { id: string }) => [s.id, { items: [{ id, kind: 'card', title: id, position: 0, strategy: 's', score: 1, reasons: [] }] }])),
      });
    }) as typeof globalThis.fetch;
    const { slots } = await start({ fetch, calls: [], answer: () => {} } as unknown as ReturnType<typeof configServer>);
    const today = { id: 'home.today', kind: 'picks' as const, count: 1 };
    const seen: string[] = [];
    slots.subscribe('home.today', (s) => seen.push(`${s.status}${s.stale ? ' (stale)' : ''}:${s.items.map((i) => i.id).join()}`));
    await slots.decide([today]);
    await slots.decide([today]);
    expect(decides).toEqual([1]);
    release = 2;
    FakeEventSource.streams[0]!.send(2);
    await settle();
    await settle();
    expect(decides).toEqual([1, 2]);
    // the items of release 1 stay on show, marked stale, until release 2's answer replaces them
    expect(seen).toEqual(['loading:', 'network:i-1-1', 'cache:i-1-1', 'cache (stale):i-1-1', 'network:i-2-2']);
    // the new answer is fresh under release 2: no request
    await slots.decide([today]);
    expect(decides).toEqual([1, 2]);
  });
});

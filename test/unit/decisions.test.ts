import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DecideRequest, DecideResponse, Item } from '../../sdk/contract';
import { schemas } from '../../sdk/contract';
import { createSlotStore } from '../../sdk/slot-store';
import { createSlots } from '../../sdk/slots';
import type { Slots, SlotState } from '../../sdk/types';
import { FAKE_TIMERS, fakeCore, freshIdb, settle, type FakeCore, type FakeCoreOptions } from './fake-core';

const item = (id: string, position = 0, over: Partial<Item> = {}): Item => ({
  id,
  kind: 'fund',
  title: `Fund ${id}`,
  position,
  strategy: 'popular',
  score: 1,
  reasons: [],
  ...over,
});

/**
 * The backend as the SDK sees it through `fetch`: answers decide requests with one item per
 * asked slot (named after the request number), holds answers while `hold` is set, and logs bodies.
 */
function backend() {
  const log: DecideRequest[] = [];
  const headers: Headers[] = [];
  let hold: Promise<void> | undefined;
  let answer: ((req: DecideRequest, n: number) => Response | Promise<Response>) | undefined;
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const path = new URL(String(url)).pathname;
    if (path.endsWith('/v1/config')) return Response.json({ version: '1', ttlMs: 3600_000, slots: [], tags: [], triggers: [] });
    const req = JSON.parse(String(init!.body)) as DecideRequest;
    log.push(req);
    headers.push(new Headers(init!.headers));
    const n = log.length;
    await hold;
    if (answer) return answer(req, n);
    const body: DecideResponse = {
      decisionId: `d${n}`,
      ttlMs: 60_000,
      slots: Object.fromEntries(req.slots.map((s) => [s.id, { items: [item(`${s.id}-${n}`, 0, { image: '/v1/images/x.svg' })] }])),
    };
    return Response.json(body);
  };
  return {
    fetch: fetch as typeof globalThis.fetch,
    log,
    headers,
    hold() {
      let open!: () => void;
      hold = new Promise((r) => (open = r));
      return () => {
        hold = undefined;
        open();
      };
    },
    answer(fn: typeof answer) {
      answer = fn;
    },
  };
}

const today = { id: 'home.today', kind: 'picks', count: 4 } as const;
const ad = { id: 'home.ad', kind: 'ad', count: 1 } as const;
const fallbackItem = item('fallback-1');

let all: { core: FakeCore; slots: Slots }[] = [];
function client(be: ReturnType<typeof backend>, o: FakeCoreOptions = {}) {
  const core = fakeCore({
    fetch: be.fetch,
    ...o,
    options: { endpoint: 'https://api.bank.example/sw/', fallback: { 'home.today': [fallbackItem] }, ...o.options },
  });
  const slots = createSlots(core);
  all.push({ core, slots });
  return { core, slots };
}
const follow = (slots: Slots, id: string) => {
  const seen: SlotState[] = [];
  slots.subscribe(id, (s) => seen.push(s));
  return seen;
};

beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
  vi.setSystemTime(new Date('2025-03-03T10:00:00'));
});
afterEach(async () => {
  vi.useRealTimers();
  for (const c of all) {
    c.slots.close();
    await c.core.close();
  }
  all = [];
});

describe('decide', () => {
  it('sends every slot asked in one tick as one request, and each caller gets its own slots', async () => {
    const be = backend();
    const { slots } = client(be);
    const [a, b] = await Promise.all([slots.decide([today]), slots.decide([ad]), slots.prefetch([{ ...today, count: 6 }])]);
    expect(be.log).toHaveLength(1);
    const req = be.log[0];
    expect(schemas().decideRequest.safeParse(req).success).toBe(true);
    expect(req.slots).toEqual([{ ...today, count: 6 }, ad]);
    expect(req).toMatchObject({ anonymousId: 'anon-1', sessionId: 'sess-1', context: { page: '/home', channel: 'web', locale: 'en' } });
    expect(req.personalized).toBeUndefined();
    expect(be.headers[0].get('x-slotwise-key')).toBe('demo');
    expect(Object.keys(a.slots)).toEqual(['home.today']);
    expect(Object.keys(b.slots)).toEqual(['home.ad']);
    expect(a.decisionId).toBe('d1');
    expect(a.slots['home.today']).toMatchObject({ status: 'network', decisionId: 'd1' });
    // the items say which decision and slot showed them, and images point at the endpoint
    expect(a.slots['home.today'].items[0]).toMatchObject({
      id: 'home.today-1',
      decisionId: 'd1',
      slotId: 'home.today',
      image: 'https://api.bank.example/sw/v1/images/x.svg',
    });
    await slots.decide([ad], { page: '/other' });
    expect(be.log).toHaveLength(2);
  });

  it('splits more slots than one request may carry into requests of 20', async () => {
    const be = backend();
    const { slots } = client(be);
    const many = Array.from({ length: 25 }, (_, i) => ({ id: `s${i}`, kind: 'feed' as const, count: 1 }));
    const d = await slots.decide(many);
    expect(be.log.map((r) => r.slots.length)).toEqual([20, 5]);
    expect(Object.values(d.slots).every((s) => s.status == 'network')).toBe(true);
  });

  it('resolves images only when they are paths on the endpoint', async () => {
    const be = backend();
    be.answer((req) =>
      Response.json({
        decisionId: 'd',
        ttlMs: 1000,
        slots: { [req.slots[0].id]: { items: ['/v1/images/a.svg', '//evil.example/b.svg', 'https://cdn.example/c.png', undefined].map((image, i) => item(`i${i}`, i, { image })) } },
      }),
    );
    const { slots } = client(be);
    const d = await slots.decide([today]);
    expect(d.slots['home.today'].items.map((i) => i.image)).toEqual([
      'https://api.bank.example/sw/v1/images/a.svg',
      '//evil.example/b.svg',
      'https://cdn.example/c.png',
      undefined,
    ]);
  });

  it('sends the tags that hold, and personalized: false without tags once it is off', async () => {
    const be = backend();
    be.answer((req) => Response.json({ decisionId: 'd', ttlMs: 0, slots: { [req.slots[0].id]: { items: [] } } }));
    const { core, slots } = client(be, {
      fetch: (async (url: string, init?: RequestInit) =>
        String(url).endsWith('/v1/config')
          ? Response.json({
              version: '7',
              ttlMs: 3600_000,
              slots: [],
              tags: [{ name: 'saw_deposit', match: { name: 'deposit_view' }, agg: 'exists', windowMs: 3600_000 }],
              triggers: [],
            })
          : be.fetch(url, init)) as typeof fetch,
    });
    await settle();
    core.track('deposit_view', { itemId: 'd1' });
    await slots.decide([today]);
    expect(be.log[0].tags).toEqual({ saw_deposit: true });
    core.set({ personalized: false });
    slots.setPersonalization(false);
    await slots.decide([today]);
    expect(be.log.at(-1)!.personalized).toBe(false);
    expect(be.log.at(-1)!.tags).toBeUndefined();
  });

  it('paints cached items at once on the next page load, and revalidates stale ones in the background', async () => {
    const idb = freshIdb();
    const be = backend();
    const first = client(be, { idb });
    await first.slots.decide([today, ad]);
    await settle();

    // reload within the TTL: fresh from the cache, no request at all
    const second = client(be, { idb });
    const seen = follow(second.slots, 'home.today');
    const d = await second.slots.decide([today, ad]);
    expect(be.log).toHaveLength(1);
    expect(d.slots['home.today']).toMatchObject({ status: 'cache', decisionId: 'd1' });
    expect(d.slots['home.today'].stale).toBeUndefined();
    expect(seen.map((s) => s.status)).toEqual(['loading', 'cache']);

    // reload after the TTL: the stale items still paint at once, marked stale, while a request goes
    vi.advanceTimersByTime(61_000);
    const third = client(be, { idb });
    const release = be.hold();
    const later = follow(third.slots, 'home.today');
    const d3 = await third.slots.decide([today, ad]);
    expect(d3.slots['home.today']).toMatchObject({ status: 'cache', stale: true, decisionId: 'd1' });
    expect(be.log).toHaveLength(2);
    release();
    await settle();
    expect(later.map((s) => s.status)).toEqual(['loading', 'cache', 'network']);
    expect(later.at(-1)!.items[0].id).toBe('home.today-2');
    expect(later.at(-1)!.stale).toBeUndefined();
  });

  it('a cached slot asked for more items paints what it has at once and revalidates; asked for fewer, it is a hit', async () => {
    const idb = freshIdb();
    const be = backend();
    // a feed of 8 items: fewer than asked is a complete answer, not a short cache entry
    const feed = Array.from({ length: 8 }, (_, i) => item(`f${i}`, i));
    be.answer((req, n) => Response.json({ decisionId: `d${n}`, ttlMs: 60_000, slots: { 'home.feed': { items: feed.slice(0, req.slots[0].count) } } }));
    const ids = (s: SlotState) => s.items.map((i) => i.id);
    const ask = (count: number, kind: 'feed' | 'picks' = 'feed') => ({ id: 'home.feed', kind, count });

    const { slots } = client(be, { idb });
    const seen = follow(slots, 'home.feed');
    expect(ids((await slots.decide([ask(3)])).slots['home.feed'])).toEqual(['f0', 'f1', 'f2']);
    const release = be.hold();
    const more = await slots.decide([ask(6)]);
    expect(more.slots['home.feed']).toMatchObject({ status: 'cache', stale: true, decisionId: 'd1' });
    expect(ids(more.slots['home.feed'])).toEqual(['f0', 'f1', 'f2']);
    expect(be.log.map((r) => r.slots[0].count)).toEqual([3, 6]);
    release();
    await settle();
    expect(seen.at(-1)).toMatchObject({ status: 'network', decisionId: 'd2' });
    expect(ids(seen.at(-1)!)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);

    const fewer = await slots.decide([ask(2)]);
    expect(fewer.slots['home.feed']).toMatchObject({ status: 'cache', decisionId: 'd2' });
    expect(fewer.slots['home.feed'].stale).toBeUndefined();
    expect(ids(fewer.slots['home.feed'])).toEqual(['f0', 'f1']);
    expect(be.log).toHaveLength(2);

    // the server held fewer than asked: that answer still covers the count it was asked for
    await slots.decide([ask(12)]);
    await settle();
    expect(seen.at(-1)!.items).toHaveLength(8);
    const all = await slots.decide([ask(12)]);
    expect(all.slots['home.feed']).toMatchObject({ status: 'cache', decisionId: 'd3' });
    expect(be.log).toHaveLength(3);
    await settle();

    // across a reload too; another kind for the slot is revalidated
    const next = client(be, { idb });
    expect((await next.slots.decide([ask(6)])).slots['home.feed']).toMatchObject({ status: 'cache', decisionId: 'd3' });
    expect(be.log).toHaveLength(3);
    const other = await next.slots.decide([ask(6, 'picks')]);
    expect(other.slots['home.feed']).toMatchObject({ status: 'cache', stale: true, decisionId: 'd3' });
    expect(be.log.at(-1)!.slots).toEqual([ask(6, 'picks')]);
  });

  it('an entry of an older release (no count kept) still paints at once, and is revalidated', async () => {
    const idb = freshIdb();
    const old = fakeCore({ idb });
    createSlotStore(old).write('/home', 'home.today', { items: [{ ...item('old'), decisionId: 'd0', slotId: 'home.today' }], decisionId: 'd0', exp: Date.now() + 60_000 });
    await settle();
    await old.close();
    const be = backend();
    const { slots } = client(be, { idb });
    const d = await slots.decide([today]);
    expect(d.slots['home.today']).toMatchObject({ status: 'cache', stale: true, decisionId: 'd0' });
    expect(be.log).toHaveLength(1);
  });

  it('falls back in order after the budget: cached items, then fallback items, then empty; a late answer still lands', async () => {
    const idb = freshIdb();
    const be = backend();
    const first = client(be, { idb });
    await first.slots.decide([today]);
    await settle();
    vi.advanceTimersByTime(61_000);

    const { core, slots } = client(be, { idb, options: { decideTimeoutMs: 500, fallback: { 'home.today': [fallbackItem], 'home.ad': [item('ad-fallback')] } } });
    const release = be.hold();
    const seen = follow(slots, 'home.feed');
    const p = slots.decide([today, ad, { id: 'home.feed', kind: 'feed', count: 3 }]);
    await settle();
    vi.advanceTimersByTime(499);
    await settle();
    let done = false;
    void p.then(() => (done = true));
    await settle();
    expect(done).toBe(false);
    vi.advanceTimersByTime(1);
    const d = await p;
    expect(d.slots['home.today']).toMatchObject({ status: 'cache', stale: true, decisionId: 'd1' });
    expect(d.slots['home.ad']).toMatchObject({ status: 'fallback', items: [{ id: 'ad-fallback', slotId: 'home.ad' }] });
    expect(d.slots['home.feed']).toEqual({ slotId: 'home.feed', items: [], status: 'empty' });
    expect(core.errors.map((e) => e.code)).toEqual(['timeout']);
    expect(core.emitted.decision.map((x) => x.source)).toEqual(['cache', 'fallback']);

    release();
    await settle();
    expect(seen.at(-1)).toMatchObject({ status: 'network', decisionId: 'd2' });
    const again = await slots.decide([{ id: 'home.feed', kind: 'feed', count: 3 }]);
    expect(again.slots['home.feed']).toMatchObject({ status: 'cache', decisionId: 'd2' });
    expect(be.log).toHaveLength(2);
  });

  it.each([
    ['an HTML error page', () => new Response('<html><body>502 Bad Gateway</body></html>', { status: 200, headers: { 'content-type': 'text/html' } }), 'bad_response'],
    ['wrong types', () => Response.json({ decisionId: 42, ttlMs: '60', slots: [] }), 'bad_response'],
    ['missing fields', () => Response.json({ decisionId: 'd', slots: { 'home.today': { items: [{ id: 'x' }] } } }), 'bad_response'],
    ['a 500', () => Response.json({ error: { code: 'x', message: 'boom', path: '' } }, { status: 500 }), 'server'],
    ['a 2 MB body', () => new Response(JSON.stringify({ decisionId: 'd', ttlMs: 1, slots: {}, pad: 'x'.repeat(2 << 20) })), 'bad_response'],
    ['a 2 MB body that hides its length', () => new Response(new Blob(['{"pad":"' + 'x'.repeat(2 << 20) + '"}']).stream()), 'bad_response'],
  ])('%s → fallback, reported, nothing thrown', async (_, answer, code) => {
    const be = backend();
    be.answer(answer);
    const { core, slots } = client(be);
    const d = await slots.decide([today, ad]);
    expect(d.slots['home.today']).toMatchObject({ status: 'fallback', items: [{ id: 'fallback-1' }] });
    expect(d.slots['home.ad']).toMatchObject({ status: 'empty' });
    expect(core.errors.map((e) => e.code)).toEqual([code]);
  });

  it('a network failure falls back too', async () => {
    const be = backend();
    be.answer(() => {
      throw new TypeError('Failed to fetch');
    });
    const { core, slots } = client(be);
    const d = await slots.decide([today]);
    expect(d.slots['home.today'].status).toBe('fallback');
    expect(core.errors[0]).toMatchObject({ code: 'network', message: 'Failed to fetch' });
  });

  it('a bad slot request is reported and answered with its fallback, the good ones go out', async () => {
    const be = backend();
    const { core, slots } = client(be);
    const d = await slots.decide([{ id: 'home.today', kind: 'banner', count: 0 } as never, ad]);
    expect(core.errors.map((e) => e.code)).toEqual(['invalid_argument']);
    expect(d.slots['home.today'].status).toBe('fallback');
    expect(d.slots['home.ad'].status).toBe('network');
    expect(be.log[0].slots).toEqual([ad]);
    const nothing = await slots.decide(null as never);
    expect(nothing.slots).toEqual({});
  });

  it('a throwing subscriber is reported and the others still hear', async () => {
    const be = backend();
    const { core, slots } = client(be);
    slots.subscribe('home.today', (s) => {
      if (s.status == 'network') throw new Error('widget bug');
    });
    const seen = follow(slots, 'home.today');
    await slots.decide([today]);
    expect(seen.at(-1)!.status).toBe('network');
    expect(core.errors.map((e) => e.code)).toEqual(['listener_failed']);
  });

  it('a dismissed item leaves its slot, the cache and the next requests', async () => {
    const idb = freshIdb();
    const be = backend();
    const { core, slots } = client(be, { idb });
    const seen = follow(slots, 'home.today');
    const d = await slots.decide([today]);
    const shown = d.slots['home.today'].items[0];
    const id = slots.notInterested(shown);
    expect(core.events.at(-1)).toMatchObject({ id, type: 'not_interested', name: 'not_interested', itemId: shown.id, decisionId: 'd1', slotId: 'home.today', position: 0 });
    expect(seen.at(-1)!.items).toEqual([]);
    await settle();
    vi.advanceTimersByTime(61_000);
    await slots.decide([today]);
    expect(be.log[1].slots[0].exclude).toEqual([shown.id]);

    const reloaded = client(be, { idb });
    vi.setSystemTime(Date.now() - 61_000);
    const cached = await reloaded.slots.decide([{ ...today, id: 'home.today' }]);
    expect(cached.slots['home.today'].items.map((i) => i.id)).not.toContain(shown.id);
  });

  it('reset() forgets the cache and asks again for what is on show', async () => {
    const idb = freshIdb();
    const be = backend();
    const { slots } = client(be, { idb });
    const seen = follow(slots, 'home.today');
    await slots.decide([today]);
    await settle();
    await slots.reset();
    await settle();
    expect(be.log).toHaveLength(2);
    expect(seen.map((s) => s.status)).toEqual(['loading', 'network', 'loading', 'network']);
    expect(seen.at(-1)!.decisionId).toBe('d2');
  });

  it('another user does not see the first one’s cached items', async () => {
    const idb = freshIdb();
    const be = backend();
    await client(be, { idb, userId: 'u1' }).slots.decide([today]);
    await settle();
    const d = await client(be, { idb, userId: 'u2' }).slots.decide([today]);
    expect(be.log).toHaveLength(2);
    expect(d.slots['home.today'].decisionId).toBe('d2');
  });
});

describe('suitability: decisions belong to the identity they were asked for', () => {
  it('a request carries the user and tolerance held when it is sent; the cache is kept per tolerance', async () => {
    const be = backend();
    const { core, slots } = client(be, { userId: 'u1', riskTolerance: 'C4' });
    await slots.decide([today]);
    expect(be.log[0]).toMatchObject({ userId: 'u1', riskTolerance: 'C4' });
    // identify and decide in one tick: the request is the new identity's
    core.set({ userId: 'u2', riskTolerance: 'C1' });
    const d = await slots.decide([today]);
    expect(be.log[1]).toMatchObject({ userId: 'u2', riskTolerance: 'C1' });
    core.set({ userId: 'u1', riskTolerance: 'C1' });
    await slots.decide([today]);
    expect(be.log[2]).toMatchObject({ userId: 'u1', riskTolerance: 'C1' });
    core.set({ riskTolerance: 'C4' });
    expect((await slots.decide([today])).slots['home.today']).toMatchObject({ status: 'cache', decisionId: 'd1' });
    core.set({ riskTolerance: undefined });
    await slots.decide([today]);
    expect(be.log).toHaveLength(4);
    expect(be.log[3]).not.toHaveProperty('riskTolerance');
    expect(d.slots['home.today'].decisionId).toBe('d2');
  });

  it('an answer arriving after the identity changed is neither kept nor shown; the waiting decide() asks again', async () => {
    const be = backend();
    const { core, slots } = client(be, { userId: 'u1', riskTolerance: 'C5' });
    const seen = follow(slots, 'home.today');
    const release = be.hold();
    const p = slots.decide([today]);
    await settle();
    expect(be.log).toHaveLength(1);
    core.set({ riskTolerance: 'C1' });
    release();
    const d = await p;
    expect(be.log.map((r) => r.riskTolerance)).toEqual(['C5', 'C1']);
    expect(d.slots['home.today']).toMatchObject({ status: 'network', decisionId: 'd2' });
    expect(seen.map((s) => s.decisionId)).not.toContain('d1');
    expect(core.emitted.decision.map((x) => x.decisionId)).toEqual(['d2']);
    // nor was it cached for anyone: back under C5, the d1 answer is not there either
    core.set({ riskTolerance: 'C5' });
    expect((await slots.decide([today])).slots['home.today'].decisionId).toBe('d3');
    expect(core.errors).toEqual([]);
  });

  it('the host’s fallback items above the tolerance held are not shown (R2 when none is held)', async () => {
    const be = backend();
    be.answer(() => Response.json({}, { status: 503 }));
    const { core, slots } = client(be, { userId: 'u3', riskTolerance: 'C1', options: { fallback: { 'home.today': [item('f-r1', 0, { risk: 'R1' }), item('f-r3', 1, { risk: 'R3' }), item('f-none', 2)] } } });
    expect((await slots.decide([today])).slots['home.today']).toMatchObject({ status: 'fallback', items: [{ id: 'f-r1' }, { id: 'f-none' }] });
    core.set({ userId: 'u4', riskTolerance: undefined });
    expect((await slots.decide([today])).slots['home.today'].items.map((i) => i.id)).toEqual(['f-r1', 'f-none']);
  });

  it('reset(false) takes what is on show down at once and asks again, keeping the cache of other identities', async () => {
    const be = backend();
    const { core, slots } = client(be, { userId: 'u1', riskTolerance: 'C4' });
    const seen = follow(slots, 'home.today');
    await slots.decide([today]);
    core.set({ riskTolerance: 'C2' });
    void slots.reset(false);
    // synchronously: nothing chosen for C4 is on show any more
    expect(seen.at(-1)).toEqual({ slotId: 'home.today', items: [], status: 'loading' });
    await settle();
    expect(seen.at(-1)).toMatchObject({ status: 'network', decisionId: 'd2' });
    expect(be.log.map((r) => r.riskTolerance)).toEqual(['C4', 'C2']);
    core.set({ riskTolerance: 'C4' });
    void slots.reset(false);
    await settle();
    expect(seen.at(-1)).toMatchObject({ status: 'cache', decisionId: 'd1' });
  });
});

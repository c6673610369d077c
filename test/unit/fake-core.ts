/**
 * A small hand-built `Core` for unit tests of the slot half (decisions, tags, triggers …): the
 * real key-value store of sdk/db.ts over fake-indexeddb (or memory), events recorded in a list and
 * handed to `onEvent` listeners synchronously, emits and reports collected.
 *
 * "Reload" = a second fakeCore over the same `IDBFactory`; "another tab" = two alive at once.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import type { ConsentState, EventType, Properties, RiskTolerance, SlotwiseEvent } from '../../sdk/contract';
import { memoryStore, openStore, type Store } from '../../sdk/db';
import type { SlotwiseError } from '../../sdk/errors';
import { uuid } from '../../sdk/identity';
import { connect } from '../../sdk/net';
import type { ClientEvents, ClientOptions, Core, KV } from '../../sdk/types';

export interface FakeCoreOptions {
  /** share one to simulate a reload or a second tab; default a fresh one; `false` = memory */
  idb?: IDBFactory | false;
  options?: Partial<ClientOptions>;
  fetch?: typeof fetch;
  locale?: string;
  userId?: string;
  riskTolerance?: RiskTolerance;
  anonymousId?: string;
  consent?: ConsentState;
  personalized?: boolean;
}

export interface FakeCore extends Core {
  idb: IDBFactory | false;
  /** every event recorded, in order */
  events: SlotwiseEvent[];
  errors: SlotwiseError[];
  emitted: { [K in keyof ClientEvents]: ClientEvents[K][] };
  /** like the client's track(): record + onEvent */
  track(name: string, properties?: Properties): string;
  on<K extends keyof ClientEvents>(event: K, fn: (payload: ClientEvents[K]) => void): () => void;
  set(state: { consent?: ConsentState; personalized?: boolean; userId?: string; riskTolerance?: RiskTolerance; locale?: string }): void;
  /** resolves once the store is open */
  store: Promise<Store>;
  close(): Promise<void>;
}

export const freshIdb = () => new IDBFactory();

export function fakeCore(o: FakeCoreOptions = {}): FakeCore {
  const idb = o.idb ?? freshIdb();
  const store = idb ? openStore(idb, 'test') : Promise.resolve(memoryStore());
  const kv: KV = {
    get: (k) => store.then((s) => s.get(k)),
    set: (k, v) => store.then((s) => s.set(k, v)),
    del: (k) => store.then((s) => s.del(k)),
    keys: (p) => store.then((s) => s.keys(p)),
    lease: (...a) => store.then((s) => s.lease(...a)),
  };
  let consent = o.consent ?? 'granted';
  let personalized = o.personalized ?? true;
  let userId = o.userId;
  let riskTolerance = o.riskTolerance;
  let locale = o.locale ?? 'en';
  const anonymousId = o.anonymousId ?? 'anon-1';
  const sessionId = 'sess-1';
  const listeners = new Set<(e: SlotwiseEvent) => void>();
  const handlers: { [K in keyof ClientEvents]?: ((p: ClientEvents[K]) => void)[] } = {};
  const emitted = { error: [], reminder: [], event: [], sent: [], decision: [] } as FakeCore['emitted'];
  const errors: SlotwiseError[] = [];
  const events: SlotwiseEvent[] = [];
  const options = { appKey: 'demo', endpoint: 'http://127.0.0.1:9', channel: 'web' as const, ...o.options };
  const context = () => ({ channel: options.channel, locale, sdk: { name: 'slotwise', version: 'test' }, page: { url: 'http://localhost/home', path: '/home' } });

  const core: FakeCore = {
    idb,
    store,
    events,
    errors,
    emitted,
    options,
    now: () => Date.now(),
    net: connect({ appKey: options.appKey, endpoint: options.endpoint, fetch: o.fetch ?? ((...a) => fetch(...a)) }),
    kv,
    identity: () => ({ anonymousId, userId, sessionId, riskTolerance }),
    context,
    locale: () => locale,
    consent: () => consent,
    personalized: () => personalized,
    record(type: EventType, name: string, properties: Properties = {}, extra = {}) {
      const e = { id: uuid(), type, name, ts: Date.now(), anonymousId, userId, sessionId, properties, context: context(), ...extra } as SlotwiseEvent;
      events.push(e);
      for (const fn of listeners) fn(e);
      return e.id;
    },
    track: (name, properties) => core.record('track', name, properties)!,
    onEvent(fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    emit(event, payload) {
      (emitted[event] as unknown[]).push(payload);
      for (const fn of handlers[event] ?? []) fn(payload);
    },
    on(event, fn) {
      (handlers[event] ??= [] as never).push(fn as never);
      return () => void (handlers[event] = handlers[event]!.filter((f) => f !== fn) as never);
    },
    report(e) {
      errors.push(e);
      emitted.error.push(e);
    },
    set(s) {
      consent = s.consent ?? consent;
      personalized = s.personalized ?? personalized;
      userId = 'userId' in s ? s.userId : userId;
      riskTolerance = 'riskTolerance' in s ? s.riskTolerance : riskTolerance;
      locale = s.locale ?? locale;
    },
    async close() {
      (await store).close();
    },
  };
  return core;
}

/** Lets IndexedDB (fake-indexeddb runs on setImmediate, which the fake clock leaves alone) settle. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** `vi.useFakeTimers` settings for these tests: a fake clock, a real setImmediate for IndexedDB. */
export const FAKE_TIMERS: { toFake: ('setTimeout' | 'clearTimeout' | 'setInterval' | 'clearInterval' | 'Date')[] } = {
  toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
};

/**
 * The lifecycle every slot-half test shares: a fake clock at a fixed time around each test, and
 * every core kept with `keep` closed after it (with whatever was built on it, first).
 * @example const keep = fakeCoreLifecycle(); const core = keep(fakeCore(), () => slots.close());
 */
export function fakeCoreLifecycle(): <C extends FakeCore>(core: C, ...closers: (() => void)[]) => C {
  let open: [FakeCore, (() => void)[]][] = [];
  beforeEach(() => {
    vi.useFakeTimers(FAKE_TIMERS);
    vi.setSystemTime(new Date('2025-03-03T10:00:00'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    for (const [core, closers] of open) {
      closers.forEach((close) => close());
      await core.close();
    }
    open = [];
  });
  return (core, ...closers) => (open.push([core, closers]), core);
}

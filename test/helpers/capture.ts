/**
 * Test helper for the capture half: an in-process stand-in for POST /v1/events (the injectable
 * `fetch` of ClientOptions) that records every request and answers what the test scripts, plus
 * helpers to let fake-indexeddb and microtasks run under fake timers.
 *
 * fake-indexeddb schedules its work with setImmediate; the tests fake only setTimeout/setInterval
 * and Date (see `fakeClock`), so IndexedDB keeps running while the clock stands still.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, vi } from 'vitest';
import { createClient } from '../../sdk/client';
import type { ClientOptions, SlotwiseClient } from '../../sdk/types';
import type { SlotwiseEvent } from '../../sdk/contract';
import type { DeadReason, Row } from '../../sdk/db';

export interface Sent {
  /** Date.now() when the request arrived (the fake clock's, under fakeClock) */
  at: number;
  url: string;
  headers: Headers;
  keepalive: boolean;
  body: { sentAt: number; events: SlotwiseEvent[] };
  raw: string;
}

export type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'network-error';

/** A scripted backend: `answer` decides per request; the default acknowledges like the server. */
export function fakeBackend() {
  const requests: Sent[] = [];
  const stored = new Map<string, SlotwiseEvent>();
  const ack = (events: SlotwiseEvent[]): Answer => {
    let accepted = 0;
    for (const e of events) if (!stored.has(e.id)) stored.set(e.id, e), accepted++;
    return { status: 200, body: { accepted, duplicates: events.length - accepted } };
  };
  let answer: (req: Sent, n: number) => Answer = (req) => ack(req.body.events);
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const path = new URL(request.url).pathname;
    // the slots half asks for its rules at start: an empty, valid config keeps it quiet
    if (path == '/v1/config') return Response.json({ version: 'test', ttlMs: 3_600_000, slots: [], tags: [], triggers: [] });
    if (path != '/v1/events') return Response.json({ error: { code: 'not_found', message: path, path: '' } }, { status: 404 });
    const raw = await request.text();
    const sent: Sent = {
      at: Date.now(),
      url: request.url,
      headers: request.headers,
      keepalive: !!(init?.keepalive ?? request.keepalive),
      body: JSON.parse(raw),
      raw,
    };
    requests.push(sent);
    const a = answer(sent, requests.length);
    if (a === 'network-error') throw new TypeError('Failed to fetch');
    return new Response(a.body === undefined ? null : typeof a.body == 'string' ? a.body : JSON.stringify(a.body), {
      status: a.status,
      headers: { 'content-type': 'application/json', ...a.headers },
    });
  }) as typeof globalThis.fetch;
  return {
    fetch,
    requests,
    /** events the backend stored, by id (idempotent like the real server) */
    stored,
    ack,
    respond(fn: (req: Sent, n: number) => Answer) {
      answer = fn;
    },
    /** ids of every event in every request, in order, duplicates included */
    sentIds: () => requests.flatMap((r) => r.body.events.map((e) => e.id)),
  };
}

/** a fresh, empty IndexedDB (one per test: no state leaks between tests) */
export const freshIDB = () => new IDBFactory();

/** Lets IndexedDB requests, promises and microtasks run, without moving the fake clock. */
export async function settle(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Waits (in real setImmediate rounds, not clock time) until `cond` holds. */
export async function until(cond: () => boolean | Promise<boolean>, rounds = 2000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await cond()) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  throw new Error('condition not met: ' + cond.toString());
}

/** Runs the fake clock timer by timer until `cond` holds: the clock stops exactly at each timer. */
export async function runUntil(cond: () => boolean, maxTimers = 500): Promise<void> {
  for (let i = 0; i < maxTimers && !cond(); i++) {
    await vi.advanceTimersToNextTimerAsync();
    await settle();
  }
  if (!cond()) throw new Error('condition not met: ' + cond.toString());
}

/** Fake clock for timers and Date; IndexedDB (setImmediate) keeps running. */
export function fakeClock(start = Date.UTC(2025, 0, 6, 9, 0, 0)) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: start });
  /** moves the clock and lets what it wakes run (IndexedDB included) */
  return async (ms: number) => {
    await vi.advanceTimersByTimeAsync(ms);
    await settle();
  };
}

/** the dead letters in a client's IndexedDB, read raw (the SDK itself never reads them back) */
export async function deadLetters(idb: IDBFactory, appKey = 'demo'): Promise<(Row & { reason: DeadReason; at: number })[]> {
  const db = await new Promise<IDBDatabase>((ok, ko) => {
    const r = idb.open('slotwise:' + appKey);
    r.onsuccess = () => ok(r.result);
    r.onerror = () => ko(r.error);
  });
  try {
    const r = db.transaction('dead').objectStore('dead').getAll();
    return await new Promise((ok, ko) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => ko(r.error))));
  } finally {
    db.close();
  }
}

/** What a client left in its IndexedDB, read through a second connection like another tab would. */
export async function peek(idb: IDBFactory, appKey = 'demo') {
  const { openStore } = await import('../../sdk/db');
  const store = await openStore(idb, appKey);
  try {
    const events = await store.head(1e9);
    const dead = await deadLetters(idb, appKey);
    const keys = await store.keys('');
    return { store, events, dead, keys, names: events.map((r) => JSON.parse(r.body).name as string) };
  } finally {
    store.close();
  }
}

/**
 * `createClient` for unit tests — app `demo`, a placeholder endpoint, no autocapture — every client
 * closed after each test, mocks restored and real timers back. `defaults` runs per client (so each
 * can get a fresh IndexedDB).
 * @example const make = testClients(() => ({ indexedDB: freshIDB() })); const sw = make({ fetch });
 */
export function testClients(defaults: () => Partial<ClientOptions> = () => ({})) {
  let clients: SlotwiseClient[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
    vi.useRealTimers();
  });
  return (o: Partial<ClientOptions> = {}) => {
    const c = createClient({ appKey: 'demo', endpoint: 'http://api.test', autocapture: false, ...defaults(), ...o });
    clients.push(c);
    return c;
  };
}

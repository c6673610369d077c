/**
 * Fixtures for the engine's tests: an engine on an in-memory SQLite with a settable clock, and
 * valid wire events and decide requests (shapes per sdk/contract.ts).
 */
import Database from 'better-sqlite3';
import type { DecideRequest, DecideResponse, Item, SlotRequest, SlotwiseEvent } from '../../sdk/contract';
import { createEngine, type Engine, type EngineOptions } from '../../server-stub/engine';

/** 2025-03-14T10:00:00Z: a fixed "now" for every engine test */
export const T0 = Date.UTC(2025, 2, 14, 10);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface TestEngine {
  engine: Engine;
  db: Database.Database;
  clock: { now: number };
  logs: string[];
  /** ingests events as the server would (received now) */
  ingest(events: SlotwiseEvent[], app?: string): void;
}

export function memoryEngine(o: Partial<EngineOptions> = {}): TestEngine {
  const db = new Database(':memory:');
  const clock = { now: T0 };
  const logs: string[] = [];
  const engine = createEngine({ db, modelDir: '/nonexistent/slotwise-models', now: () => clock.now, log: (m) => logs.push(m), ...o });
  return {
    engine,
    db,
    clock,
    logs,
    ingest(events, app = 'demo') {
      db.transaction(() => engine.ingest(app, events, clock.now))();
    },
  };
}

let seq = 0;

/** A valid event; `type` defaults to track, `name` to the type for attribution events. */
export function ev(o: Partial<SlotwiseEvent> & { user?: string }): SlotwiseEvent {
  const { user, ...rest } = o;
  const type = rest.type ?? 'track';
  return {
    id: `e${++seq}`,
    type,
    name: rest.name ?? (type === 'track' ? 'item_view' : type),
    ts: T0 - 1000,
    anonymousId: user ?? 'anon-1',
    sessionId: 'session-1',
    properties: {},
    context: { channel: 'web', locale: 'en', sdk: { name: 'slotwise', version: '0.0.0-test' } },
    ...rest,
  };
}

export const view = (user: string, itemId: string, extra: Partial<SlotwiseEvent> = {}) =>
  ev({ user, name: 'item_view', properties: { itemId }, ...extra });

export const identify = (user: string, traits: Record<string, unknown>, anonymousId = user) =>
  ev({ type: 'identify', name: 'identify', anonymousId, userId: user, properties: traits });

export const SLOTS: SlotRequest[] = [
  { id: 'home.today', kind: 'picks', count: 4 },
  { id: 'home.feed', kind: 'feed', count: 6 },
  { id: 'home.ad', kind: 'ad', count: 1 },
  { id: 'home.reminders', kind: 'reminder', count: 2 },
];

export function request(o: Partial<DecideRequest> & { user?: string; page?: string; locale?: string } = {}): DecideRequest {
  const { user, page, locale, ...rest } = o;
  return {
    anonymousId: user ?? 'anon-1',
    sessionId: 'session-1',
    context: { page: page ?? '/index.html', channel: 'web', locale: locale ?? 'en' },
    slots: SLOTS,
    ...rest,
  };
}

/** every served item of an answer with its slot */
export function served(answer: DecideResponse): (Item & { slot: string })[] {
  return Object.entries(answer.slots).flatMap(([slot, { items }]) => items.map((item) => ({ slot, ...item })));
}

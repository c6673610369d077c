/**
 * Who and which session an event belongs to. The state is one small record, persisted by the
 * queue in the same transaction as the events (so identity and events never disagree on disk).
 *
 * The risk tolerance the device holds is part of it: the last `identify` trait for this user. It
 * goes with every decide (decisions.ts) and keys the slot cache (slot-store.ts), so suitability
 * holds before the identify event reached the server. Invariant: it belongs to `userId` — another
 * user, or a reset, drops it unless that identify carries one.
 */
import { RISK_TOLERANCES, type RiskTolerance } from './contract';

/** A session ends after this long without an event. */
export const SESSION_IDLE_MS = 30 * 60_000;

export interface IdentityState {
  anonymousId: string;
  userId?: string;
  /** the user's risk tolerance as the last identify said (C1–C5) */
  riskTolerance?: RiskTolerance;
  sessionId: string;
  /** ts of the last event, to end the session after 30 min idle */
  lastActivity: number;
}

let pool: Uint8Array | undefined;
let used = 0;
let hex: string[] | undefined;

/**
 * A UUID from the platform CSPRNG: v4 (all random), or v7 (RFC 9562) when given `ms` (epoch ms,
 * > 0), whose 48 bits lead the id. Event ids are v7: ids of one period sort together, so the
 * server's primary key grows at its end instead of everywhere (measured: durable ingest
 * 17 000 → 29 000 events/s). Other ids stay v4: they carry no time.
 * Random bytes are drawn 4 KB at a time: one `crypto.randomUUID()` costs several µs in Chromium (a
 * syscall per call), most of the `track()` budget; formatting from a pool costs a few hundred ns.
 * Web Crypto is everywhere the SDK runs (every browser since 2014, Node ≥ 19).
 */
export function uuid(ms?: number): string {
  if (!pool || used == pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(4096));
    used = 0;
  }
  hex ??= Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1));
  const b = pool;
  const i = used;
  used += 16;
  const h = (k: number) => hex![b[i + k]!]!;
  // v7: the time's 48 bits in place of the first 6 random bytes
  const t = ms ? ms.toString(16).padStart(12, '0') : h(0) + h(1) + h(2) + h(3) + h(4) + h(5);
  return (
    t.slice(0, 8) + '-' + t.slice(8) + '-' + hex[(b[i + 6]! & 15) | (ms ? 112 : 64)] + h(7) + '-' +
    hex[(b[i + 8]! & 63) | 128] + h(9) + '-' + h(10) + h(11) + h(12) + h(13) + h(14) + h(15)
  );
}

export interface Identity {
  readonly state: IdentityState;
  /** called for every event: starts a new session after 30 min idle, records the activity */
  touch(ts: number): IdentityState;
  /**
   * Sets the user and, when `riskTolerance` is one of C1–C5, their tolerance (anything else keeps
   * the tolerance of the same user, or none for another). True when user or tolerance changed.
   */
  identify(userId: string, riskTolerance?: unknown): boolean;
  /** forget the user: new anonymousId, new session */
  reset(): void;
  /**
   * Adopt the persisted identity read at start-up, unless the host already reset. Events built
   * before (they are still in memory) are re-labelled by the caller with `relabel`.
   */
  adopt(stored: IdentityState | undefined): void;
  relabel<T extends { anonymousId: string; userId?: string; sessionId: string; ts: number }>(events: T[]): void;
}

export function createIdentity(now: () => number): Identity {
  const fresh = (): IdentityState => ({ anonymousId: uuid(), sessionId: uuid(), lastActivity: 0 });
  let state = fresh();
  const provisional = { ...state };
  let resetEarly = false;
  let identifiedEarly = false;
  let adopted = false;
  let relabel = false;
  let firstTs = 0;

  return {
    get state() {
      return state;
    },
    touch(ts) {
      if (!adopted && !firstTs) firstTs = ts;
      if (state.lastActivity && ts - state.lastActivity > SESSION_IDLE_MS) state.sessionId = uuid();
      // a clock that steps back must not extend a session forever nor end it early
      state.lastActivity = Math.max(state.lastActivity, ts);
      return state;
    },
    identify(userId, riskTolerance) {
      identifiedEarly ||= !adopted;
      // a tolerance is kept for the same user only
      const next = isTolerance(riskTolerance) ? riskTolerance : state.userId === userId ? state.riskTolerance : undefined;
      const changed = state.userId !== userId || state.riskTolerance !== next;
      state.userId = userId;
      state.riskTolerance = next;
      return changed;
    },
    reset() {
      resetEarly ||= !adopted;
      state = fresh();
    },
    adopt(stored) {
      adopted = true;
      if (resetEarly || !isState(stored)) return;
      relabel = true;
      state.anonymousId = stored.anonymousId;
      if (!identifiedEarly) state.userId = stored.userId;
      // the stored tolerance is the stored user's: taken unless an early identify gave another one
      if (state.userId === stored.userId) state.riskTolerance ??= stored.riskTolerance;
      // the early events continue the stored session if it had not gone idle by then
      if ((firstTs || now()) - stored.lastActivity <= SESSION_IDLE_MS) {
        state.sessionId = stored.sessionId;
        state.lastActivity = Math.max(state.lastActivity, stored.lastActivity);
      }
    },
    relabel(events) {
      for (const e of events) {
        if (!relabel || e.anonymousId !== provisional.anonymousId) continue;
        e.anonymousId = state.anonymousId;
        if (e.sessionId === provisional.sessionId) e.sessionId = state.sessionId;
        if (!identifiedEarly && state.userId) e.userId = state.userId;
      }
    },
  };
}

const isTolerance = (v: unknown): v is RiskTolerance => RISK_TOLERANCES.includes(v as RiskTolerance);

function isState(v: unknown): v is IdentityState {
  const s = v as IdentityState;
  return !!s && typeof s.anonymousId == 'string' && typeof s.sessionId == 'string' && typeof s.lastActivity == 'number';
}

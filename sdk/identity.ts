/**
 * Who and which session an event belongs to. The state is one small record, persisted by the
 * queue in the same transaction as the events (so identity and events never disagree on disk).
 */

/** A session ends after this long without an event. */
export const SESSION_IDLE_MS = 30 * 60_000;

export interface IdentityState {
  anonymousId: string;
  userId?: string;
  sessionId: string;
  /** ts of the last event, to end the session after 30 min idle */
  lastActivity: number;
}

/** RFC 4122 v4 id; `crypto.randomUUID` where there is one (secure contexts), else built by hand. */
export function uuid(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
  b[6] = (b[6]! & 15) | 64;
  b[8] = (b[8]! & 63) | 128;
  const h = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface Identity {
  readonly state: IdentityState;
  /** called for every event: starts a new session after 30 min idle, records the activity */
  touch(ts: number): IdentityState;
  identify(userId: string): void;
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
    identify(userId) {
      identifiedEarly ||= !adopted;
      state.userId = userId;
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

function isState(v: unknown): v is IdentityState {
  const s = v as IdentityState;
  return !!s && typeof s.anonymousId == 'string' && typeof s.sessionId == 'string' && typeof s.lastActivity == 'number';
}

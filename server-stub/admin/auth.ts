/**
 * Who is calling: a session cookie (the console) or a personal access token (API clients), and
 * what they may do. Also the log-in limiter.
 *
 * - Session: a random id in an HttpOnly, SameSite=Strict cookie on Path=/admin (Secure over https);
 *   stored as its SHA-256. A log-in always makes a new id (session fixation), whatever cookie came
 *   with it. Expires after `idleMs` without a request or `absoluteMs` after log-in.
 * - CSRF: every state-changing request authenticated by the cookie must carry the session's token
 *   as `x-csrf-token`. A bearer token is not sent by browsers on their own, so it needs none.
 * - Token: `Authorization: Bearer swp_…`, stored as its SHA-256, acting as its user (role and apps
 *   read at each request, so disabling the user or changing their role takes effect at once).
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { HttpError } from '../wire/errors';
import { sameSecret, sha256 } from './passwords';
import type { AdminStore, UserRow } from './store';
import { ROLES, type Role } from '../../sdk/contract-admin';

export const SESSION_COOKIE = 'sw_admin';

export interface SessionPolicy {
  /** a session unused this long is gone. @default 30 min @example { idleMs: 15 * 60_000 } */
  idleMs: number;
  /** a session this old is gone, used or not. @default 12 h @example { absoluteMs: 8 * 3_600_000 } */
  absoluteMs: number;
}
export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

export interface Principal {
  user: UserRow;
  /** how the request proved it: `session` requests need CSRF tokens on writes */
  via: 'session' | 'token';
  /** the session's row id (its hash), for log-out */
  sessionId?: string;
  csrf?: string;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The caller of `c`, or a 401 (no credentials, unknown, expired, disabled) / 403 (CSRF). */
export async function authenticate(c: Context, store: AdminStore, policy: SessionPolicy, now: number): Promise<Principal> {
  const bearer = c.req.header('authorization');
  if (bearer !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(bearer);
    const token = m && await store.tokenByHash(sha256(m[1]!));
    if (!token || token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now)) throw unauthorized('unknown, revoked or expired token');
    const user = await store.user(token.username);
    if (!user || user.disabled) throw unauthorized('the token’s user is disabled');
    await store.touchToken(token.id, now);
    return { user, via: 'token' };
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie) throw unauthorized('log in first: POST /admin/v1/session, or send Authorization: Bearer <token>');
  const id = sha256(cookie);
  const session = await store.session(id);
  if (!session) throw unauthorized('no such session; log in again');
  if (session.createdAt + policy.absoluteMs <= now || session.seenAt + policy.idleMs <= now) {
    await store.deleteSession(id);
    throw unauthorized('the session has expired; log in again', 'session_expired');
  }
  const user = await store.user(session.username);
  if (!user || user.disabled) {
    await store.deleteSession(id);
    throw unauthorized('the account is disabled');
  }
  if (!SAFE.has(c.req.method)) {
    const sent = c.req.header('x-csrf-token');
    if (!sent || !sameSecret(sent, session.csrf)) throw new HttpError(403, 'csrf', 'missing or wrong x-csrf-token (from POST /admin/v1/session)', { path: 'x-csrf-token' });
  }
  await store.touchSession(id, now);
  return { user, via: 'session', sessionId: id, csrf: session.csrf };
}

const rank = (role: Role) => ROLES.indexOf(role);

/** May `user` act as `role` on `app` (`undefined`: on every app, e.g. managing accounts)? */
export function allowed(user: UserRow, role: Role, app?: string): boolean {
  if (rank(user.role) < rank(role)) return false;
  if (user.apps.includes('*')) return true;
  return app !== undefined && user.apps.includes(app);
}

/** Throws the 403 when `allowed` says no. */
export function demand(p: Principal, role: Role, app?: string): void {
  if (allowed(p.user, role, app)) return;
  const scope = app === undefined ? 'on all apps' : `on app ${app}`;
  throw new HttpError(403, 'forbidden', `${p.user.username} (${p.user.role}) may not do this: it needs ${role} ${scope}`);
}

export const unauthorized = (message: string, code = 'unauthorized') => new HttpError(401, code, message, { headers: { 'www-authenticate': 'Bearer realm="slotwise-admin"' } });

export interface LoginLimits {
  /** failed log-ins per username in `windowMs` before it is locked. @default 5 @example { perUser: 10 } */
  perUser: number;
  /** failed log-ins per client IP in `windowMs`. @default 20 @example { perIp: 50 } */
  perIp: number;
  /** @default 15 min @example { windowMs: 60_000 } */
  windowMs: number;
}
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUser: 5, perIp: 20, windowMs: 15 * 60_000 };

/** Bounds the memory of the limiter: past this many keys the oldest window goes. */
const MAX_KEYS = 10_000;

export interface LoginLimiter {
  /** seconds to wait when `username` or `ip` has failed too often, else 0 */
  blocked(username: string, ip: string, now: number): number;
  failed(username: string, ip: string, now: number): void;
  succeeded(username: string): void;
}

/**
 * Fixed windows per username and per IP, counting failures only. A locked username refuses even
 * the right password until its window ends (else the lock tells a guesser when they hit it).
 */
export function createLoginLimiter(limits: LoginLimits): LoginLimiter {
  const windows = new Map<string, { start: number; failures: number }>();
  const current = (key: string, now: number) => {
    const w = windows.get(key);
    if (w && now - w.start < limits.windowMs) return w;
    if (w) windows.delete(key);
    return undefined;
  };
  const wait = (key: string, max: number, now: number) => {
    const w = current(key, now);
    return w && w.failures >= max ? Math.max(1, Math.ceil((w.start + limits.windowMs - now) / 1000)) : 0;
  };
  const count = (key: string, now: number) => {
    const w = current(key, now);
    if (w) w.failures++;
    else {
      if (windows.size >= MAX_KEYS) windows.delete(windows.keys().next().value!);
      windows.set(key, { start: now, failures: 1 });
    }
  };
  const userKey = (u: string) => `u:${u.toLowerCase()}`;
  return {
    blocked: (username, ip, now) => Math.max(wait(userKey(username), limits.perUser, now), wait(`ip:${ip}`, limits.perIp, now)),
    failed(username, ip, now) {
      count(userKey(username), now);
      count(`ip:${ip}`, now);
    },
    succeeded: (username) => void windows.delete(userKey(username)),
  };
}

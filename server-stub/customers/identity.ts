/**
 * Verified identity. Each app has a policy: `open` (the page's `userId` is believed, as before) or
 * `signed` (only a token the bank's backend signed attaches a request to a customer). A token is a
 * standard JWT, HS256, `sub` = the user id, `exp` required, signed with the app's identity secret
 * (its UTF-8 bytes are the HMAC key), verified by hono/jwt. During a rotation's grace period the
 * previous secret verifies too.
 *
 * A request in `signed` mode whose token is missing, forged, expired, for another user or signed
 * with another app's secret is `unverified`: it is served as anonymous (the engine gets no user id
 * and no stored customer data), and its events lose their user id before they are stored.
 *
 * Settings are read through a short cache (`cacheMs`): another instance, or the import CLI, may
 * change them; this instance's own changes are seen at once. Verified tokens are remembered until
 * they expire (bounded), so a page's decides do not pay an HMAC each.
 */
import { randomBytes } from 'node:crypto';
import { verify } from 'hono/jwt';
import type { IdentityResult } from '../../sdk/contract-customer';
import { DEFAULT_IDENTITY, type CustomerStore, type IdentityRow } from './store';

export interface IdentityOptions {
  store: CustomerStore;
  now: () => number;
  /** how long a read of an app's settings is reused, ms. @default 2000 */
  cacheMs?: number;
  /** how long the previous secret keeps working after a rotation, ms. @default 24 h */
  graceMs?: number;
}

export interface IdentityCheck {
  settings(app: string): Promise<IdentityRow>;
  /**
   * Who a request is: `open` (the app believes the page), `verified` with the token's user (the
   * page's `userId`, when it sends one, must be that user), or `unverified`.
   */
  check(app: string, token: string | undefined, userId: string | undefined): Promise<{ identity: IdentityResult; userId?: string }>;
  update(app: string, patch: Partial<IdentityRow>): Promise<IdentityRow>;
  /** a new secret (returned once); the old one verifies until the grace period ends */
  rotate(app: string): Promise<string>;
}

const VERIFIED_MAX = 10_000;

export function createIdentityCheck(o: IdentityOptions): IdentityCheck {
  const cacheMs = o.cacheMs ?? 2000;
  const graceMs = o.graceMs ?? 24 * 3600_000;
  const cache = new Map<string, { at: number; row: Promise<IdentityRow> }>();
  /** token → its user and expiry (ms), per app */
  const verified = new Map<string, { sub: string; exp: number; secret: string }>();

  const settings = (app: string): Promise<IdentityRow> => {
    const hit = cache.get(app);
    const t = o.now();
    if (hit && t - hit.at < cacheMs) return hit.row;
    const row = o.store.identity(app).then((r) => r ?? DEFAULT_IDENTITY);
    cache.set(app, { at: t, row });
    row.catch(() => cache.get(app)?.row === row && cache.delete(app));
    return row;
  };

  const subjectOf = async (token: string, secrets: string[]): Promise<{ sub: string; exp: number; secret: string } | undefined> => {
    for (const secret of secrets) {
      try {
        const payload = await verify(token, secret, 'HS256');
        if (typeof payload.sub !== 'string' || !payload.sub || typeof payload.exp !== 'number') return undefined;
        return { sub: payload.sub, exp: payload.exp * 1000, secret };
      } catch {
        // the next secret (the previous one, during a rotation), else unverified
      }
    }
    return undefined;
  };

  return {
    settings,
    async check(app, token, userId) {
      const s = await settings(app);
      if (s.mode === 'open') return { identity: 'open', userId };
      if (!token || !s.secret) return { identity: 'unverified' };
      const t = o.now();
      const secrets = [s.secret, ...(s.previous && (s.previousUntil ?? 0) > t ? [s.previous] : [])];
      const key = `${app}\u0000${token}`;
      let v = verified.get(key);
      // a remembered token counts only while it has not expired and its secret still verifies
      if (v && (v.exp <= t || !secrets.includes(v.secret))) {
        verified.delete(key);
        v = undefined;
      }
      if (!v) {
        v = await subjectOf(token, secrets);
        if (!v) return { identity: 'unverified' };
        if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
        verified.set(key, v);
      }
      if (userId !== undefined && userId !== v.sub) return { identity: 'unverified' };
      return { identity: 'verified', userId: v.sub };
    },
    async update(app, patch) {
      const row = await o.store.setIdentity(app, patch, o.now());
      cache.set(app, { at: o.now(), row: Promise.resolve(row) });
      return row;
    },
    async rotate(app) {
      const secret = randomBytes(32).toString('base64url');
      const current = await o.store.identity(app);
      const t = o.now();
      const row = await o.store.setIdentity(app, { secret, previous: current?.secret ?? null, previousUntil: current?.secret ? t + graceMs : null }, t);
      cache.set(app, { at: t, row: Promise.resolve(row) });
      return secret;
    },
  };
}

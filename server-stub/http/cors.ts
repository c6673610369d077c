/**
 * CORS for configured origins only. An origin pattern is an exact origin (`https://bank.example`)
 * or an origin with any port (`http://localhost:*`); there is no `*`. Allowed origins are echoed
 * back one at a time with `Vary: Origin`; the server never sends credentials headers, so cookies
 * never ride along.
 *
 * A browser request from an origin that is not allowed is refused (403 `origin_not_allowed`) on
 * the keyed API, not merely left unreadable: a text/plain beacon needs no preflight, and without
 * the refusal any site could write events into an app's history.
 */
import type { MiddlewareHandler } from 'hono';
import { HttpError } from '../wire/errors';

/** Any port on the loopback names: what `npm start` and the tests use. */
export const DEFAULT_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*'];

/** A predicate over `Origin` header values; throws on a pattern that is not an origin. */
export function originMatcher(patterns: readonly string[]): (origin: string) => boolean {
  const exact = new Set<string>();
  const anyPort: string[] = [];
  for (const p of patterns) {
    const base = p.endsWith(':*') ? p.slice(0, -2) : p;
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw new Error(`origin "${p}" is not an origin like https://bank.example or http://localhost:*`);
    }
    if (url.origin !== base || !/^https?:$/.test(url.protocol) || url.hostname.includes('*')) {
      throw new Error(`origin "${p}" is not an origin like https://bank.example or http://localhost:* (no path, no wildcard host)`);
    }
    if (base === p) exact.add(base);
    else anyPort.push(base + ':');
  }
  return (origin) =>
    exact.has(origin) || anyPort.some((prefix) => origin.startsWith(prefix) && /^\d{1,5}$/.test(origin.slice(prefix.length)));
}

export interface OriginPolicy {
  /** may this origin call the server at all? */
  any(origin: string): boolean;
  /** may this origin use this key? (the key's own list, else the server's) */
  forKey(key: { origins?: string[] }, origin: string): boolean;
}

export interface OriginPolicyOptions {
  /** the server's patterns, used by keys without their own list */
  origins: readonly string[];
  /** every key, for its own `origins` */
  keys: readonly { origins?: string[] }[];
  /** the server's own origins (the demo it serves); always allowed; read per call since the
   * port is known only once the server listens */
  self: () => readonly string[];
}

export function createOriginPolicy({ origins, keys, self }: OriginPolicyOptions): OriginPolicy {
  const server = originMatcher(origins);
  const perKey = new Map(keys.filter((k) => k.origins).map((k) => [k, originMatcher(k.origins!)]));
  const isSelf = (origin: string) => self().includes(origin);
  return {
    any: (origin) => isSelf(origin) || server(origin) || [...perKey.values()].some((m) => m(origin)),
    forKey: (key, origin) => isSelf(origin) || (perKey.get(key) ?? server)(origin),
  };
}

// if-none-match: the SDK revalidates its config (304 when the release is unchanged)
const ALLOW_HEADERS = 'content-type, x-slotwise-key, if-none-match';
const ALLOW_METHODS = 'GET, POST, OPTIONS';

export interface CorsOptions {
  /** may this origin use the server at all? (the server's origins and every key's) */
  allowed: (origin: string) => boolean;
  /** paths on which a refused origin gets 403 instead of an answer it cannot read */
  guarded: (path: string) => boolean;
}

export function cors({ allowed, guarded }: CorsOptions): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const ok = origin !== undefined && allowed(origin);
    if (c.req.method === 'OPTIONS' && origin !== undefined && c.req.header('access-control-request-method')) {
      if (!ok) throw new HttpError(403, 'origin_not_allowed', `origin ${origin} may not call this server`);
      c.header('access-control-allow-origin', origin);
      c.header('access-control-allow-methods', ALLOW_METHODS);
      c.header('access-control-allow-headers', ALLOW_HEADERS);
      c.header('access-control-max-age', '600');
      c.header('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
      return c.body(null, 204);
    }
    if (origin !== undefined && !ok && guarded(c.req.path)) {
      throw new HttpError(403, 'origin_not_allowed', `origin ${origin} may not call this server`);
    }
    await next();
    c.res.headers.append('vary', 'Origin');
    if (ok) {
      c.res.headers.set('access-control-allow-origin', origin);
      // the SDK reads Retry-After on 429 and 503 to schedule its retry, and a config's ETag
      c.res.headers.set('access-control-expose-headers', 'Retry-After, ETag');
    }
  };
}

/**
 * http/: the HTTP boundary — routes, bodies, CORS, app keys, rate limits, static files.
 *
 * The HTTP routes of the reference backend (Hono). Everything but static files answers JSON; every
 * non-2xx answer is `{ error: { code, message, path } }` (wire/errors.ts). Order of checks on the
 * keyed API: CORS origin → app key → rate limit → body (bounded) → schema → engine/store, so the
 * cheap refusals come before any byte of the body is read.
 *
 * | route                     | answer                                                          |
 * | ------------------------- | --------------------------------------------------------------- |
 * | POST /v1/events           | 200 { accepted, duplicates } (ingest.ts has the semantics)      |
 * | POST /v1/decide           | 200 DecideResponse                                              |
 * | GET  /v1/config           | 200 Config of the app's live release, ETag; If-None-Match → 304 |
 * | GET  /v1/config/stream    | server-sent events: the live release version, on connect and change |
 * | GET  /v1/images/:id.svg   | the item's SVG, sandboxed by CSP                                |
 * | GET  /v1/health           | readiness: 200 { ok, version, events }, 503 when the store is down |
 * | GET  /v1/health/live      | liveness: 200 { ok, version } while the process serves HTTP     |
 * | GET  /, /dist/*, bundles  | static files (static.ts)                                        |
 */
import { Hono, type Context } from 'hono';
import { LIMITS } from '../../sdk/contract';
import { readJson, readText, type BodyDeadlines } from './body';
import { cors, type OriginPolicy } from './cors';
import { StoreUnavailableError, type Store } from '../store/store';
import { EngineBusyError, type EngineHost } from '../engine/thread';
import { createThreadProbe, diagnosticsEnabled } from '../engine/diagnostics';
import { HttpError, internalError } from '../wire/errors';
import type { Ingest } from '../ingest/events';
import type { AppKey, RateLimit } from './keys';
import type { Limiter } from './ratelimit';
import type { StaticFile } from './static';
import type { ReleaseStreams } from '../rules/stream';
import type { PublicSide } from '../customers/view';

export interface AppOptions {
  store: Store;
  engine: EngineHost;
  ingest: Ingest;
  keys: Map<string, AppKey>;
  limiter: Limiter;
  /** for keys without their own `rateLimit` */
  rateLimit: RateLimit | false;
  origins: OriginPolicy;
  files: (path: string) => Promise<StaticFile | undefined>;
  /** the config streams of each app's live release (rules/stream.ts) */
  streams: ReleaseStreams;
  /** identity checks and the customer's merged view (customers/view.ts) */
  customers?: PublicSide;
  version: string;
  /** how slowly a body may arrive */
  body: BodyDeadlines;
  log: (message: string) => void;
}

const API_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};
const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

export function createApp(o: AppOptions): Hono {
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('x-content-type-options', 'nosniff');
    h.set('referrer-policy', 'no-referrer');
    if (c.req.path.startsWith('/v1/') && !c.req.path.startsWith('/v1/images/')) {
      for (const [k, v] of Object.entries(API_HEADERS)) if (!h.has(k)) h.set(k, v);
    }
  });
  app.use(cors({ allowed: o.origins.any, guarded: isKeyed }));

  /** The app behind the request's key, after the key's origin list and rate limit said yes. */
  const authorize = (c: Context): AppKey => {
    const key = c.req.header('x-slotwise-key') ?? c.req.query('key');
    if (!key) throw new HttpError(401, 'unauthorized', 'missing app key: send it as x-slotwise-key (or ?key= from sendBeacon)');
    const k = o.keys.get(key);
    if (!k) throw new HttpError(401, 'unauthorized', 'unknown app key');
    const origin = c.req.header('origin');
    if (origin !== undefined && !o.origins.forKey(k, origin)) {
      throw new HttpError(403, 'origin_not_allowed', `origin ${origin} may not use this app key`);
    }
    const taken = o.limiter.take(k.key, k.rateLimit ?? o.rateLimit);
    if (!taken.ok) {
      throw new HttpError(429, 'rate_limited', `too many requests for this app key; retry in ${taken.retryAfterS} s`, {
        headers: { 'retry-after': String(taken.retryAfterS) },
      });
    }
    return k;
  };

  app.post('/v1/events', async (c) => {
    const { app: appId } = authorize(c);
    const body = await readJson(c, LIMITS.batchBytes, o.body);
    // in signed identity mode, events not vouched for by a token lose their user before they are stored
    await o.customers?.events(appId, body);
    return c.json(await o.ingest(appId, body));
  });

  // parsed, validated and answered on the engine thread (engine/service.ts)
  app.post('/v1/decide', async (c) => {
    const { app: appId } = authorize(c);
    const text = await readText(c, LIMITS.requestBytes, o.body);
    const answer = await o.engine.decide(appId, text, await o.customers?.decideView(appId, text));
    return c.body(answer.body, answer.status as 200, { 'content-type': 'application/json' });
  });

  // the ETag names the release and the content; a device revalidating an unchanged config gets 304
  app.get('/v1/config', async (c) => {
    const config = await o.engine.config(authorize(c).app);
    const etag = `"${config.release ?? 0}-${config.version}"`;
    c.header('cache-control', `private, max-age=${Math.floor(config.ttlMs / 1000)}`);
    c.header('etag', etag);
    const asked = c.req.header('if-none-match');
    if (asked && asked.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return c.body(null, 304);
    return c.json(config);
  });

  // the key comes as ?key= here: EventSource cannot send headers
  app.get('/v1/config/stream', (c) => {
    const k = authorize(c);
    const body = o.streams.open(k.key, k.app);
    return c.body(body, 200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  });

  app.get('/v1/images/:file', async (c) => {
    const file = c.req.param('file');
    const svg = file.endsWith('.svg') && file.length <= LIMITS.id + 4 ? await o.engine.image(file.slice(0, -4)) : undefined;
    if (svg === undefined) throw new HttpError(404, 'not_found', `no image ${file}`, { path: 'id' });
    c.header('content-type', 'image/svg+xml');
    c.header('content-security-policy', SVG_CSP);
    c.header('cache-control', 'public, max-age=3600');
    return c.body(svg);
  });

  // readiness: a load balancer sends traffic here only while the store answers
  app.get('/v1/health', async (c) => c.json({ ok: true, version: o.version, events: await o.store.count() }));
  // liveness: the process serves HTTP (restart it when this fails, not when the store is down)
  app.get('/v1/health/live', (c) => c.json({ ok: true, version: o.version }));

  // for benchmarks only: with SLOTWISE_DIAGNOSTICS=1, each thread's stalls, GC pauses and sizes
  // since the previous call (engine/diagnostics.ts); the route does not exist otherwise
  if (diagnosticsEnabled()) {
    const probe = createThreadProbe();
    app.get('/v1/diagnostics', async (c) => c.json({ http: probe.take(), engine: await o.engine.diagnostics() }));
  }

  for (const [path, allow] of [
    ['/v1/events', 'POST, OPTIONS'],
    ['/v1/decide', 'POST, OPTIONS'],
    ['/v1/config', 'GET, HEAD, OPTIONS'],
    ['/v1/config/stream', 'GET, OPTIONS'],
    ['/v1/images/:file', 'GET, HEAD, OPTIONS'],
    ['/v1/health', 'GET, HEAD, OPTIONS'],
    ['/v1/health/live', 'GET, HEAD, OPTIONS'],
  ] as const) {
    app.all(path, (c) => {
      throw new HttpError(405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allow.split(',')[0]}`, {
        headers: { allow },
      });
    });
  }

  app.get('*', async (c) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith('/v1/')) return notFound(c);
    const file = await o.files(path);
    if (file) {
      c.header('content-type', file.type);
      c.header('cache-control', 'no-cache');
      for (const [k, v] of Object.entries(file.headers ?? {})) c.header(k, v);
      return c.body(new Uint8Array(file.body));
    }
    if (path === '/') return c.html(PLACEHOLDER);
    return notFound(c);
  });

  app.notFound(notFound);
  app.onError((error, c) => {
    if (error instanceof EngineBusyError) {
      c.header('retry-after', '1');
      return c.json({ error: { code: 'overloaded', message: 'the server is overloaded; retry in 1 s', path: '' } }, 503);
    }
    if (error instanceof StoreUnavailableError) {
      o.log(`503: ${error.message}`);
      c.header('retry-after', String(error.retryAfterS));
      return c.json({ error: { code: 'store_unavailable', message: `the event store is unavailable; retry in ${error.retryAfterS} s`, path: '' } }, 503);
    }
    if (error instanceof HttpError) {
      for (const [k, v] of Object.entries(error.headers)) c.header(k, v);
      return c.json(error.body(), error.status as 400);
    }
    o.log(`500 on ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return c.json(internalError(), 500);
  });
  return app;
}

const isKeyed = (path: string) => path === '/v1/events' || path === '/v1/decide' || path === '/v1/config' || path === '/v1/config/stream';

const notFound = (c: Context) =>
  c.json({ error: { code: 'not_found', message: `nothing at ${c.req.method} ${c.req.path}`, path: '' } }, 404);

/** `/` before the demo exists: a pointer rather than a bare 404. */
const PLACEHOLDER = `<!doctype html><meta charset="utf-8"><title>Slotwise server-stub</title>
<h1>Slotwise server-stub</h1><p>The API is up (<a href="/v1/health">/v1/health</a>). The demo app is not in demo/ yet.</p>`;

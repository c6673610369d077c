/**
 * The network module: everything that talks to the backend and checks what comes back, behind
 * one small interface (`connect(options)` → `Net`, declared in types.ts). Answers are checked once,
 * here, with the contract's lean schemas (contract-check.ts; no zod in the client), and requests go
 * out with plain `fetch`: the transport owns retries, backoff and Retry-After, so all a request
 * needs is a timeout. In the script tag this is `slotwise-net.min.js`, which net-lazy.ts loads in
 * parallel at start; the ESM build (dist/index.js) imports it statically: one module graph.
 *
 * Invariants: nothing here but the send loop (send-loop.ts) touches the queue or the device's
 * store, and that only deletes what the server acknowledged or refused for good, so a late or
 * missing network module can delay sending but never lose an event; every answer is untrusted until it passed the
 * contract; what the SDK built itself (events, decide requests) is sent unchecked; no call rejects
 * except `connect` (bad options) — failures are answers.
 */
import { CHANNELS, CONSENT_STATES, LIMITS, answerChecks, ruleChecks } from './contract';
import * as c from './contract-check';
import type { DeadReason } from './db';
import { SlotwiseError, toSlotwiseError, type ErrorCode } from './errors';
import { validRules } from './rules';
import { follow } from './config-follow';
import { ask } from './decide-send';
import { drain } from './send-loop';
import type { Config } from './contract';
import type { ClientOptions, Net, Rules, Sent } from './types';

/** a Retry-After is honoured up to this long: a broken proxy must not silence the SDK for days */
export const RETRY_AFTER_CAP_MS = 10 * 60_000;
/** per events request, its answer included: past it the send is a `timeout`, retried with backoff */
export const REQUEST_TIMEOUT_MS = 10_000;
/** bytes of a decide or config answer read at most; a bigger body is refused before it is parsed */
export const ANSWER_BYTES = LIMITS.answerBytes;
/** a decide or config request still open after this long is aborted */
const HARD_MS = 15_000;

/**
 * Checks `options` and returns the `Net` for them.
 *
 * In the ESM build this is synchronous: a bad option throws `SlotwiseError('invalid_options')`
 * naming the option, out of `createClient`. In the script tag (net-lazy.ts) the options come from
 * data-attributes and there is no caller to throw to: they are checked when this module has
 * arrived, and every `Net` call rejects with that error instead, so nothing is sent.
 * @example const net = connect({ appKey: 'demo', endpoint: 'http://localhost:8787' });
 */
export function connect(options: ClientOptions): Net {
  checkOptions(options);
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const get = <T>(path: string, schema: c.Schema<T>, body?: unknown, etag?: string) => fetchJson(options, endpoint + path, path, schema, body, etag);
  /** the last config answer, and its ETag: the server's `"<release>-<version>"` (contract.ts) */
  let last: Rules | undefined;
  /** a release's config the stream pushed: the next config() answers it without a request */
  let pushed: Rules | undefined;
  /** a config answer (fetched or pushed), its tags and triggers checked rule by rule; becomes `last` */
  const checked = (config: Config): Rules => {
    const r = ruleChecks();
    const problems: SlotwiseError[] = [];
    const collect = { report: (e: SlotwiseError) => void problems.push(e) };
    const tags = validRules(collect, 'tags', config.tags, r.tagRule, (r) => r.name, true);
    const triggers = validRules(collect, 'triggers', config.triggers, r.triggerRule, (r) => r.id, true);
    return (last = { config: { ...config, tags, triggers }, problems });
  };
  const net: Net = {
    ready: Promise.resolve(),
    send: (ids, body, keepalive) => send(options, endpoint, ids, body, keepalive),
    drain: (loop, keepalive) => drain(net, loop, keepalive),
    ask: (a, page, slots) => ask(net, a, page, slots),
    follow: async (core, apply, held) => follow(net, core, apply, held),
    decide: (request) => get('/v1/decide', answerChecks().decideResponse, request),
    async config() {
      const p = pushed;
      pushed = undefined;
      if (p) return p;
      const l = last?.config;
      // revalidated: 304 while the release and its content are the ones held
      const config = await get('/v1/config', ruleChecks().config, undefined, l && `"${l.release ?? 0}-${l.version}"`);
      return config ? checked(config) : last!;
    },
    async watch(on, down) {
      if (typeof EventSource == 'undefined') return down(), () => {};
      // only a visible page holds a stream: over HTTP/1.1 a browser opens 6 connections per host,
      // and streams of hidden tabs would take them from the requests of the visible one. A page
      // shown again reconnects, and the stream's first event tells it the live release.
      let s: EventSource | undefined;
      const sync = () => {
        if (document.visibilityState == 'hidden') s?.close(), (s = undefined);
        else if (!s) {
          s = new EventSource(`${endpoint}/v1/config/stream?key=${encodeURIComponent(options.appKey)}`);
          // a release comes as its config, then its version: the config is checked like an answer
          // and kept, so the refresh the version starts takes it without a round trip
          s.addEventListener('config', (e) => {
            try {
              const r = c.check(ruleChecks().config, JSON.parse((e as MessageEvent).data));
              if (r.success) pushed = checked(r.data);
            } catch {
              // not JSON: the version that follows refetches
            }
          });
          // a pushed config is for its own release only (a version on reconnect comes alone)
          s.onmessage = (e) => (pushed?.config.release != +e.data && (pushed = undefined), on(+e.data));
          // the browser retries a dropped stream itself; it gives up (CLOSED) on an answer other than 200
          s.onerror = () => s?.readyState == 2 && down();
        }
      };
      sync();
      document.addEventListener('visibilitychange', sync);
      return () => (document.removeEventListener('visibilitychange', sync), s?.close());
    },
  };
  return net;
}

/** In the ESM build `./net` is already here: nothing to load. (net-lazy.ts starts loading the chunk.) */
export function load(_: { script?: HTMLScriptElement | null }): void {}

/** the options a client takes; what each means is in types.ts `ClientOptions` */
function optionsSchema() {
  const int = (min: number, max: number) => c.optional(c.int(min, max));
  const bool = () => c.optional(c.boolean());
  const fn = () => c.optional(c.custom((v) => typeof v == 'function', 'expected a function'));
  return c.object(
    {
      appKey: c.string(LIMITS.id, 1),
      endpoint: c.string(LIMITS.text, 0, /^https?:\/\/[^\s/?#]+[^\s?#]*$/, 'expected an http(s) URL without query'),
      channel: c.optional(c.oneOf(CHANNELS)),
      consent: c.optional(c.oneOf(CONSENT_STATES)),
      autocapture: c.optional(c.union(c.literal(false), c.object({ pageviews: bool(), clicks: bool(), visibility: bool() }, true))),
      flush: c.optional(c.object({ count: int(1, LIMITS.batchEvents), intervalMs: int(0, 3_600_000) }, true)),
      maxQueue: int(1, 1_000_000),
      fallback: c.optional(c.record(c.string(), c.array(c.unknown()))),
      decideTimeoutMs: int(1, 60_000),
      locale: c.optional(c.string(35, 1)),
      debug: bool(),
      nonce: c.optional(c.string()),
      refreshIdentityToken: fn(),
      fetch: fn(),
      indexedDB: c.optional(c.union(c.literal(false), c.custom((v) => !!v && typeof v == 'object', 'expected an IDBFactory'))),
      now: fn(),
    },
    true,
  );
}

/** @throws SlotwiseError `invalid_options`, its message naming the option */
export function checkOptions(input: ClientOptions): void {
  const r = c.check(optionsSchema(), input);
  if (r.success) return;
  const { path, why } = r.fail;
  // an unknown option is named alone, as the host wrote it: `autoCapture`, not `autocapture.click`
  const key = String(path[path.length - 1]);
  const problem =
    why == 'unknown key'
      ? { message: `unknown option ${key}`, path: key }
      : path.length
        ? r.error
        : { message: 'expected an object { appKey, endpoint, … }', path: '' };
  throw new SlotwiseError('invalid_options', `slotwise: invalid options: ${problem.message}`, { path: problem.path });
}

async function send(o: ClientOptions, endpoint: string, ids: string[], body: string, keepalive: boolean): Promise<Sent> {
  const n = ids.length;
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // raced, not only signalled: a host's `fetch` that ignores the signal still times out
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => (abort.abort(), reject(abort.signal.reason)), REQUEST_TIMEOUT_MS)));
  let res: Response;
  let json: unknown;
  try {
    res = await Promise.race([
      (o.fetch ?? fetch)(endpoint + '/v1/events', {
        method: 'POST',
        body,
        keepalive,
        headers: { 'x-slotwise-key': o.appKey, 'content-type': 'application/json' },
        signal: abort.signal,
      }),
      late,
    ]);
    // the timeout covers the answer's body too: a server that stalls mid-answer is a timeout
    json = await Promise.race([read(res), late]);
  } catch (e) {
    const timeout = abort.signal.aborted;
    return { retry: new SlotwiseError(timeout ? 'timeout' : 'network', `sending ${n} event(s) failed: ${timeout ? `no answer in ${REQUEST_TIMEOUT_MS} ms` : ((e as Error)?.message ?? e)}`, { ids, cause: e }), net: !timeout };
  } finally {
    clearTimeout(timer);
  }
  const { status } = res;

  if (res.ok) {
    const ack = c.check(answerChecks().eventsResponse, json);
    // a captive portal or a proxy answers 200 too: only a well-formed, complete ack deletes events
    return ack.success && ack.data.accepted + ack.data.duplicates == n
      ? { ack: ack.data }
      : { retry: new SlotwiseError('bad_response', `the server's answer to ${n} event(s) is not an acknowledgement`, { status, ids }) };
  }
  if (status == 429 || status == 408 || status >= 500) {
    const code: ErrorCode = status == 429 ? 'rate_limited' : 'server';
    return { retry: new SlotwiseError(code, `the server answered ${status} to ${n} event(s); retrying`, { status, ids }), after: retryAfter(res.headers.get('retry-after'), (o.now ?? Date.now)()) };
  }
  // the server takes less than the contract promises: halve the batch until it fits
  if (status == 413 && n > 1) return { shrink: true };

  const e = c.check(answerChecks().errorBody, json);
  const error = e.success ? e.data.error : undefined;
  const reason = (r: Partial<DeadReason> = {}): DeadReason => ({
    status,
    code: error?.code ?? 'http_' + status,
    message: r.message ?? error?.message ?? `HTTP ${status}`,
    path: r.path ?? error?.path,
  });
  const named = status == 400 ? rejected(json, ids) : undefined;
  const dead: [number, DeadReason][] = named?.length ? named.map(([i, r]) => [i, reason(r)]) : ids.map((_, i) => [i, reason()]);
  const code: ErrorCode = status == 401 ? 'unauthorized' : status == 413 ? 'too_large' : 'rejected';
  const first = dead[0]![1];
  return {
    dead,
    error: new SlotwiseError(code, `the server refused ${dead.length} event(s) (${status} ${first.code}: ${first.message}); kept as dead letters`, {
      status,
      ids: dead.map(([i]) => ids[i]),
      reasons: dead.map(([, r]) => r),
    }),
  };
}

/** Retry-After in ms: delta-seconds or an HTTP date; bounded (it comes from the network) */
export function retryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const ms = /^\s*\d+\s*$/.test(value) ? +value * 1000 : Date.parse(value) - now;
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS);
}

async function read(res: Response): Promise<unknown> {
  try {
    // an answer to POST /v1/events is a few dozen bytes; a huge one is not read into memory
    if (+(res.headers.get('content-length') ?? 0) > 64 * 1024) {
      res.body?.cancel().catch(() => {});
      return undefined;
    }
    return JSON.parse(await res.text());
  } catch {
    return undefined;
  }
}

/**
 * The events a 400 names as bad, as [index, reason], matched to the batch by index and checked by
 * id. Undefined when the list is missing or does not match the batch: then the whole batch counts
 * as refused.
 */
function rejected(json: unknown, ids: string[]): [number, Partial<DeadReason>][] | undefined {
  const list = (json as { error?: { rejected?: unknown } })?.error?.rejected;
  if (!Array.isArray(list) || !list.length) return undefined;
  const out = new Map<number, Partial<DeadReason>>();
  for (const r of list) {
    const i = r?.index;
    if (!Number.isInteger(i) || i < 0 || i >= ids.length || (r.id != null && r.id !== ids[i])) return undefined;
    out.set(i, { message: String(r.message ?? '').slice(0, LIMITS.text), path: String(r.path ?? '').slice(0, LIMITS.text) });
  }
  return [...out];
}

/**
 * One JSON request to the backend, its answer read with a size cap and validated with `schema`.
 * Rejects with a SlotwiseError: network, timeout, unauthorized, server (non-2xx) or bad_response.
 * With `etag` it is sent as If-None-Match, and a 304 resolves undefined.
 */
async function fetchJson<T>(o: ClientOptions, url: string, path: string, schema: c.Schema<T>, body?: unknown, etag?: string): Promise<T> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), HARD_MS);
  try {
    const res = await (o.fetch ?? fetch)(url, {
      method: body ? 'POST' : 'GET',
      headers: { 'x-slotwise-key': o.appKey, ...(body ? { 'content-type': 'application/json' } : {}), ...(etag ? { 'if-none-match': etag } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: abort.signal,
    });
    if (res.status == 304) return undefined as T;
    if (!res.ok) {
      res.body?.cancel().catch(() => {});
      throw new SlotwiseError(res.status == 401 ? 'unauthorized' : 'server', `${path} answered ${res.status}`, { status: res.status });
    }
    let data: unknown;
    const text = await readCapped(res, path);
    try {
      data = JSON.parse(text);
    } catch {
      throw new SlotwiseError('bad_response', `${path} answered with something other than JSON`);
    }
    const r = c.check(schema, data);
    if (!r.success) throw new SlotwiseError('bad_response', `${path}: ${r.error.message}`);
    return r.data;
  } catch (e) {
    throw abort.signal.aborted ? new SlotwiseError('timeout', `${path} took longer than ${HARD_MS} ms`) : toSlotwiseError('network', e);
  } finally {
    clearTimeout(timer);
  }
}

async function readCapped(res: Response, path: string): Promise<string> {
  const tooBig = () => new SlotwiseError('bad_response', `${path} answered more than ${ANSWER_BYTES} bytes`);
  if (+(res.headers.get('content-length') ?? 0) > ANSWER_BYTES) {
    res.body?.cancel().catch(() => {});
    throw tooBig();
  }
  const reader = res.body?.getReader();
  if (!reader) {
    // no stream to count while reading: at least nothing this big is parsed
    const text = await res.text();
    if (text.length > ANSWER_BYTES) throw tooBig();
    return text;
  }
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    if ((size += value.byteLength) > ANSWER_BYTES) {
      reader.cancel().catch(() => {});
      throw tooBig();
    }
    text += decoder.decode(value, { stream: true });
  }
}

/**
 * The network module: everything that talks to the backend and validates what comes back, behind
 * one small interface (`connect(options)` → `Net`). It holds ky and zod/mini with the contract's
 * schemas, so the script-tag core does not: there, rollup resolves `./net` to net-lazy.ts, which
 * loads this module as `slotwise-net.min.js` in parallel at start. The ESM build (dist/index.js)
 * imports it statically: one module graph.
 *
 * Invariants: nothing here touches the queue or the device's store, so a late or missing network
 * module can delay sending but never lose an event; every answer is untrusted until it passed the
 * contract; no call rejects except `connect` (bad options) — failures are answers.
 */
import ky from 'ky';
import * as z from 'zod/mini';
import { CHANNELS, CONSENT_STATES, LIMITS, answerSchemas, firstProblem, ruleSchemas } from './contract';
import type { Config, DecideRequest, DecideResponse, TagRule, TriggerRule } from './contract';
import type { DeadReason } from './db';
import { SlotwiseError, toSlotwiseError, type ErrorCode } from './errors';
import { validRules } from './rules';
import type { ClientOptions } from './types';

/** a Retry-After is honoured up to this long: a broken proxy must not silence the SDK for days */
export const RETRY_AFTER_CAP_MS = 10 * 60_000;
/** per events request; a hung server is a network error after this long */
export const REQUEST_TIMEOUT_MS = 10_000;
/** bytes of a decide or config answer read at most; a bigger body is refused before it is parsed */
export const ANSWER_BYTES = 256 * 1024;
/** a decide or config request still open after this long is aborted */
const HARD_MS = 15_000;

/** How the server answered one POST /v1/events. */
export type Sent =
  /** stored (or already stored): the events may leave the queue */
  | { ack: { accepted: number; duplicates: number } }
  /** try again later: network, timeout, 408/429/5xx, or an answer that is no acknowledgement */
  | { retry: SlotwiseError; after?: number; net?: boolean }
  /** 413 for a batch of several: send smaller batches */
  | { shrink: true }
  /** refused for good: `dead` lists [index in the batch, reason] (every event when none is named) */
  | { dead: [number, DeadReason][]; error: SlotwiseError };

/** GET /v1/config with its rules checked one by one: only good rules, the bad ones as `bad_rule` errors. */
export interface Rules {
  config: Omit<Config, 'tags' | 'triggers'> & { tags: TagRule[]; triggers: TriggerRule[] };
  problems: SlotwiseError[];
}

export interface Net {
  /**
   * Settles once the options were checked: at once in the ESM build (`connect` threw already if
   * they were bad); in the script tag when slotwise-net.min.js has arrived, rejecting with
   * `invalid_options` (or with the error that kept the module from loading).
   */
  ready: Promise<void>;
  /** POSTs one batch (`body` is the JSON of `ids.length` events); never rejects but when the module is missing */
  send(ids: string[], body: string, keepalive: boolean): Promise<Sent>;
  /** POST /v1/decide, the answer read with a size cap and validated; rejects with a SlotwiseError */
  decide(request: DecideRequest): Promise<DecideResponse>;
  /** GET /v1/config; rejects with a SlotwiseError */
  config(): Promise<Rules>;
}

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
  const api = ky.create({
    prefixUrl: endpoint,
    retry: 0,
    timeout: REQUEST_TIMEOUT_MS,
    throwHttpErrors: false,
    headers: { 'x-slotwise-key': options.appKey },
    ...(options.fetch && { fetch: options.fetch }),
  });
  const get = <T>(path: string, schema: Parser<T>, body?: unknown) => fetchJson(options, endpoint + path, path, schema, body);
  return {
    ready: Promise.resolve(),
    send: (ids, body, keepalive) => send(api, ids, body, keepalive, options.now ?? Date.now),
    decide: (request) => get('/v1/decide', answerSchemas().decideResponse, request),
    async config() {
      const c = await get('/v1/config', ruleSchemas().config);
      const problems: SlotwiseError[] = [];
      const collect = { report: (e: SlotwiseError) => void problems.push(e) };
      const tags = validRules(collect, 'tags', c.tags, ruleSchemas().tagRule, (r) => r.name, true);
      const triggers = validRules(collect, 'triggers', c.triggers, ruleSchemas().triggerRule, (r) => r.id, true);
      return { config: { ...c, tags, triggers }, problems };
    },
  };
}

/** In the ESM build `./net` is already here: nothing to load. (net-lazy.ts starts loading the chunk.) */
export function load(_: { script?: HTMLScriptElement | null }): void {}

const int = (min: number, max: number) => z.optional(z.int().check(z.minimum(min), z.maximum(max)));
const bool = () => z.optional(z.boolean());
const fn = () => z.optional(z.custom<never>((v) => typeof v == 'function', 'expected a function'));

const optionsSchema = () =>
  z.strictObject({
    appKey: z.string().check(z.minLength(1), z.maxLength(LIMITS.id)),
    endpoint: z.string().check(z.maxLength(LIMITS.text), z.regex(/^https?:\/\/[^\s/?#]+[^\s?#]*$/, 'expected an http(s) URL without query')),
    channel: z.optional(z.enum(CHANNELS)),
    consent: z.optional(z.enum(CONSENT_STATES)),
    autocapture: z.optional(
      z.union([z.literal(false), z.strictObject({ pageviews: bool(), clicks: bool(), visibility: bool() })]),
    ),
    flush: z.optional(z.strictObject({ count: int(1, LIMITS.batchEvents), intervalMs: int(0, 3_600_000) })),
    maxQueue: int(1, 1_000_000),
    fallback: z.optional(z.record(z.string(), z.array(z.unknown()))),
    decideTimeoutMs: int(1, 60_000),
    locale: z.optional(z.string().check(z.minLength(1), z.maxLength(35))),
    debug: bool(),
    nonce: z.optional(z.string()),
    fetch: fn(),
    indexedDB: z.optional(z.union([z.literal(false), z.custom<never>((v) => !!v && typeof v == 'object', 'expected an IDBFactory')])),
    now: fn(),
  });

/** @throws SlotwiseError `invalid_options`, its message naming the option */
export function checkOptions(input: ClientOptions): void {
  const result = optionsSchema().safeParse(input);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  const problem =
    issue.code == 'unrecognized_keys'
      ? { message: `unknown option ${issue.keys.join(', ')}`, path: issue.keys[0]! }
      : issue.path.length
        ? firstProblem(result.error)
        : { message: 'expected an object { appKey, endpoint, … }', path: '' };
  throw new SlotwiseError('invalid_options', `slotwise: invalid options: ${problem.message}`, { path: problem.path });
}

type Parser<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Parameters<typeof firstProblem>[0] } };

async function send(api: typeof ky, ids: string[], body: string, keepalive: boolean, now: () => number): Promise<Sent> {
  const n = ids.length;
  let res: Response;
  try {
    res = await api.post('v1/events', { body, keepalive, headers: { 'content-type': 'application/json' } });
  } catch (e) {
    const timeout = (e as Error)?.name == 'TimeoutError';
    return { retry: new SlotwiseError(timeout ? 'timeout' : 'network', `sending ${n} event(s) failed: ${(e as Error)?.message ?? e}`, { ids, cause: e }), net: !timeout };
  }
  const { status } = res;
  const json = await read(res);

  if (res.ok) {
    const ack = answerSchemas().eventsResponse.safeParse(json);
    // a captive portal or a proxy answers 200 too: only a well-formed, complete ack deletes events
    return ack.success && ack.data.accepted + ack.data.duplicates == n
      ? { ack: ack.data }
      : { retry: new SlotwiseError('bad_response', `the server's answer to ${n} event(s) is not an acknowledgement`, { status, ids }) };
  }
  if (status == 429 || status == 408 || status >= 500) {
    const code: ErrorCode = status == 429 ? 'rate_limited' : 'server';
    return { retry: new SlotwiseError(code, `the server answered ${status} to ${n} event(s); retrying`, { status, ids }), after: retryAfter(res.headers.get('retry-after'), now()) };
  }
  // the server takes less than the contract promises: halve the batch until it fits
  if (status == 413 && n > 1) return { shrink: true };

  const e = answerSchemas().errorBody.safeParse(json);
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
 */
async function fetchJson<T>(o: ClientOptions, url: string, path: string, schema: Parser<T>, body?: unknown): Promise<T> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), HARD_MS);
  try {
    const res = await (o.fetch ?? fetch)(url, {
      method: body ? 'POST' : 'GET',
      headers: { 'x-slotwise-key': o.appKey, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: abort.signal,
    });
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
    const r = schema.safeParse(data);
    if (!r.success) throw new SlotwiseError('bad_response', `${path}: ${firstProblem(r.error).message}`);
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

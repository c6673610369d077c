/**
 * Sends the durable queue to POST /v1/events. Invariants:
 * - an event leaves the store only when the server acknowledged it (200 with a valid count)
 *   or refused it for good (then it goes to the dead letters with the server's reason);
 * - one batch in flight per tab, and only in the tab holding the flush lock;
 * - the retry schedule lives in the store, so a reload neither forgets a Retry-After nor
 *   restarts the backoff;
 * - the server is idempotent by event id, so a send whose answer is lost (unload, timeout)
 *   is simply sent again.
 */
import ky, { type KyResponse } from 'ky';
import { LIMITS, schemas, type RejectedBody } from './contract';
import type { DeadReason, Row, Store } from './db';
import { SlotwiseError, type ErrorCode } from './errors';
import type { TabLock } from './tabs';

/** backoff: full jitter over BASE · 2^attempt, capped */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 60_000;
/** a Retry-After is honoured up to this long: a broken proxy must not silence the SDK for days */
export const RETRY_AFTER_CAP_MS = 10 * 60_000;
/** per request; a hung server is a network error after this long */
export const REQUEST_TIMEOUT_MS = 10_000;
/** every keepalive request of a document shares this budget in the browser */
const KEEPALIVE_BUDGET = 64 * 1024;

interface Retry {
  attempt: number;
  until: number;
  /** the last failure was the network: coming back online retries at once */
  net?: boolean;
}

export interface TransportOptions {
  endpoint: string;
  appKey: string;
  fetch?: typeof fetch;
  /** flush when this many events wait… */
  count: number;
  /** …or this long after the first one */
  intervalMs: number;
  now(): number;
  random?: () => number;
  store(): Store | undefined;
  lock: TabLock;
  /** consent granted and client open */
  allowed(): boolean;
  report(error: SlotwiseError): void;
  sent(ack: { ids: string[]; accepted: number; duplicates: number }): void;
}

export interface Transport {
  /** `n` events were persisted */
  notify(n: number): void;
  /** sends until the queue is empty or a send fails; never rejects */
  flush(keepalive?: boolean): Promise<void>;
  /** fire-and-forget sends for a page that is going away (fetch keepalive or sendBeacon) */
  beacon(rows: Row[]): void;
  /** the network is back */
  online(): void;
  close(): void;
}

export function createTransport(o: TransportOptions): Transport {
  const api = ky.create({
    prefixUrl: o.endpoint,
    retry: 0,
    timeout: REQUEST_TIMEOUT_MS,
    throwHttpErrors: false,
    headers: { 'x-slotwise-key': o.appKey },
    ...(o.fetch && { fetch: o.fetch }),
  });
  const random = o.random ?? Math.random;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let due = Infinity;
  let waiting = 0;
  let draining: Promise<void> | undefined;
  let closed = false;
  /** lowered after a 413: this server takes smaller batches than the contract says */
  let maxEvents: number = LIMITS.batchEvents;

  const offline = () => globalThis.navigator?.onLine === false;

  /** (re)arms the single timer for `ms` from now, unless it would fire sooner already */
  function wake(ms: number) {
    const at = o.now() + ms;
    if (closed || at >= due) return;
    clearTimeout(timer);
    due = at;
    timer = setTimeout(() => {
      due = Infinity;
      timer = undefined;
      void flush();
    }, ms);
  }

  function flush(keepalive = false): Promise<void> {
    waiting = 0;
    return (draining ??= drain(keepalive).finally(() => (draining = undefined)));
  }

  async function drain(keepalive: boolean): Promise<void> {
    const store = o.store();
    if (!store || closed || !o.allowed() || offline()) return;
    try {
      const ran = await o.lock.run(async (renew) => {
        for (;;) {
          if (!o.allowed() || closed || offline()) return;
          const retry = await store.get<Retry>('retry');
          if (retry && retry.until > o.now()) return wake(retry.until - o.now());
          const rows = cut(await store.head(maxEvents), keepalive ? LIMITS.keepaliveBytes : LIMITS.batchBytes);
          if (!rows.length || !(await renew())) return;
          if (!(await send(store, rows, keepalive))) return;
        }
      });
      // another tab is sending; it sends our events too, but look again in case it just finished
      if (!ran) wake(o.intervalMs);
    } catch (e) {
      o.report(new SlotwiseError('storage_failed', `reading the queue failed: ${(e as Error)?.message ?? e}`, { cause: e }));
      wake(o.intervalMs);
    }
  }

  /** one request; resolves true when the loop may go on with the next batch */
  async function send(store: Store, rows: Row[], keepalive: boolean): Promise<boolean> {
    const ids = rows.map((r) => r.id);
    const body = `{"sentAt":${o.now()},"events":[${rows.map((r) => r.body).join(',')}]}`;
    let res: KyResponse;
    try {
      res = await api.post('v1/events', { body, keepalive, headers: { 'content-type': 'application/json' } });
    } catch (e) {
      if (!o.allowed()) return false;
      const timeout = (e as Error)?.name == 'TimeoutError';
      return fail(store, new SlotwiseError(timeout ? 'timeout' : 'network', `sending ${rows.length} event(s) failed: ${(e as Error)?.message ?? e}`, { ids, cause: e }), undefined, !timeout);
    }
    const { status } = res;
    const json = await read(res);

    if (res.ok) {
      const ack = schemas().eventsResponse.safeParse(json);
      // a captive portal or a proxy answers 200 too: only a well-formed, complete ack deletes events
      if (!ack.success || ack.data.accepted + ack.data.duplicates != rows.length) {
        return fail(store, new SlotwiseError('bad_response', `the server's answer to ${rows.length} event(s) is not an acknowledgement`, { status, ids }));
      }
      await store.ack(rows);
      await store.del('retry');
      o.sent({ ids, ...ack.data });
      return true;
    }

    // consent withdrawn (or the client closed) while the request was out: no more writes, no retries
    if (!o.allowed()) return false;

    if (status == 429 || status == 408 || status >= 500) {
      const code: ErrorCode = status == 429 ? 'rate_limited' : 'server';
      return fail(store, new SlotwiseError(code, `the server answered ${status} to ${rows.length} event(s); retrying`, { status, ids }), retryAfter(res.headers.get('retry-after'), o.now()));
    }

    const error = errorOf(json);
    if (status == 413 && rows.length > 1) {
      // the server takes less than the contract promises: halve the batch until it fits
      maxEvents = Math.ceil(rows.length / 2);
      return true;
    }
    const reason = (r: Partial<DeadReason> = {}): DeadReason => ({
      status,
      code: error?.code ?? 'http_' + status,
      message: r.message ?? error?.message ?? `HTTP ${status}`,
      path: r.path ?? error?.path,
    });
    const named = status == 400 ? rejected(json, rows) : undefined;
    const dead = named?.length ? named.map(([row, r]) => ({ row, reason: reason(r) })) : rows.map((row) => ({ row, reason: reason() }));
    await store.bury(dead, o.now());
    const code: ErrorCode = status == 401 ? 'unauthorized' : status == 413 ? 'too_large' : 'rejected';
    o.report(new SlotwiseError(code, `the server refused ${dead.length} event(s) (${status} ${dead[0]!.reason.code}: ${dead[0]!.reason.message}); kept as dead letters`, {
      status,
      ids: dead.map((d) => d.row.id),
      reasons: dead.map((d) => d.reason),
    }));
    // the rest of a partly rejected batch goes again at once: nothing was wrong with it
    return true;
  }

  async function fail(store: Store, error: SlotwiseError, after?: number, net = false): Promise<false> {
    o.report(error);
    const prev = await store.get<Retry>('retry');
    const attempt = prev?.attempt ?? 0;
    const delay = after ?? Math.round(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
    await store.set('retry', { attempt: attempt + 1, until: o.now() + delay, net } satisfies Retry);
    wake(delay);
    return false;
  }

  return {
    notify(n) {
      waiting += n;
      if (waiting >= o.count) void flush();
      else wake(o.intervalMs);
    },
    flush,
    beacon(rows) {
      if (closed || !o.allowed()) return;
      const url = `${o.endpoint}/v1/events?key=${encodeURIComponent(o.appKey)}`;
      const nav = globalThis.navigator;
      let budget = KEEPALIVE_BUDGET;
      while (rows.length) {
        const chunk = cut(rows, LIMITS.keepaliveBytes);
        // a single event past the keepalive size stays for the next normal send
        if (!chunk.length) return;
        rows = rows.slice(chunk.length);
        if ((budget -= chunk.reduce((n, r) => n + r.size + 1, 40)) < 0) return;
        const body = `{"sentAt":${o.now()},"events":[${chunk.map((r) => r.body).join(',')}]}`;
        // text/plain and the key in the URL keep it a CORS-simple request: no preflight at unload
        if (!o.fetch && nav?.sendBeacon) {
          if (!nav.sendBeacon(url, new Blob([body], { type: 'text/plain' }))) return;
        } else {
          (o.fetch ?? fetch)(url, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain' } }).catch(() => {});
        }
      }
    },
    async online() {
      const store = o.store();
      const retry = await store?.get<Retry>('retry').catch(() => undefined);
      if (retry?.net) await store!.del('retry').catch(() => {});
      void flush();
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

/** the oldest rows that fit in one request of at most `bytes` */
export function cut(rows: Row[], bytes: number): Row[] {
  let size = 40; // {"sentAt":…,"events":[…]}
  let n = 0;
  while (n < rows.length && n < LIMITS.batchEvents && (size += rows[n]!.size + 1) <= bytes) n++;
  return rows.slice(0, n);
}

/** Retry-After in ms: delta-seconds or an HTTP date; bounded (it comes from the network) */
export function retryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const ms = /^\s*\d+\s*$/.test(value) ? +value * 1000 : Date.parse(value) - now;
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS);
}

async function read(res: KyResponse): Promise<unknown> {
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

function errorOf(json: unknown): DeadReason | undefined {
  const r = schemas().errorBody.safeParse(json);
  return r.success ? ({ status: 0, ...r.data.error } as DeadReason) : undefined;
}

/**
 * The events a 400 names as bad, matched to the batch by index and checked by id. Undefined when
 * the list is missing or does not match the batch: then the whole batch counts as refused.
 */
function rejected(json: unknown, rows: Row[]): [Row, Partial<DeadReason>][] | undefined {
  const list = (json as RejectedBody)?.error?.rejected;
  if (!Array.isArray(list) || !list.length) return undefined;
  const out = new Map<Row, Partial<DeadReason>>();
  for (const r of list) {
    const row = rows[r?.index];
    if (!row || (r.id != null && r.id !== row.id)) return undefined;
    out.set(row, { message: String(r.message ?? '').slice(0, LIMITS.text), path: String(r.path ?? '').slice(0, LIMITS.text) });
  }
  return [...out];
}

/**
 * Sends the durable queue to POST /v1/events: when to send (count, interval, retry schedule,
 * online), and the pagehide rescue. The send loop itself (batches, answers, backoff records) is
 * send-loop.ts, served by the network module (`Net.drain`): in the script tag it arrives with
 * slotwise-net.min.js, while the beacons below must work without it. Invariants:
 * - an event leaves the store only when the server acknowledged it (200 with a valid count)
 *   or refused it for good (then it goes to the dead letters with the server's reason);
 * - one batch in flight per tab, and only in the tab holding the flush lock;
 * - the retry schedule lives in the store, so a reload neither forgets a Retry-After nor
 *   restarts the backoff;
 * - the server is idempotent by event id, so a send whose answer is lost (unload, timeout)
 *   is simply sent again.
 */
import { LIMITS } from './contract';
import type { Row, Store } from './db';
import { toSlotwiseError, type SlotwiseError } from './errors';
import type { Retry } from './send-loop';
import type { Core, Loop, Net } from './types';

/** backoff: full jitter over BASE · 2^attempt, capped */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 60_000;
/** every keepalive request of a document shares this budget in the browser */
const KEEPALIVE_BUDGET = 64 * 1024;


export interface TransportOptions {
  /** runs the send loop and classifies the answers (in the script tag: once slotwise-net.min.js has arrived) */
  net: Net;
  /** for the pagehide beacons, which go with plain fetch/sendBeacon: they must not wait for `net` */
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
  /** the flush lock's name and lease store (tabs.ts); the send loop makes the lock */
  lock: Loop['o']['lock'];
  /** consent granted and client open */
  allowed(): boolean;
  report(error: SlotwiseError): void;
  sent(ack: { ids: string[]; accepted: number; duplicates: number }): void;
  /** the client's core: the send loop (network module) sends its identity token with every batch */
  core?: Core;
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
  /** events in the request in flight (the oldest stored) */
  sending(): number;
  close(): void;
}

export function createTransport(o: TransportOptions): Transport {
  const random = o.random ?? Math.random;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let due = Infinity;
  let waiting = 0;
  let draining: Promise<void> | undefined;
  let closed = false;

  const go = () => !closed && o.allowed() && globalThis.navigator?.onLine !== false;

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

  async function fail(store: Store, error: SlotwiseError, after?: number, net = false): Promise<false> {
    o.report(error);
    const prev = await store.get<Retry>('retry');
    const attempt = prev?.attempt ?? 0;
    const delay = after ?? Math.round(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
    await store.set('retry', { attempt: attempt + 1, until: o.now() + delay, net } satisfies Retry);
    wake(delay);
    return false;
  }

  /** the send loop's state; the loop itself comes with the network module (send-loop.ts) */
  const loop: Loop = { o, max: LIMITS.batchEvents, go, wake, fail, cut };

  function flush(keepalive = false): Promise<void> {
    waiting = 0;
    return (draining ??= drain(keepalive).finally(() => (draining = undefined)));
  }

  async function drain(keepalive: boolean): Promise<void> {
    const store = o.store();
    if (!store || !go()) return;
    try {
      await o.net.drain(loop, keepalive);
    } catch (e) {
      // the network module did not load (or the options are bad): as a failed send, the events
      // stay and the next attempt waits out the backoff; a stored Retry-After is not cut short
      try {
        const retry = await store.get<Retry>('retry');
        if (retry && retry.until > o.now()) wake(retry.until - o.now());
        else if ((await store.head(1)).length) await fail(store, e as SlotwiseError, undefined, true);
      } catch (e) {
        o.report(toSlotwiseError('storage_failed', e));
        wake(o.intervalMs);
      }
    }
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
    sending: () => loop.out ?? 0,
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

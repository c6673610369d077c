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
import { LIMITS } from './contract';
import type { Row, Store } from './db';
import { SlotwiseError, toSlotwiseError } from './errors';
import type { TabLock } from './tabs';
import type { Net } from './types';

/** backoff: full jitter over BASE · 2^attempt, capped */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 60_000;
/** every keepalive request of a document shares this budget in the browser */
const KEEPALIVE_BUDGET = 64 * 1024;

interface Retry {
  attempt: number;
  until: number;
  /** the last failure was the network: coming back online retries at once */
  net?: boolean;
}

export interface TransportOptions {
  /** classifies the server's answers (in the script tag: once slotwise-net.min.js has arrived) */
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
      o.report(toSlotwiseError('storage_failed', e));
      wake(o.intervalMs);
    }
  }

  /** one request; resolves true when the loop may go on with the next batch */
  async function send(store: Store, rows: Row[], keepalive: boolean): Promise<boolean> {
    const ids = rows.map((r) => r.id);
    let r;
    try {
      r = await o.net.send(ids, `{"sentAt":${o.now()},"events":[${rows.map((r) => r.body).join(',')}]}`, keepalive);
    } catch (e) {
      // the network module did not load (or the options are bad): the events stay, retried with backoff
      r = { retry: e as SlotwiseError, net: true };
    }
    if ('ack' in r) {
      await store.ack(rows);
      await store.del('retry');
      o.sent({ ids, ...r.ack });
      return true;
    }
    // consent withdrawn (or the client closed) while the request was out: no more writes, no retries
    if (!o.allowed()) return false;
    if ('retry' in r) return fail(store, r.retry, r.after, r.net);
    if ('shrink' in r) {
      maxEvents = Math.ceil(rows.length / 2);
      return true;
    }
    await store.bury(r.dead.map(([i, reason]) => ({ row: rows[i]!, reason })), o.now());
    o.report(r.error);
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

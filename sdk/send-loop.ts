/**
 * The transport's send loop: batches the stored events into POST /v1/events, one request at a
 * time, in the tab holding the flush lock, until the queue is empty or a send fails. It lives in the
 * network module (`Net.drain`): in the script tag it arrives with slotwise-net.min.js, so the core
 * carries only the schedule and the pagehide rescue (transport.ts). The ESM build imports it
 * statically.
 *
 * Invariants (transport.ts states the whole set):
 * - an event leaves the store only when the server acknowledged it or refused it for good (then it
 *   goes to the dead letters with the server's reason);
 * - a Retry-After or backoff kept in the store (`retry`) is waited out before anything is sent;
 * - never rejects: a storage failure is reported and tried again after `intervalMs`.
 */
import { LIMITS } from './contract';
import type { Row, Store } from './db';
import { toSlotwiseError, type SlotwiseError } from './errors';
import { createTabLock } from './tabs';
import type { Loop, Net } from './types';
import { freshToken, tokenField } from './identity-token';

/** the retry schedule the transport keeps in the store */
export interface Retry {
  attempt: number;
  until: number;
  /** the last failure was the network: coming back online retries at once */
  net?: boolean;
}

/** Sends until the queue is empty or a send fails; `t` is the transport's state. */
export async function drain(net: Net, t: Loop, keepalive: boolean): Promise<void> {
  const { o } = t;
  const store = o.store()!;
  try {
    // made here, in the network module: the core never sends, so it need not carry the lock
    const ran = await (t.lock ??= createTabLock({ ...o.lock, now: o.now })).run(async (renew) => {
      try {
        for (;;) {
          if (!t.go()) return;
          const retry = await store.get<Retry>('retry');
          if (retry && retry.until > o.now()) return t.wake(retry.until - o.now());
          // from the read of the head until its answer is handled, the cap spares it (it may be
          // stored by the server whatever comes back): so what the cap drops, and counts, is exact
          t.out = t.max;
          const rows = t.cut(await store.head(t.max), keepalive ? LIMITS.keepaliveBytes : LIMITS.batchBytes);
          if (!rows.length || !(await renew())) return;
          if (!(await send(net, t, store, rows, keepalive))) return;
        }
      } finally {
        t.out = 0;
      }
    });
    // another tab is sending; it sends our events too, but look again in case it just finished
    if (!ran) t.wake(o.intervalMs);
  } catch (e) {
    o.report(toSlotwiseError('storage_failed', e));
    t.wake(o.intervalMs);
  }
}

/** one request; resolves true when the loop may go on with the next batch */
async function send(net: Net, t: Loop, store: Store, rows: Row[], keepalive: boolean): Promise<boolean> {
  const { o } = t;
  const ids = rows.map((r) => r.id);
  const core = o.core;
  const token = core && (await freshToken(core));
  const r = await net.send(ids, `{"sentAt":${o.now()},"events":[${rows.map((r) => r.body).join(',')}]${tokenField(token)}}`, keepalive);
  if ('ack' in r) {
    await store.ack(rows);
    await store.del('retry');
    o.sent({ ids, ...r.ack });
    return true;
  }
  // consent withdrawn (or the client closed) while the request was out: no more writes, no retries
  if (!o.allowed()) return false;
  if ('retry' in r) return t.fail(store, r.retry as SlotwiseError, r.after, r.net);
  if ('shrink' in r) {
    t.max = Math.ceil(rows.length / 2);
    return true;
  }
  await store.bury(r.dead.map(([i, reason]) => ({ row: rows[i]!, reason })), o.now());
  o.report(r.error);
  // the rest of a partly rejected batch goes again at once: nothing was wrong with it
  return true;
}

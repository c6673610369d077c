/**
 * One tab at a time: the tab that holds a lock does the work (sending the shared queue, firing a
 * trigger); the others skip it. Web Locks where the browser has them; elsewhere a lease record
 * (owner + expiry) in the shared IndexedDB, taken and renewed atomically in a readwrite
 * transaction, which IndexedDB serialises across tabs.
 */
import type { KV } from './types';

export interface TabLock {
  /**
   * Runs `fn` unless another tab (or this one) holds the lock; resolves true when it ran.
   * `fn` gets `renew`: call it before each unit of work that must not overlap with another tab
   * (one request); it resolves false once the lock is lost, and then `fn` must stop.
   */
  run(fn: (renew: () => Promise<boolean>) => Promise<void>): Promise<boolean>;
}

export interface TabLockOptions {
  /** lock name, unique per app key and purpose. @example 'slotwise:demo:flush' */
  name: string;
  /** where the lease lives when Web Locks are missing: `core.kv` */
  kv: KV;
  /** lease lifetime; a tab that dies holding it blocks the others this long. Default 30 s. */
  ttlMs?: number;
  now?: () => number;
  /** Default `navigator.locks`; `null` forces the lease. */
  locks?: LockManager | null;
}

export function createTabLock({ name, kv, ttlMs = 30_000, now = Date.now, locks }: TabLockOptions): TabLock {
  const manager = locks === undefined ? globalThis.navigator?.locks : locks;
  // tells this tab's lease from another's: 52 random bits (the event-id generator stays in the core)
  const owner = String(Math.random());
  let busy = false;

  const take = () => kv.lease(name, owner, now() + ttlMs, now()).catch(() => false);

  return {
    async run(fn) {
      if (busy) return false;
      busy = true;
      try {
        if (manager) {
          return await manager.request(name, { ifAvailable: true }, async (lock) => {
            if (!lock) return false;
            await fn(async () => true);
            return true;
          });
        }
        if (!(await take())) return false;
        let held = true;
        const renew = async () => (held &&= await take());
        // keep the lease while `fn` awaits a slow answer between two renew() calls
        const timer = setInterval(renew, ttlMs / 3);
        try {
          await fn(renew);
        } finally {
          clearInterval(timer);
          // hand over at once instead of letting the lease run out
          if (held) await kv.lease(name, owner, 0, now()).catch(() => {});
        }
        return true;
      } finally {
        busy = false;
      }
    },
  };
}

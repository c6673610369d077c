/**
 * Consent gates storage. `granted`: the key-value store writes to IndexedDB. `pending` and
 * `denied`: writes stay in memory (nothing personal reaches the disk before consent); going to
 * `granted` writes them through, going to `denied` forgets them. Deleting is always allowed:
 * it is how a user's data leaves the device.
 */
import type { ConsentState } from './contract';
import type { Store } from './db';
import type { KV } from './types';

export interface ConsentKV extends KV {
  /** consent granted: write what was held in memory */
  commit(): Promise<void>;
  /** consent denied: forget what was held in memory */
  forget(): void;
}

export function consentKV(ready: Promise<Store>, consent: () => ConsentState): ConsentKV {
  const held = new Map<string, unknown>();
  const granted = () => consent() == 'granted';
  return {
    async get<T>(key: string) {
      const store = await ready;
      return (held.has(key) ? held.get(key) : consent() == 'denied' ? undefined : await store.get(key)) as T | undefined;
    },
    async set(key, value) {
      const store = await ready;
      if (granted()) await store.set(key, value);
      else held.set(key, value);
    },
    async del(key) {
      held.delete(key);
      await (await ready).del(key);
    },
    async keys(prefix) {
      const stored = consent() == 'denied' ? [] : await (await ready).keys(prefix);
      return [...new Set([...stored, ...[...held.keys()].filter((k) => k.startsWith(prefix))])];
    },
    // leases coordinate tabs; they hold nothing about the user
    lease: async (...args) => (await ready).lease(...args),
    async commit() {
      const store = await ready;
      for (const [key, value] of held) if (granted()) await store.set(key, value), held.delete(key);
    },
    forget() {
      held.clear();
    },
  };
}

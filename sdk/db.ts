/**
 * Storage: one IndexedDB database per app key (through idb), or memory where IndexedDB is
 * missing or broken. Both implement `Store`, so the queue and transport never branch on it.
 *
 * Stores: `events` (the send queue, keys ascending in insertion order), `dead` (events the
 * server refused, with its reason), `kv` (identity, retry state, tab lease, the slots' caches).
 */
import { unwrap, wrap, type DBSchema, type IDBPDatabase } from 'idb';

/** A queued event: its id and its JSON, serialised once when it is persisted. */
export interface Row {
  /** key in `events`, ascending in insertion order; set by the store */
  k?: number;
  id: string;
  body: string;
  /** UTF-8 bytes of `body` */
  size: number;
}

/** Why the server (or the SDK) refused an event, kept next to it in `dead`. */
export interface DeadReason {
  status: number;
  code: string;
  message: string;
  path?: string;
}

export interface Store {
  readonly durable: boolean;
  /**
   * Appends `rows` and writes `kv` in one transaction. Past `max` queued events, and when the
   * device is out of quota, the oldest are dropped first. Resolves with how many were dropped.
   */
  append(rows: Row[], max: number, kv?: Record<string, unknown>): Promise<number>;
  /** the oldest `limit` rows */
  head(limit: number): Promise<Row[]>;
  count(): Promise<number>;
  /**
   * Deletes acknowledged rows. `rows` must be a prefix of what `head()` returned: keys only grow,
   * so no other live row can sit between the first and the last, and one range delete does it.
   */
  ack(rows: Row[]): Promise<void>;
  /** moves rows to the dead letters, in one transaction; the oldest dead letters go past `DEAD_MAX` */
  bury(dead: { row: Row; reason: DeadReason }[], at: number): Promise<void>;
  dead(): Promise<(Row & { reason: DeadReason; at: number })[]>;
  /** erases everything: queue, dead letters, kv */
  clear(): Promise<void>;
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  keys(prefix: string): Promise<string[]>;
  /** atomic across tabs: takes or renews the lease `name` unless another owner holds it unexpired */
  lease(name: string, owner: string, until: number, now: number): Promise<boolean>;
  close(): void;
}

export const DEAD_MAX = 1000;
/** IndexedDB schema version. Bump it and add a step to `upgrade` for every change. */
export const DB_VERSION = 1;

interface Schema extends DBSchema {
  events: { key: number; value: Row };
  dead: { key: number; value: Row & { reason: DeadReason; at: number } };
  kv: { key: string; value: unknown };
}
type DB = IDBPDatabase<Schema>;
type Lease = { owner: string; until: number };

/**
 * Brings a database of any older version to `DB_VERSION`, one step per version, so a new
 * release reads the queue an old release left behind. Runs inside the versionchange transaction.
 */
export function upgrade(db: DB, from: number): void {
  if (from < 1) {
    db.createObjectStore('events', { keyPath: 'k', autoIncrement: true });
    db.createObjectStore('dead', { keyPath: 'k', autoIncrement: true });
    db.createObjectStore('kv');
  }
  // if (from < 2) { … the next version's step … }
}

export const isQuota = (e: unknown) =>
  !!e && ((e as DOMException).name == 'QuotaExceededError' || (e as DOMException).code == 22);

/**
 * Opens the app's database. Rejects when IndexedDB is missing, refuses (private mode), or does
 * not answer within `timeoutMs` (some WebViews never settle the open request).
 */
export async function openStore(factory: IDBFactory, appKey: string, timeoutMs = 5000): Promise<Store> {
  const request = factory.open('slotwise:' + appKey, DB_VERSION);
  request.onupgradeneeded = (e) => upgrade(wrap(request.result) as DB, e.oldVersion);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const opened = wrap(request) as Promise<DB>;
  const db = await Promise.race([
    opened,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // a late success must not leave a connection open that blocks future upgrades
        opened.then((late) => late.close(), () => {});
        reject(new Error('IndexedDB did not open in time'));
      }, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  // a newer release in another tab wants to upgrade: let it, this tab goes on in memory
  db.onversionchange = () => db.close();
  return idbStore(db);
}

function idbStore(db: DB): Store {
  // Requests nobody awaits go through the raw store: an idb promise that rejects unawaited
  // would surface in the host page as an unhandled rejection. Their errors abort the
  // transaction, and `tx.done` reports that.
  const raw = (tx: { objectStore(name: 'events' | 'dead' | 'kv'): unknown }, name: 'events' | 'dead' | 'kv') =>
    unwrap(tx.objectStore(name) as never) as unknown as IDBObjectStore;
  // idb makes a `done` promise for every transaction: one that aborts while nobody awaits
  // `done` would be an unhandled rejection in the host page
  const begin = <N extends 'events' | 'dead' | 'kv'>(names: N | N[]) => {
    const tx = db.transaction(names as N[], 'readwrite');
    tx.done.catch(() => {});
    return tx;
  };

  async function write(rows: Row[], max: number, kv?: Record<string, unknown>): Promise<number> {
    const tx = begin(['events', 'kv']);
    const events = tx.objectStore('events');
    const over = (await events.count()) + rows.length - max;
    const stored = over > 0 ? await events.getAllKeys(null, over) : [];
    try {
      const store = raw(tx, 'events');
      if (stored.length) store.delete(IDBKeyRange.upperBound(stored[stored.length - 1]!));
      for (const row of over > stored.length ? rows.slice(over - stored.length) : rows) store.add(row);
      for (const key in kv) raw(tx, 'kv').put(kv[key], key);
    } catch (e) {
      // all or nothing: a request refused on the spot must not let the others commit
      tx.abort();
      throw e;
    }
    await tx.done;
    return Math.max(0, over);
  }

  return {
    durable: true,
    async append(rows, max, kv) {
      let dropped = 0;
      for (;;) {
        try {
          return dropped + (await write(rows, max, kv));
        } catch (e) {
          if (!isQuota(e) || !rows.length) throw e;
          // the device is full: make room the way the cap does, oldest first (at least a tenth,
          // so a full disk costs one failed write now and then, not one per task)
          const n = Math.max(rows.length, Math.ceil((await db.count('events')) / 10));
          const keys = await db.getAllKeys('events', null, n);
          if (keys.length) {
            await db.delete('events', IDBKeyRange.upperBound(keys[keys.length - 1]!));
            dropped += keys.length;
          } else {
            // nothing older left to drop: give up the oldest half of the new ones
            const n = Math.ceil(rows.length / 2);
            rows = rows.slice(n);
            dropped += n;
            if (!rows.length) return dropped;
          }
        }
      }
    },
    head: (limit) => db.getAll('events', null, limit),
    count: () => db.count('events'),
    async ack(rows) {
      if (rows.length) await db.delete('events', IDBKeyRange.bound(rows[0]!.k!, rows[rows.length - 1]!.k!));
    },
    async bury(rows, at) {
      const tx = begin(['events', 'dead']);
      const [events, dead] = [raw(tx, 'events'), raw(tx, 'dead')];
      for (const { row: { k, ...row }, reason } of rows) {
        if (k != null) events.delete(k);
        dead.add({ ...row, reason, at });
      }
      const over = (await tx.objectStore('dead').count()) - DEAD_MAX;
      if (over > 0) dead.delete(IDBKeyRange.upperBound((await tx.objectStore('dead').getAllKeys(null, over))[over - 1]!));
      await tx.done;
    },
    dead: () => db.getAll('dead'),
    async clear() {
      const tx = begin(['events', 'dead', 'kv']);
      for (const name of ['events', 'dead', 'kv'] as const) raw(tx, name).clear();
      await tx.done;
    },
    get: (key) => db.get('kv', key) as Promise<never>,
    set: async (key, value) => void (await db.put('kv', value, key)),
    del: (key) => db.delete('kv', key),
    keys: async (prefix) =>
      (await db.getAllKeys('kv', IDBKeyRange.bound(prefix, prefix + '\uffff'))) as string[],
    async lease(name, owner, until, now) {
      const tx = begin('kv');
      const cur = (await tx.objectStore('kv').get(name)) as Lease | undefined;
      if (cur && cur.owner !== owner && cur.until > now) return false;
      raw(tx, 'kv').put({ owner, until } satisfies Lease, name);
      await tx.done;
      return true;
    },
    close: () => db.close(),
  };
}

/** The fallback: same contract, lives as long as the page. */
export function memoryStore(): Store {
  let events: Row[] = [];
  let dead: (Row & { reason: DeadReason; at: number })[] = [];
  const kv = new Map<string, unknown>();
  let next = 1;
  const remove = (keys: number[]) => {
    const gone = new Set(keys);
    events = events.filter((r) => !gone.has(r.k!));
  };
  return {
    durable: false,
    async append(rows, max, kvs) {
      for (const row of rows) events.push({ ...row, k: next++ });
      const over = events.length - max;
      if (over > 0) events = events.slice(over);
      for (const key in kvs) kv.set(key, kvs[key]);
      return Math.max(0, over);
    },
    head: async (limit) => events.slice(0, limit),
    count: async () => events.length,
    ack: async (rows) => remove(rows.map((r) => r.k!)),
    async bury(rows, at) {
      remove(rows.map((r) => r.row.k!));
      dead = [...dead, ...rows.map(({ row: { k, ...row }, reason }) => ({ ...row, reason, at }))].slice(-DEAD_MAX);
    },
    dead: async () => dead,
    async clear() {
      events = [];
      dead = [];
      kv.clear();
    },
    get: async (key) => kv.get(key) as never,
    set: async (key, value) => void kv.set(key, value),
    del: async (key) => void kv.delete(key),
    keys: async (prefix) => [...kv.keys()].filter((k) => k.startsWith(prefix)),
    async lease(name, owner, until, now) {
      const cur = kv.get(name) as Lease | undefined;
      if (cur && cur.owner !== owner && cur.until > now) return false;
      kv.set(name, { owner, until });
      return true;
    },
    close() {},
  };
}

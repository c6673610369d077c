/**
 * Storage: one IndexedDB database per app key (through idb), or memory where IndexedDB is
 * missing or broken. Both implement `Store`, so the queue and transport never branch on it.
 *
 * Stores: `events` (the send queue: one record per chunk of a write, keys ascending in insertion
 * order), `dead` (events the server refused, with its reason), `kv` (identity, retry state, tab
 * lease, queue size, the slots' caches).
 *
 * Why chunks: in Chromium every IndexedDB request costs a main-thread task for its result; a
 * burst of 1 000 events written as 1 000 records spent ~150 ms there, as 2 chunks almost nothing.
 */
import { unwrap, wrap, type DBSchema, type IDBPDatabase } from 'idb';
import { LIMITS } from './contract';

/** A queued event: its id and its JSON, serialised once when it is persisted. */
export interface Row {
  /** key of the `events` record holding it (records ascend in insertion order); set by `head()` */
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
  /** deletes acknowledged rows (as `head()` returned them) */
  ack(rows: Row[]): Promise<void>;
  /**
   * Moves rows to the dead letters, in one transaction; the oldest dead letters go past
   * `DEAD_MAX`. The SDK never reads them back: they are kept for inspection (devtools, support)
   * where they outlive the page, in IndexedDB; the memory store just lets them go.
   */
  bury(dead: { row: Row; reason: DeadReason }[], at: number): Promise<void>;
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
/** `kv` key of the number of queued events (the cap needs it; counting chunk by chunk is slow) */
const COUNT = 'queue.count';
/** IndexedDB schema version. Bump it and add a step to `upgrade` for every change. */
export const DB_VERSION = 1;

/** One record of `events`: the rows of one write (at most one request's worth), oldest first. */
interface Chunk {
  k?: number;
  rows: Row[];
}

interface Schema extends DBSchema {
  events: { key: number; value: Chunk };
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
  const raw = <T>(x: T) => unwrap(x as never) as unknown as IDBObjectStore & IDBCursor;
  // idb makes a `done` promise for every transaction: one that aborts while nobody awaits
  // `done` would be an unhandled rejection in the host page
  const begin = <N extends 'events' | 'dead' | 'kv'>(names: N[]) => {
    const tx = db.transaction(names, 'readwrite');
    tx.done.catch(() => {});
    return tx;
  };
  type Tx = ReturnType<typeof begin<'events' | 'kv'>>;

  /** queued events, kept in `kv` by every transaction that changes `events` */
  async function size(tx: Tx): Promise<number> {
    const n = (await tx.objectStore('kv').get(COUNT)) as number | undefined;
    if (n != null) return n;
    // first use (or erased): count once
    let total = 0;
    for (let c = await tx.objectStore('events').openCursor(); c; c = await c.continue()) total += c.value.rows.length;
    return total;
  }

  /** drops the `n` oldest events; resolves with how many went */
  async function dropOldest(tx: Tx, n: number): Promise<number> {
    let left = n;
    for (let c = await tx.objectStore('events').openCursor(); c && left > 0; c = await c.continue()) {
      const rows = c.value.rows;
      if (rows.length <= left) raw(c).delete();
      else raw(c).update({ ...c.value, rows: rows.slice(left) });
      left -= Math.min(left, rows.length);
    }
    return n - left;
  }

  /** removes `rows` (by id) from the chunks that hold them; resolves with how many went */
  async function take(tx: Tx, rows: Row[]): Promise<number> {
    const byChunk = new Map<number, Set<string>>();
    for (const r of rows) byChunk.set(r.k!, (byChunk.get(r.k!) ?? new Set()).add(r.id));
    let gone = 0;
    for (const [k, ids] of byChunk) {
      const chunk = await tx.objectStore('events').get(k);
      if (!chunk) continue;
      const keep = chunk.rows.filter((r) => !ids.has(r.id));
      gone += chunk.rows.length - keep.length;
      if (keep.length) raw(tx.objectStore('events')).put({ ...chunk, rows: keep });
      else raw(tx.objectStore('events')).delete(k);
    }
    return gone;
  }

  async function write(rows: Row[], max: number, kv?: Record<string, unknown>): Promise<number> {
    const tx = begin(['events', 'kv']);
    let queued = await size(tx);
    const over = queued + rows.length - max;
    if (over > 0) queued -= await dropOldest(tx, over);
    if (rows.length > max) rows = rows.slice(-max);
    try {
      for (const chunk of chunks(rows)) raw(tx.objectStore('events')).add({ rows: chunk });
      raw(tx.objectStore('kv')).put(queued + rows.length, COUNT);
      for (const key in kv) raw(tx.objectStore('kv')).put(kv[key], key);
      // commit now, not when this task ends: a page unloading in the meantime aborts the write
      unwrap(tx).commit?.();
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
          const tx = begin(['events', 'kv']);
          const queued = await size(tx);
          const gone = await dropOldest(tx, Math.max(rows.length, Math.ceil(queued / 10)));
          raw(tx.objectStore('kv')).put(queued - gone, COUNT);
          await tx.done;
          dropped += gone;
          if (!gone) {
            // nothing older left to drop: give up the oldest half of the new ones
            const n = Math.ceil(rows.length / 2);
            rows = rows.slice(n);
            dropped += n;
            if (!rows.length) return dropped;
          }
        }
      }
    },
    async head(limit) {
      const out: Row[] = [];
      const tx = db.transaction('events');
      for (let c = await tx.store.openCursor(); c && out.length < limit; c = await c.continue()) {
        for (const row of c.value.rows) out.push({ ...row, k: c.key });
      }
      return out.slice(0, limit);
    },
    async count() {
      return size(db.transaction(['events', 'kv']) as unknown as Tx);
    },
    async ack(rows) {
      const tx = begin(['events', 'kv']);
      const queued = await size(tx);
      raw(tx.objectStore('kv')).put(queued - (await take(tx, rows)), COUNT);
      await tx.done;
    },
    async bury(rows, at) {
      const tx = begin(['events', 'dead', 'kv']);
      const queued = await size(tx as unknown as Tx);
      const gone = await take(tx as unknown as Tx, rows.map((r) => r.row).filter((r) => r.k != null));
      raw(tx.objectStore('kv')).put(queued - gone, COUNT);
      const dead = tx.objectStore('dead');
      for (const { row: { k, ...row }, reason } of rows) raw(dead).add({ ...row, reason, at });
      const over = (await dead.count()) - DEAD_MAX;
      if (over > 0) raw(dead).delete(IDBKeyRange.upperBound((await dead.getAllKeys(null, over))[over - 1]!));
      await tx.done;
    },
    async clear() {
      const tx = begin(['events', 'dead', 'kv']);
      for (const name of ['events', 'dead', 'kv'] as const) raw(tx.objectStore(name)).clear();
      await tx.done;
    },
    get: (key) => db.get('kv', key) as Promise<never>,
    set: async (key, value) => void (await db.put('kv', value, key)),
    del: (key) => db.delete('kv', key),
    keys: async (prefix) =>
      ((await db.getAllKeys('kv', IDBKeyRange.bound(prefix, prefix + '\uffff'))) as string[]).filter((k) => k != COUNT),
    async lease(name, owner, until, now) {
      const tx = begin(['kv']);
      const cur = (await tx.objectStore('kv').get(name)) as Lease | undefined;
      if (cur && cur.owner !== owner && cur.until > now) return false;
      raw(tx.objectStore('kv')).put({ owner, until } satisfies Lease, name);
      await tx.done;
      return true;
    },
    close: () => db.close(),
  };
}

/** Rows of one write, cut so that a chunk fits one request: one IndexedDB record per chunk. */
function chunks(rows: Row[]): Row[][] {
  const out: Row[][] = [];
  let cur: Row[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (cur.length && (cur.length == LIMITS.batchEvents || bytes + row.size > LIMITS.batchBytes)) out.push(cur), (cur = []), (bytes = 0);
    cur.push(row);
    bytes += row.size;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** The fallback: same contract, lives as long as the page. */
export function memoryStore(): Store {
  let events: Row[] = [];
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
    bury: async (rows) => remove(rows.map((r) => r.row.k!)),
    async clear() {
      events = [];
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

/**
 * Storage: one IndexedDB database per app key (the raw API, a few promise helpers), or memory where IndexedDB is
 * missing or broken. Both implement `Store`, so the queue and transport never branch on it.
 *
 * Stores: `events` (the send queue: one record per chunk of a write, keys ascending in insertion
 * order), `dead` (events the server refused, with its reason), `kv` (identity, retry state, tab
 * lease, queue size, the slots' caches).
 *
 * Why chunks: in Chromium every IndexedDB request costs a main-thread task for its result; a
 * burst of 1 000 events written as 1 000 records spent ~150 ms there, as 2 chunks almost nothing.
 */
import { LIMITS } from './contract';
import { MAX_CHARS, type Journal, type Row } from './journal';

export type { Row };

/** Why the server (or the SDK) refused an event, kept next to it in `dead`. */
export interface DeadReason {
  status: number;
  code: string;
  message: string;
  path?: string;
}

/** A dead letter as stored: the event's row, why it was refused, and when (epoch ms). */
export interface DeadRow extends Row {
  reason: DeadReason;
  at: number;
}

export interface Store {
  readonly durable: boolean;
  /**
   * Appends `rows` and writes `kv` in one transaction. Past `max` queued events, and when the
   * device is out of quota, the oldest are dropped first — but not the `skip` oldest, a batch in
   * flight that the server may store (so the count of drops is exact). Resolves with how many
   * were dropped.
   */
  append(rows: Row[], max: number, kv?: Record<string, unknown>, skip?: number): Promise<number>;
  /** the oldest `limit` rows */
  head(limit: number): Promise<Row[]>;
  count(): Promise<number>;
  /** deletes acknowledged rows (as `head()` returned them) */
  ack(rows: Row[]): Promise<void>;
  /**
   * Moves rows to the dead letters, in one transaction; the oldest dead letters go past
   * `DEAD_MAX`. Read back only by the host (`deadLetters()`); the memory store keeps them as long
   * as the page lives.
   */
  bury(dead: { row: Row; reason: DeadReason }[], at: number): Promise<void>;
  /** the dead letters, oldest first */
  dead(): Promise<DeadRow[]>;
  /**
   * Removes the dead letters with these ids (every one when `ids` is undefined) and, with
   * `requeue`, appends their rows to the queue, in one transaction. Resolves with how many.
   */
  unbury(ids: string[] | undefined, requeue: boolean, max: number): Promise<number>;
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
type Lease = { owner: string; until: number };
type Name = 'events' | 'dead' | 'kv';
const ALL: Name[] = ['events', 'dead', 'kv'];

/**
 * Brings a database of any older version to `DB_VERSION`, one step per version, so a new
 * release reads the queue an old release left behind. Runs inside the versionchange transaction.
 */
export function upgrade(db: IDBDatabase, from: number): void {
  if (from < 1) {
    db.createObjectStore('events', { keyPath: 'k', autoIncrement: true });
    db.createObjectStore('dead', { keyPath: 'k', autoIncrement: true });
    db.createObjectStore('kv');
  }
  // if (from < 2) { … the next version's step … }
}

/** its legacy `code` 22 comes with this name in every browser */
export const isQuota = (e: unknown) => (e as DOMException)?.name == 'QuotaExceededError';

/**
 * A request's result. Only for requests someone awaits: one that fails while nobody awaits its
 * promise would be an unhandled rejection in the host page. Requests nobody awaits are made
 * bare: their errors abort the transaction, and `done` reports that.
 */
const req = <T>(r: IDBRequest<T>) => new Promise<T>((ok, ko) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => ko(r.error))));

/** settles with the transaction: resolves when it committed, rejects when it aborted */
const done = (tx: IDBTransaction) =>
  new Promise<void>((ok, ko) => ((tx.oncomplete = () => ok()), (tx.onabort = tx.onerror = () => ko(tx.error || Error('aborted')))));

/**
 * Walks a cursor, calling `fn` on each record until it returns false or the records end. One
 * callback per step, no promise per step: a cursor over a few chunks costs a few main-thread tasks.
 */
const walk = (r: IDBRequest<IDBCursorWithValue | null>, fn: (c: IDBCursorWithValue) => unknown) =>
  new Promise<void>((ok, ko) => {
    r.onsuccess = () => {
      const c = r.result;
      if (c && fn(c) !== false) c.continue();
      else ok();
    };
    r.onerror = () => ko(r.error);
  });

/**
 * Opens the app's database. Rejects when IndexedDB is missing, refuses (private mode), or does
 * not answer within `timeoutMs` (some WebViews never settle the open request).
 */
export async function openStore(factory: IDBFactory, appKey: string, timeoutMs = 5000): Promise<Store> {
  const request = factory.open('slotwise:' + appKey, DB_VERSION);
  request.onupgradeneeded = (e) => upgrade(request.result, e.oldVersion);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const opened = req(request);
  const db = await Promise.race([
    opened,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // a late success must not leave a connection open that blocks future upgrades
        opened.then((late) => late.close(), () => {});
        reject(new Error('IndexedDB: no answer'));
      }, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  // a newer release in another tab wants to upgrade: let it, this tab goes on in memory
  db.onversionchange = () => db.close();
  return idbStore(db);
}

function idbStore(db: IDBDatabase): Store {
  /** a transaction and its outcome; `done` is observed at once, so an abort nobody awaits stays quiet */
  const begin = (names: Name[], mode: IDBTransactionMode = 'readwrite') => {
    const tx = db.transaction(names, mode);
    const end = done(tx);
    end.catch(() => {});
    return { tx, end, os: (name: Name) => tx.objectStore(name) };
  };
  type Tx = ReturnType<typeof begin>;

  /**
   * Queued events, kept in `kv` by every transaction that changes `events` (atomically, since the
   * first release of the chunked format): none kept means none queued (a fresh or erased database).
   */
  const size = async (t: Tx): Promise<number> => ((await req(t.os('kv').get(COUNT))) as number | undefined) ?? 0;

  /** drops the `n` oldest events after the `skip` oldest; resolves with how many went */
  async function dropOldest(t: Tx, n: number, skip = 0): Promise<number> {
    let left = n;
    await walk(t.os('events').openCursor(), (c) => {
      if (left <= 0) return false;
      const rows = (c.value as Chunk).rows;
      const keep = Math.min(skip, rows.length);
      const gone = Math.min(left, rows.length - keep);
      skip -= keep;
      left -= gone;
      if (gone == rows.length) c.delete();
      else if (gone) c.update({ ...c.value, rows: rows.slice(0, keep).concat(rows.slice(keep + gone)) });
    });
    return n - left;
  }

  /** removes `rows` (by id) from the chunks that hold them; resolves with how many went */
  async function take(t: Tx, rows: Row[]): Promise<number> {
    const byChunk = new Map<number, Set<string>>();
    for (const r of rows) byChunk.set(r.k!, (byChunk.get(r.k!) ?? new Set()).add(r.id));
    let gone = 0;
    for (const [k, ids] of byChunk) {
      const chunk = (await req(t.os('events').get(k))) as Chunk | undefined;
      if (!chunk) continue;
      const keep = chunk.rows.filter((r) => !ids.has(r.id));
      gone += chunk.rows.length - keep.length;
      if (keep.length) t.os('events').put({ ...chunk, rows: keep });
      else t.os('events').delete(k);
    }
    return gone;
  }

  /** appends `rows` within `t`, the oldest but the `skip` oldest going past `max`; resolves with how many went */
  async function add(t: Tx, rows: Row[], max: number, skip?: number): Promise<number> {
    const over = Math.max(0, rows.length - max);
    rows = rows.slice(over);
    const queued = await size(t);
    const gone = queued + rows.length > max ? await dropOldest(t, queued + rows.length - max, skip) : 0;
    for (const chunk of chunks(rows)) t.os('events').add({ rows: chunk });
    t.os('kv').put(queued - gone + rows.length, COUNT);
    return over + gone;
  }

  async function write(rows: Row[], max: number, kv?: Record<string, unknown>, skip?: number): Promise<number> {
    const t = begin(['events', 'kv']);
    let over: number;
    try {
      over = await add(t, rows, max, skip);
      for (const key in kv) t.os('kv').put(kv[key], key);
      // commit now, not when this task ends: a page unloading in the meantime aborts the write
      t.tx.commit?.();
    } catch (e) {
      // all or nothing: a request refused on the spot must not let the others commit
      try {
        t.tx.abort();
      } catch {}
      throw e;
    }
    await t.end;
    return over;
  }

  /** one request in a transaction of its own: a read resolves with its result, a write once committed */
  const read = <T>(name: Name, fn: (os: IDBObjectStore) => IDBRequest): Promise<T> => req(fn(begin([name], 'readonly').os(name)));
  const put = (fn: (os: IDBObjectStore) => IDBRequest) => {
    const t = begin(['kv']);
    fn(t.os('kv'));
    return t.end;
  };

  return {
    durable: true,
    async append(rows, max, kv, skip) {
      try {
        return await write(rows, max, kv, skip);
      } catch (e) {
        if (!isQuota(e)) throw e;
        // the device is full: make room the way the cap does, oldest first (at least a tenth, so
        // a full disk costs one failed write now and then, not one per task); when even that is
        // not room enough, the new rows are given up (counted, like every drop)
        const t = begin(['events', 'kv']);
        const queued = await size(t);
        const gone = await dropOldest(t, Math.max(rows.length, Math.ceil(queued / 10)));
        t.os('kv').put(queued - gone, COUNT);
        await t.end;
        return gone + (await write(rows, max, kv).catch((e) => (isQuota(e) ? rows.length : Promise.reject(e))));
      }
    },
    async head(limit) {
      const out: Row[] = [];
      await walk(begin(['events'], 'readonly').os('events').openCursor(), (c) => {
        for (const row of (c.value as Chunk).rows) out.push({ ...row, k: c.key as number });
        return out.length < limit;
      });
      return out.slice(0, limit);
    },
    count: () => size(begin(['events', 'kv'], 'readonly')),
    async ack(rows) {
      const t = begin(['events', 'kv']);
      const queued = await size(t);
      t.os('kv').put(queued - (await take(t, rows)), COUNT);
      await t.end;
    },
    async bury(rows, at) {
      const t = begin(ALL);
      const queued = await size(t);
      const gone = await take(t, rows.map((r) => r.row).filter((r) => r.k != null));
      t.os('kv').put(queued - gone, COUNT);
      const dead = t.os('dead');
      for (const { row: { k, ...row }, reason } of rows) dead.add({ ...row, reason, at });
      const over = (await req(dead.count())) - DEAD_MAX;
      if (over > 0) dead.delete(IDBKeyRange.upperBound((await req(dead.getAllKeys(null, over)))[over - 1]!));
      await t.end;
    },
    dead: () => read('dead', (os) => os.getAll()),
    async unbury(ids, requeue, max) {
      const t = begin(ALL);
      const wanted = ids && new Set(ids);
      const rows: Row[] = [];
      await walk(t.os('dead').openCursor(), (c) => {
        const { k, reason, at, ...row } = c.value as DeadRow & { k: number };
        if (wanted && !wanted.has(row.id)) return;
        rows.push(row);
        c.delete();
      });
      if (requeue && rows.length) await add(t, rows, max);
      await t.end;
      return rows.length;
    },
    async clear() {
      const t = begin(ALL);
      for (const name of ALL) t.os(name).clear();
      await t.end;
    },
    get: (key) => read('kv', (os) => os.get(key)),
    set: (key, value) => put((os) => os.put(value, key)),
    del: (key) => put((os) => os.delete(key)),
    keys: async (prefix) =>
      ((await read('kv', (os) => os.getAllKeys(IDBKeyRange.bound(prefix, prefix + '\uffff')))) as string[]).filter((k) => k != COUNT),
    async lease(name, owner, until, now) {
      const t = begin(['kv']);
      const cur = (await req(t.os('kv').get(name))) as Lease | undefined;
      if (cur && cur.owner !== owner && cur.until > now) return false;
      t.os('kv').put({ owner, until } satisfies Lease, name);
      await t.end;
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

/**
 * The fallback: same contract, lives as long as the page. With a `journal`, what it holds is
 * mirrored in localStorage (one record per chunk appended, rewritten as its rows leave, all within
 * `MAX_CHARS`, the oldest first), so a page that closes leaves its waiting events to the next one.
 */
export function memoryStore(journal?: Journal): Store {
  let events: Row[] = [];
  let dead: DeadRow[] = [];
  const kv = new Map<string, unknown>();
  let next = 1;
  /** the journal's records of `events`: the rows each holds, whether a copy is stored, and whether it is stale */
  let records: { key: string; rows: Row[]; stored?: boolean; stale?: boolean }[] = [];
  /** brings the journal in line with `records` after a change: O(rows), a few µs per thousand */
  const mirror = () => {
    if (!journal) return;
    let chars = 0;
    records = records.filter((r) => r.rows.length || (journal.keep(r.key, []), false));
    for (const r of records) {
      const size = r.rows.reduce((n, row) => n + row.body.length + 1, 0);
      // past the bound the newest go unjournaled (the oldest are sent first): from the first record
      // that does not fit on, so what is journaled is always the oldest; a stale copy never stays
      if (chars + size > MAX_CHARS) (r.stored &&= (journal.keep(r.key, []), false)), (chars = Infinity);
      else if (!r.stored || r.stale) (r.stored = journal.keep(r.key, r.rows)), (r.stale = false);
      if (r.stored) chars += size;
    }
  };
  const remove = (keys: (number | undefined)[]) => {
    const gone = new Set(keys);
    const keep = (rows: Row[]) => rows.filter((r) => !gone.has(r.k));
    events = keep(events);
    for (const r of records) r.stale ||= r.rows.length != (r.rows = keep(r.rows)).length;
    mirror();
  };
  const append = (rows: Row[], max: number, skip = 0) => {
    for (const chunk of chunks(rows)) {
      const r = { key: journal?.key()!, rows: chunk.map((row) => ({ ...row, k: next++ })) };
      events.push(...r.rows);
      records.push(r);
    }
    const gone = events.slice(skip, skip + Math.max(0, events.length - max));
    if (gone.length) remove(gone.map((r) => r.k));
    else mirror();
    return gone.length;
  };
  return {
    durable: false,
    async append(rows, max, kvs, skip) {
      for (const key in kvs) kv.set(key, kvs[key]);
      return append(rows, max, skip);
    },
    head: async (limit) => events.slice(0, limit),
    count: async () => events.length,
    ack: async (rows) => remove(rows.map((r) => r.k)),
    async bury(rows, at) {
      for (const { row: { k, ...row }, reason } of rows) dead.push({ ...row, reason, at });
      dead = dead.slice(-DEAD_MAX);
      remove(rows.map((r) => r.row.k));
    },
    dead: async () => dead.slice(),
    async unbury(ids, requeue, max) {
      const wanted = ids && new Set(ids);
      const rows = dead.filter((d) => !wanted || wanted.has(d.id));
      dead = dead.filter((d) => !rows.includes(d));
      if (requeue && rows.length) append(rows.map(({ reason, at, ...row }) => row), max);
      return rows.length;
    },
    async clear() {
      events = [];
      dead = [];
      kv.clear();
      for (const r of records) r.rows = [];
      mirror();
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

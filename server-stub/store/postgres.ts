/**
 * The PostgreSQL store: one events log shared by any number of instances (`--store postgres://…`).
 *
 * Log order without the sequence gap: `seq` comes from an identity column, and sequence values are
 * handed out before commit, so two writers could commit seq 11 before seq 10, and a follower that
 * read `seq > 9` in between would move its cursor to 11 and never see 10. So every append takes
 * one transaction-level advisory lock (`pg_advisory_xact_lock(APPEND_LOCK)`) before it inserts: the
 * next writer draws its values only after the previous one committed (PostgreSQL makes a commit
 * visible before it releases the transaction's locks). Seq order is commit order, and a reader
 * that sees seq n sees every seq below it that will ever exist. The lock serialises appends of
 * all instances; each instance groups its concurrent batches into one transaction (below), so it
 * is taken once per group, not per request. Values drawn by a conflicting (duplicate) row are
 * simply gaps.
 *
 * Text: PostgreSQL's text cannot hold U+0000, which the contract allows (and SQLite stores). The
 * string columns are stored escaped where needed — U+0000 as U+FFFF '0', U+FFFF as U+FFFF U+FFFF —
 * so every string round-trips exactly and distinct ids stay distinct; a string with neither
 * character (all but adversarial input) is stored as it is. JSON columns need nothing: JSON text
 * writes U+0000 as an escape.
 *
 * Idempotency: `id` is the primary key; `INSERT … ON CONFLICT DO NOTHING RETURNING id, seq`
 * returns exactly the rows that were new, which is what is counted as accepted.
 *
 * Wake-ups: the appending transaction sends `NOTIFY slotwise_events` (delivered at commit), and
 * `listen` keeps one connection LISTENing. While that connection is down (PostgreSQL restarted,
 * network cut) it polls every `pollMs` instead, and wakes once more when it is back.
 *
 * Faults: every pool connection has a connect timeout, a statement timeout and a client-side query
 * timeout, and the pool has a size; whatever fails — refused, reset, timed out, pool exhausted —
 * rejects with `StoreUnavailableError` (HTTP 503 + Retry-After), never hangs. A group whose COMMIT
 * was cut may have been stored: the client's retry then counts its events as duplicates.
 */
import { createHash } from 'node:crypto';
import pg, { type Client, type Pool, type PoolClient } from 'pg';
import type { SlotwiseEvent } from '../../sdk/contract';
import { migratePostgres, type PgMigration } from './pg-migrate';
import { logRowOf, type EventRow } from './sqlite';
import { StoreUnavailableError, type Appended, type Store, type Valid } from './store';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** connections in this instance's pool. @default 10 @example { poolSize: 20 } */
  poolSize?: number;
  /** how long a query (or waiting for a pooled connection) may take, ms. @default 10000 @example { timeoutMs: 3000 } */
  timeoutMs?: number;
  /** events per append transaction at most (more waits for the next). @default 5000 @example { maxWeight: 2000 } */
  maxWeight?: number;
  /** polling period while the LISTEN connection is down, ms. @default 100 @example { pollMs: 50 } */
  pollMs?: number;
  log?: (message: string) => void;
}

export interface PostgresStore extends Store {
  readonly kind: 'postgres';
  readonly pool: Pool;
  /**
   * `fn(payload)` on every notification of `channel` (from any instance, this one included), on
   * the store's one LISTEN connection. While that connection is down `fn()` (no payload: "anything
   * may have changed") runs every second, and once more when it is back. Returns the unsubscribe.
   * @example store.subscribe('slotwise_releases', (app) => registry.refresh(app))
   */
  subscribe(channel: string, fn: (payload?: string) => void): () => void;
  /** `NOTIFY channel, payload` (outside any transaction); a failure is logged, not thrown */
  notify(channel: string, payload: string): void;
  /**
   * Names this database — server, name and the database's oid, so a database dropped and created
   * again under the same name is another one: a file derived from the log (an engine's projection
   * and its cursor) is kept per identity, never applied to a log it was not made from.
   */
  readonly identity: string;
}

/** The transaction-level advisory lock every append takes (see the top of this file). */
export const APPEND_LOCK = 0x736c6f7401;
export const CHANNEL = 'slotwise_events';
/** Admin changes other instances re-read (`keys`, `releases`: admin/index.ts `changed`). */
export const ADMIN_CHANNEL = 'slotwise_admin';

/** The store's own tables; same columns as SQLite's (db.ts), plus the log position `seq`. */
const STORE: PgMigration[] = [
  `CREATE TABLE events (
     id           TEXT PRIMARY KEY,
     seq          BIGINT GENERATED ALWAYS AS IDENTITY,
     app_key      TEXT NOT NULL,
     type         TEXT NOT NULL,
     name         TEXT NOT NULL,
     ts           BIGINT NOT NULL,
     received_at  BIGINT NOT NULL,
     anonymous_id TEXT NOT NULL,
     user_id      TEXT,
     session_id   TEXT NOT NULL,
     decision_id  TEXT,
     slot_id      TEXT,
     item_id      TEXT,
     position     INTEGER,
     properties   TEXT NOT NULL,
     context      TEXT NOT NULL
   );
   CREATE UNIQUE INDEX events_seq ON events (seq);
   CREATE INDEX events_decision ON events (decision_id) WHERE decision_id IS NOT NULL;`,
];

const COLUMNS = 'id, app_key, type, name, ts, received_at, anonymous_id, user_id, session_id, decision_id, slot_id, item_id, position, properties, context';
const INSERT = `INSERT INTO events (${COLUMNS})
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::text[], $15::text[])
  ON CONFLICT (id) DO NOTHING RETURNING id, seq`;

interface Job {
  app: string;
  events: Valid[];
  receivedAt: number;
  resolve: (a: Appended) => void;
  reject: (e: unknown) => void;
}

/** Connects, migrates (under the migration lock) and returns the store. */
export async function openPostgresStore(o: PostgresStoreOptions): Promise<PostgresStore> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const log = o.log ?? (() => {});
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.poolSize ?? 10,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1000,
    idle_in_transaction_session_timeout: timeoutMs * 2,
    application_name: 'slotwise',
    keepAlive: true,
  });
  // an idle connection cut by a restart of PostgreSQL: the pool drops it; the next query reconnects
  pool.on('error', (error: Error) => log(`postgres: idle connection lost: ${error.message}`));
  const unavailable = (error: unknown) =>
    error instanceof StoreUnavailableError
      ? error
      : new StoreUnavailableError(`the event store (PostgreSQL) did not answer: ${(error as Error).message}`);
  const query = async <R>(text: string, values?: unknown[]) => {
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (error) {
      throw unavailable(error);
    }
  };

  try {
    await migratePostgres(pool, 'store', STORE);
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(`postgres: ${redact(o.url)}: ${(error as Error).message}`);
  }

  let identity: string;
  try {
    const [row] = await query<{ oid: string }>('SELECT oid::text AS oid FROM pg_database WHERE datname = current_database()');
    identity = storeId(`${o.url}#${row!.oid}`);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }

  let queue: Job[] = [];
  let running: Promise<void> | undefined;
  const maxWeight = o.maxWeight ?? 5000;

  const commit = async (jobs: Job[]) => {
    const cols: unknown[][] = Array.from({ length: 15 }, () => []);
    for (const j of jobs)
      for (const { event: e, properties, context } of j.events) {
        const row = [enc(e.id), enc(j.app), enc(e.type), enc(e.name), e.ts, j.receivedAt, enc(e.anonymousId), encOrNull(e.userId), enc(e.sessionId),
          encOrNull(e.decisionId), encOrNull(e.slotId), encOrNull(e.itemId), e.position ?? null, properties, context];
        for (let c = 0; c < 15; c++) cols[c]!.push(row[c]);
      }
    let client: PoolClient | undefined;
    let inserted: { id: string; seq: string }[];
    let before = 0;
    try {
      client = await pool.connect();
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      // under the lock, the last row of the log stays the last until this group's rows
      before = Number((await client.query<{ seq: string }>('SELECT coalesce(max(seq), 0) AS seq FROM events')).rows[0]!.seq);
      inserted = (await client.query<{ id: string; seq: string }>(INSERT, cols)).rows;
      if (inserted.length) await client.query(`NOTIFY ${CHANNEL}`);
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      // a connection in an unknown state is closed, not reused
      client?.release(true);
      throw unavailable(error);
    }
    const seqOf = new Map<string, number>();
    for (const r of inserted) seqOf.set(dec(r.id), Number(r.seq));
    // an id new to the log is credited to the first batch of the group that holds it
    // Rows are numbered in the order they were inserted, batch after batch: each batch then spans
    // its own rows right after the previous one's (gaps are values drawn by duplicates) and can be
    // handed over without a read back. Should the numbering ever say otherwise, no batch is given
    // `after` and followers read the rows back.
    let prev = before;
    let ordered = true;
    const appended = jobs.map((j): Appended => {
      const fresh: SlotwiseEvent[] = [];
      let firstRow = 0;
      let lastRow = 0;
      for (const { event } of j.events) {
        const seq = seqOf.get(event.id);
        if (seq === undefined) continue;
        seqOf.delete(event.id);
        fresh.push(event);
        if (seq <= prev) ordered = false;
        prev = seq;
        firstRow = firstRow ? Math.min(firstRow, seq) : seq;
        lastRow = Math.max(lastRow, seq);
      }
      return { app: j.app, events: fresh, receivedAt: j.receivedAt, firstRow, lastRow };
    });
    if (ordered) {
      prev = before;
      for (const a of appended) {
        if (!a.events.length) continue;
        a.after = prev;
        prev = a.lastRow;
      }
    }
    jobs.forEach((j, i) => j.resolve(appended[i]!));
  };

  const flush = () => {
    if (running || !queue.length) return;
    let n = 0;
    let weight = 0;
    while (n < queue.length && (n === 0 || weight + queue[n]!.events.length <= maxWeight)) weight += queue[n++]!.events.length;
    const jobs = queue.slice(0, n);
    queue = queue.slice(n);
    running = commit(jobs)
      .catch((error: unknown) => {
        // the store did not answer: what queued behind this group would wait as long to fail, one
        // group after another, so it fails now too (the clients retry after Retry-After)
        const behind = queue;
        queue = [];
        for (const j of [...jobs, ...behind]) j.reject(error);
      })
      .finally(() => {
        running = undefined;
        flush();
      });
  };

  const listeners = new Set<() => void>();
  const channels = new Map<string, Set<(payload?: string) => void>>();
  const listening = createListener(o, listeners, channels, log);

  return {
    kind: 'postgres',
    pool,
    identity,
    append(app, events, receivedAt) {
      return new Promise<Appended>((resolve, reject) => {
        queue.push({ app, events, receivedAt, resolve, reject });
        // batches that arrive while a group commits wait for it and go together in the next
        flush();
      });
    },
    read: async (after, limit) =>
      (await query<EventRow>(`SELECT seq AS row, ${COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, limit])).map((r) => logRowOf(decodeRow(r))),
    count: async (app) =>
      (app === undefined
        ? (await query<{ n: number }>('SELECT count(*)::int AS n FROM events'))[0]!.n
        : (await query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE app_key = $1', [enc(app)]))[0]!.n),
    ping: async () => void (await query('SELECT 1')),
    listen(wake) {
      listeners.add(wake);
      return () => listeners.delete(wake);
    },
    subscribe(channel, fn) {
      let set = channels.get(channel);
      if (!set) {
        channels.set(channel, (set = new Set()));
        listening.add(channel);
      }
      set.add(fn);
      return () => set.delete(fn);
    },
    notify(channel, payload) {
      pool.query('SELECT pg_notify($1, $2)', [channel, payload]).catch((error: Error) => log(`postgres: NOTIFY ${channel} failed (${error.message}); other instances read it on their next poll`));
    },
    async close() {
      listening.stop();
      while (running) await running;
      await listening.closed();
      await pool.end();
    },
  };
}

/**
 * One connection LISTENing on CHANNEL for the store's listeners; while it is down, a poll every
 * `pollMs` stands in for it, and it reconnects with a backoff up to 1 s.
 */
function createListener(o: PostgresStoreOptions, listeners: Set<() => void>, channels: Map<string, Set<(payload?: string) => void>>, log: (m: string) => void) {
  const pollMs = o.pollMs ?? 100;
  const wakeAll = () => listeners.forEach((wake) => wake());
  const tell = (channel: string, payload?: string) =>
    channels.get(channel)?.forEach((fn) => {
      try {
        fn(payload);
      } catch (error) {
        log(`postgres: a subscriber of ${channel} failed: ${(error as Error).message}`);
      }
    });
  const tellAll = () => [...channels.keys()].forEach((c) => tell(c));
  const onNotification = (n: { channel: string; payload?: string }) => (n.channel === CHANNEL ? wakeAll() : tell(n.channel, n.payload));
  /** the subscribers' slower poll while down: every this many event polls (about a second) */
  const every = Math.max(1, Math.round(1000 / pollMs));
  let ticks = 0;
  let stopped = false;
  let client: Client | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let backoff = 50;
  let done: Promise<void> = Promise.resolve();

  const polling = (on: boolean) => {
    if (on && !poll) {
      poll = setInterval(() => {
        wakeAll();
        if (++ticks % every === 0) tellAll();
      }, pollMs);
      poll.unref();
    } else if (!on && poll) {
      clearInterval(poll);
      poll = undefined;
    }
  };
  const down = (why: string) => {
    if (stopped) return;
    if (client) log(`postgres: LISTEN connection lost (${why}); polling every ${pollMs} ms until it is back`);
    const c = client;
    client = undefined;
    void c?.end().catch(() => {});
    polling(true);
    clearTimeout(retry);
    retry = setTimeout(connect, backoff);
    retry.unref();
    backoff = Math.min(1000, backoff * 2);
  };
  const connect = () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: o.url, connectionTimeoutMillis: o.timeoutMs ?? 10_000, keepAlive: true, application_name: 'slotwise-listen' });
    c.on('notification', onNotification);
    c.on('error', (error: Error) => (client === c ? down(error.message) : undefined));
    c.on('end', () => (client === c ? down('closed') : undefined));
    done = c
      .connect()
      .then(() => c.query([CHANNEL, ...channels.keys()].map((ch) => `LISTEN ${ident(ch)};`).join(' ')))
      .then(
        () => {
          if (stopped) return void c.end().catch(() => {});
          client = c;
          backoff = 50;
          polling(false);
          // whatever was appended or changed while nobody listened
          wakeAll();
          tellAll();
        },
        (error: Error) => {
          void c.end().catch(() => {});
          // down() logs a loss once (client is unset while reconnecting) and schedules the next try
          down(error.message);
        },
      );
  };
  polling(true);
  connect();
  return {
    /** a channel subscribed after the connection is up is LISTENed on it now */
    add(channel: string) {
      client?.query(`LISTEN ${ident(channel)}`).catch((error: Error) => down(error.message));
    },
    stop() {
      stopped = true;
      polling(false);
      clearTimeout(retry);
    },
    async closed() {
      await done.catch(() => {});
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}

/** a channel name as an SQL identifier */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

const ESC = '\uffff';
/** A string as stored in a text column (see the top of this file). */
export function enc(s: string): string {
  return s.includes('\u0000') || s.includes(ESC) ? s.replace(/[\u0000\uffff]/g, (c) => (c === ESC ? ESC + ESC : `${ESC}0`)) : s;
}
const encOrNull = (s: string | undefined) => (s === undefined ? null : enc(s));
/** The string a text column holds. */
export function dec(s: string): string {
  return s.includes(ESC) ? s.replace(/\uffff([\uffff0])/g, (_, c: string) => (c === ESC ? ESC : '\u0000')) : s;
}
const decodeRow = (r: EventRow): EventRow => {
  for (const k of ['id', 'app_key', 'type', 'name', 'anonymous_id', 'user_id', 'session_id', 'decision_id', 'slot_id', 'item_id'] as const) {
    const v = r[k];
    if (typeof v === 'string') (r as unknown as Record<string, string>)[k] = dec(v);
  }
  return r;
};

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** A short stable name for a database URL (`#suffix` kept), its user and password left out. */
export function storeId(url: string): string {
  let key = url;
  try {
    const u = new URL(url);
    key = `${u.hostname}:${u.port || 5432}${u.pathname}${u.hash}`;
  } catch {
    // not a URL: the whole string is the key
  }
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/**
 * `Sql`: one small async executor over either store, for the capabilities whose SQL is the same
 * on both (admin, rules): statements are written once with `?` placeholders and run on SQLite
 * (better-sqlite3, synchronously underneath) or PostgreSQL (`?` → `$n`, BIGINT read as numbers).
 *
 * Transactions: `atomic(fn)` runs `fn` in one transaction, and every call made on the same `Sql`
 * from inside `fn` — however deep in its awaits — belongs to that transaction (AsyncLocalStorage
 * carries it), so call sites read `await store.atomic(async () => { await store.app(id); … })`
 * without threading a handle through.
 * - SQLite: one connection serves the whole thread, so a transaction open across awaits would take
 *   in whatever another request ran meanwhile (and roll it back with its own). So a connection has
 *   one gate (shared by every `Sql` made over it): while a transaction is open, statements from
 *   outside it wait for its end; with none open (the usual case) a statement runs at once.
 *   `BEGIN IMMEDIATE` takes the write lock first, as `db.transaction().immediate()` did.
 * - PostgreSQL: the transaction has its own pooled connection and first takes a transaction-level
 *   advisory lock (`lock`), so the transactions of one capability are serialised across every
 *   instance — what SQLite's single writer gave for free (e.g. two instances never cut the same
 *   release version). Connection failures reject with `StoreUnavailableError` (HTTP 503).
 * Nested `atomic` calls join the outer transaction.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { migrate, type Db, type Migration } from './db';
import { migratePostgres, type PgMigration } from './pg-migrate';
import { StoreUnavailableError } from './store';

export type Row = Record<string, unknown>;

export interface Sql {
  readonly kind: 'sqlite' | 'postgres';
  all<T = Row>(sql: string, ...args: unknown[]): Promise<T[]>;
  one<T = Row>(sql: string, ...args: unknown[]): Promise<T | undefined>;
  /** runs a write; resolves to the rows it changed */
  run(sql: string, ...args: unknown[]): Promise<number>;
  /** runs an INSERT into a table with an integer `id` key; resolves to the new row's id */
  insertId(sql: string, ...args: unknown[]): Promise<number>;
  /** see the top of this file */
  atomic<T>(fn: () => Promise<T>): Promise<T>;
}

interface Gate {
  /** the open transaction's token, if any */
  open: symbol | undefined;
  /** resolves when the open transaction (and those queued before) ended */
  idle: Promise<void>;
  als: AsyncLocalStorage<symbol>;
}
const gates = new WeakMap<Db, Gate>();

/**
 * `Sql` over a better-sqlite3 connection. Every `Sql` of one connection shares its gate.
 * @example const sql = sqliteSql(openDb(dir)); await sql.all('SELECT * FROM admin_apps');
 */
export function sqliteSql(db: Db): Sql {
  let gate = gates.get(db);
  if (!gate) gates.set(db, (gate = { open: undefined, idle: Promise.resolve(), als: new AsyncLocalStorage() }));
  const g = gate;
  const cache = new Map<string, Database.Statement<unknown[]>>();
  const q = (text: string) => {
    let s = cache.get(text);
    if (!s) cache.set(text, (s = db.prepare<unknown[]>(text)));
    return s;
  };
  /** runs `f` now when no transaction is open or we are inside it, else after the transaction */
  const when = async <T>(f: () => T): Promise<T> => {
    while (g.open !== undefined && g.als.getStore() !== g.open) await g.idle;
    return f();
  };
  return {
    kind: 'sqlite',
    all: (text, ...args) => when(() => q(text).all(...args) as never),
    one: (text, ...args) => when(() => q(text).get(...args) as never),
    run: (text, ...args) => when(() => q(text).run(...args).changes),
    insertId: (text, ...args) => when(() => Number(q(text).run(...args).lastInsertRowid)),
    async atomic(fn) {
      if (g.open !== undefined && g.als.getStore() === g.open) return fn();
      while (g.open !== undefined) await g.idle;
      const token = Symbol('tx');
      let end!: () => void;
      g.open = token;
      g.idle = new Promise((resolve) => (end = resolve));
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          const out = await g.als.run(token, fn);
          db.exec('COMMIT');
          return out;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      } finally {
        g.open = undefined;
        end();
      }
    },
  };
}

/**
 * `Sql` over a node-postgres pool; `lock` is the advisory lock its transactions take.
 * @example const sql = postgresSql(pool, 0x736c6f7402);
 */
export function postgresSql(pool: Pool, lock: number): Sql {
  const als = new AsyncLocalStorage<PoolClient>();
  const texts = new Map<string, string>();
  const dollar = (text: string) => {
    let t = texts.get(text);
    if (t === undefined) {
      let n = 0;
      texts.set(text, (t = text.replace(/\?/g, () => `$${++n}`)));
    }
    return t;
  };
  const exec = async (text: string, args: unknown[]): Promise<QueryResult<Row>> => {
    const on = als.getStore() ?? pool;
    try {
      return numbers(await on.query<Row>(dollar(text), args));
    } catch (error) {
      throw unavailable(error);
    }
  };
  return {
    kind: 'postgres',
    all: async (text, ...args) => (await exec(text, args)).rows as never,
    one: async (text, ...args) => (await exec(text, args)).rows[0] as never,
    run: async (text, ...args) => (await exec(text, args)).rowCount ?? 0,
    insertId: async (text, ...args) => Number((await exec(`${text} RETURNING id`, args)).rows[0]!.id),
    async atomic(fn) {
      if (als.getStore()) return fn();
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw unavailable(error);
      }
      let broken = false;
      /** BEGIN, the lock and COMMIT fail only with the connection; `fn`'s own errors pass as they are */
      const own = async (text: string, args?: unknown[]) => {
        try {
          await client.query(text, args);
        } catch (error) {
          throw unavailable(error);
        }
      };
      try {
        await own('BEGIN');
        await own('SELECT pg_advisory_xact_lock($1)', [lock]);
        const out = await als.run(client, fn);
        await own('COMMIT');
        return out;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

/** node-postgres reads BIGINT (int8, counts, epoch ms) as strings; every value here fits a double */
function numbers(r: QueryResult<Row>): QueryResult<Row> {
  const big = (r.fields ?? []).filter((f) => f.dataTypeID === 20).map((f) => f.name);
  if (big.length) for (const row of r.rows) for (const k of big) if (typeof row[k] === 'string') row[k] = Number(row[k]);
  return r;
}

/**
 * A failure of the connection (refused, reset, timed out, pool exhausted, the server shutting
 * down) becomes `StoreUnavailableError`; an error the database answered (a constraint, a raised
 * exception) stays what it is.
 */
function unavailable(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const e = error as { code?: unknown; severity?: unknown; message?: unknown };
  if (typeof e?.severity === 'string' && typeof e.code === 'string' && !/^(08|57P|53)/.test(e.code)) return error;
  return new StoreUnavailableError(`the store (PostgreSQL) did not answer: ${String(e?.message ?? error)}`);
}

/** Where a capability's tables live: the SQLite connection, or the PostgreSQL pool all instances share. */
export type SqlTarget = { kind: 'sqlite'; db: Db } | { kind: 'postgres'; pool: Pool };

/**
 * Migrates `component` on the target (its SQLite or its PostgreSQL steps) and returns its `Sql`.
 * `lock` is the advisory lock of the component's transactions on PostgreSQL.
 * @example const sql = await openSql(target, 'admin', { sqlite: [(db) => db.exec('…')], postgres: ['…'] }, ADMIN_LOCK);
 */
export async function openSql(target: SqlTarget, component: string, steps: { sqlite: Migration[]; postgres: PgMigration[] }, lock: number): Promise<Sql> {
  if (target.kind === 'sqlite') {
    migrate(target.db, component, steps.sqlite);
    return sqliteSql(target.db);
  }
  await migratePostgres(target.pool, component, steps.postgres);
  return postgresSql(target.pool, lock);
}

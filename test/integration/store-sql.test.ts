// `Sql` (server-stub/store/sql.ts), the executor the admin and rules stores run on, against SQLite
// in a temporary directory and a real PostgreSQL 15 (test/helpers/postgres.ts): transactions that
// span awaits keep out every statement not made inside them, all of them roll back together,
// PostgreSQL's transactions of one lock run one at a time across pools (instances), BIGINTs come
// back as numbers, and only a failed connection is a StoreUnavailableError.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg, { type Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDb, type Migration } from '../../server-stub/store/db';
import type { PgMigration } from '../../server-stub/store/pg-migrate';
import { openSql, type Sql } from '../../server-stub/store/sql';
import { StoreUnavailableError } from '../../server-stub/store/store';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

let server: TestPostgres;
const dirs: string[] = [];
const pools: Pool[] = [];
/** a pool as the server makes one: an idle connection cut by a restart is dropped, not thrown */
const newPool = (url: string, max: number, extra: { connectionTimeoutMillis?: number } = {}): Pool => {
  const pool = new pg.Pool({ connectionString: url, max, ...extra });
  pool.on('error', () => {});
  pools.push(pool);
  return pool;
};
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await server?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STEPS: { sqlite: Migration[]; postgres: PgMigration[] } = {
  sqlite: [(db) => db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, at INTEGER NOT NULL)')],
  postgres: ['CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE, at BIGINT NOT NULL)'],
};
const LOCK = 0x7465737401;

const open = {
  sqlite: async (): Promise<Sql[]> => {
    const dir = mkdtempSync(join(tmpdir(), 'slotwise-sql-'));
    dirs.push(dir);
    const db = openDb(dir);
    // two executors over one connection, as the admin and rules stores share the control connection
    return [await openSql({ kind: 'sqlite', db }, 'test', STEPS, LOCK), await openSql({ kind: 'sqlite', db }, 'test', STEPS, LOCK)];
  },
  postgres: async (): Promise<Sql[]> => {
    const url = await server.createDatabase();
    // two pools: two instances
    const a = newPool(url, 3);
    const b = newPool(url, 3);
    return Promise.all([openSql({ kind: 'postgres', pool: a }, 'test', STEPS, LOCK), openSql({ kind: 'postgres', pool: b }, 'test', STEPS, LOCK)]);
  },
};

describe.each(['sqlite', 'postgres'] as const)('Sql on %s', (kind) => {
  test('a transaction across awaits keeps out statements made outside it, and rolls back only its own', async () => {
    const [sql, other] = await open[kind]();
    const order: string[] = [];
    const failed = sql.atomic(async () => {
      await sql.run('INSERT INTO t (name, at) VALUES (?, ?)', 'inside', 1);
      await sleep(100);
      // nested: joins this transaction
      await sql.atomic(() => sql.run('INSERT INTO t (name, at) VALUES (?, ?)', 'nested', 2));
      order.push('inside done');
      throw new Error('undo');
    });
    await sleep(20);
    // made while the transaction is open, from outside it: not part of it, not rolled back with it
    const outside = other.run('INSERT INTO t (name, at) VALUES (?, ?)', 'outside', 3).then(() => order.push('outside done'));
    await expect(failed).rejects.toThrow('undo');
    await outside;
    expect((await sql.all<{ name: string }>('SELECT name FROM t ORDER BY name')).map((r) => r.name)).toEqual(['outside']);
    // SQLite holds the outside statement until the transaction ended; PostgreSQL runs it beside
    if (kind === 'sqlite') expect(order).toEqual(['inside done', 'outside done']);
  });

  test('commits all of a transaction; numbers come back as numbers; a constraint error is itself', async () => {
    const [sql] = await open[kind]();
    const id = await sql.atomic(async () => {
      const first = await sql.insertId('INSERT INTO t (name, at) VALUES (?, ?)', 'a', 1_765_000_000_000);
      await sql.insertId('INSERT INTO t (name, at) VALUES (?, ?)', 'b', 2);
      return first;
    });
    expect(typeof id).toBe('number');
    expect(await sql.one('SELECT id, at, (SELECT count(*) FROM t) AS n FROM t WHERE name = ?', 'a')).toEqual({ id, at: 1_765_000_000_000, n: 2 });
    const error = await sql.run('INSERT INTO t (name, at) VALUES (?, ?)', 'a', 3).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect(String(error)).toMatch(/unique|UNIQUE/);
  });
});

test('PostgreSQL: transactions of one lock run one at a time across pools (instances)', async () => {
  const [a, b] = await open.postgres();
  const events: string[] = [];
  const first = a.atomic(async () => {
    events.push('a in');
    await a.run('INSERT INTO t (name, at) VALUES (?, ?)', 'a', 1);
    await sleep(300);
    events.push('a out');
  });
  await sleep(50);
  const second = b.atomic(async () => {
    events.push('b in');
    // sees a's row: it began after a committed
    events.push(`b sees ${(await b.all('SELECT 1 FROM t')).length}`);
  });
  await Promise.all([first, second]);
  expect(events).toEqual(['a in', 'a out', 'b in', 'b sees 1']);
});

test('PostgreSQL: a connection that fails is StoreUnavailableError (503), not a hang', async () => {
  const url = await server.createDatabase();
  const pool = newPool(url, 1, { connectionTimeoutMillis: 2000 });
  const sql = await openSql({ kind: 'postgres', pool }, 'test', STEPS, LOCK);
  server.halt();
  try {
    await expect(sql.all('SELECT 1')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(sql.atomic(async () => sql.all('SELECT 1'))).rejects.toBeInstanceOf(StoreUnavailableError);
  } finally {
    server.start();
  }
  await expect(sql.all('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
});

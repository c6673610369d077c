/**
 * Test helper: the real server-stub on 127.0.0.1, a free port, and a fresh temporary data
 * directory (or a given one), with a read-only SQLite handle for assertions.
 *
 * Under `SLOTWISE_TEST_STORE=postgres` (the `integration-pg` project of vitest.config.ts) every
 * server stores its events in a fresh database of the run's PostgreSQL server
 * (test/helpers/postgres-setup.ts), and the assertions read the same things: `count()` asks
 * PostgreSQL; `db()` and `query()` run their SQL (SQLite's dialect, unchanged) on a snapshot — an
 * in-memory SQLite database whose `events` table is PostgreSQL's events at that moment (rowid =
 * seq, the log position), with the admin and rules tables copied and the instance's engine file
 * attached for the engine's tables.
 *
 * @example
 * const s = await startServer();
 * await fetch(`${s.url}/v1/events`, { method: 'POST', headers: { 'x-slotwise-key': 'demo' }, body });
 * expect(s.count()).toBe(20);
 * await s.restart(); // same directory, same port when free
 * await s.stop();    // also removes the temporary directory
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import { createServer, type ServerHandle, type ServerOptions } from '../../server-stub/server';

export interface TestServerOptions extends Omit<ServerOptions, 'port' | 'host' | 'dataDir'> {
  /** reuse this directory (it is then never removed) */
  dataDir?: string;
  /** a fixed port; default a free one */
  port?: number;
}

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  /** the live server (its engine, its own db handle) */
  handle(): ServerHandle;
  /** a read-only handle on slotwise.db, opened on first use and closed by stop()/restart() */
  db(): Database.Database;
  /** all rows of a query through the read-only handle */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  /** rows in `events` (optionally of one app) */
  count(app?: string): number;
  /** what the server logged (500s and engine notes) */
  logs: string[];
  stop(): Promise<void>;
  /** stops and starts again on the same data directory, on the same port when it is still free */
  restart(overrides?: Partial<TestServerOptions>): Promise<void>;
}

/** temporary directories still to remove, also if a test never calls stop() */
const temporary = new Set<string>();
const removeAll = () => temporary.forEach((d) => rmSync(d, { recursive: true, force: true }));
let hooked = false;
let databases = 0;
/** the database of each given data directory (PostgreSQL runs) */
const databaseOf = new Map<string, string>();

/** Which store test servers use: `SLOTWISE_TEST_STORE=postgres` or SQLite. */
export const testStore = (): 'sqlite' | 'postgres' => (process.env.SLOTWISE_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite');

/** A fresh database on the run's PostgreSQL server; its URL. */
export async function testDatabase(): Promise<string> {
  const admin = inject('postgresUrl');
  const name = `it_${process.pid}_${++databases}_${Date.now() % 1e6}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return admin.replace(/\/[^/]*$/, `/${name}`);
}

/** Rows of `sql` on PostgreSQL, synchronously (psql), as JSON values. */
function psql<T>(url: string, sql: string): T[] {
  const out = execFileSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', `SELECT coalesce(json_agg(q), '[]') FROM (${sql}) q`], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  return JSON.parse(out) as T[];
}

const EVENT_COLUMNS = ['id', 'app_key', 'type', 'name', 'ts', 'received_at', 'anonymous_id', 'user_id', 'session_id', 'decision_id', 'slot_id', 'item_id', 'position', 'properties', 'context'];

/** Rows of each query on PostgreSQL, in one psql run (the event loop waits for it: keep it to one). */
function psqlMany(url: string, queries: string[]): Record<string, unknown>[][] {
  const args = ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', url];
  // jsonb prints on one line: one line per query
  for (const q of queries) args.push('-c', `SELECT coalesce(jsonb_agg(q), '[]') FROM (${q}) q`);
  const out = execFileSync('psql', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  return out.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>[]);
}

/** the shared tables (admin, rules) a snapshot copies besides the events, with their columns */
const SHARED_TABLES = `SELECT table_name AS t, array_agg(column_name::text ORDER BY ordinal_position) AS columns FROM information_schema.columns
  WHERE table_schema = 'public' AND (table_name LIKE 'admin\\_%' OR table_name LIKE 'rule\\_%') GROUP BY table_name ORDER BY table_name`;

/**
 * An in-memory SQLite copy of PostgreSQL's tables — events (rowid = seq), and the admin and rules
 * tables the instances share, column for column — with the engine's file attached.
 */
function snapshot(url: string, engineFile: string, tables: { t: string; columns: string[] }[]): Database.Database {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE events (${EVENT_COLUMNS.map((c) => (c === 'id' ? 'id TEXT PRIMARY KEY' : c)).join(', ')})`);
  const insert = db.prepare(`INSERT INTO events (rowid, ${EVENT_COLUMNS.join(', ')}) VALUES (?${', ?'.repeat(EVENT_COLUMNS.length)})`);
  const [rows, ...shared] = psqlMany(url, [`SELECT seq, ${EVENT_COLUMNS.join(', ')} FROM events ORDER BY seq`, ...tables.map(({ t }) => `SELECT * FROM ${t}`)]);
  db.transaction(() => rows!.forEach((r) => insert.run(r.seq, ...EVENT_COLUMNS.map((c) => r[c] ?? null))))();
  tables.forEach(({ t, columns }, i) => {
    db.exec(`CREATE TABLE ${t} (${columns.join(', ')})`);
    const put = db.prepare(`INSERT INTO ${t} VALUES (${columns.map(() => '?').join(', ')})`);
    db.transaction(() => shared[i]!.forEach((r) => put.run(...columns.map((c) => (typeof r[c] === 'boolean' ? Number(r[c]) : (r[c] ?? null))))))();
  });
  db.prepare('ATTACH DATABASE ? AS engine').run(engineFile);
  return db;
}

export async function startServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const own = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'slotwise-test-'));
  if (own) {
    if (!hooked) process.once('exit', removeAll);
    hooked = true;
    temporary.add(dataDir);
  }
  const remove = () => {
    if (!own) return;
    rmSync(dataDir, { recursive: true, force: true });
    temporary.delete(dataDir);
  };
  const logs: string[] = [];
  // a server started again on a given data directory finds its events again: same database
  let postgres: string | undefined;
  if (opts.store === undefined && testStore() === 'postgres') {
    postgres = own ? await testDatabase() : databaseOf.get(dataDir);
    if (!postgres) databaseOf.set(dataDir, (postgres = await testDatabase()));
  }
  // On PostgreSQL `db()` and `query()` block this process (psql, synchronously) while the server
  // in it waits: its keep-alive timer then fires late, in the same turn as the client reusing that
  // connection, and the client's next request meets a closed socket (ECONNRESET). Idle connections
  // are kept longer than any test waits, unless the test sets its own timeouts.
  let options: TestServerOptions = postgres ? { ...opts, store: postgres, timeouts: { keepAliveMs: 120_000, ...opts.timeouts } } : opts;
  let reader: Database.Database | undefined;
  let tables: { t: string; columns: string[] }[] | undefined;
  let server: ServerHandle;

  const boot = async (port: number) => {
    const { dataDir: _d, port: _p, ...rest } = options;
    const start = (p: number) =>
      createServer({ log: (m) => logs.push(m), ...rest, port: p, host: '127.0.0.1', dataDir });
    try {
      server = await start(port);
    } catch (error) {
      if (port === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      server = await start(0);
    }
  };
  const closeReader = () => {
    reader?.close();
    reader = undefined;
  };

  try {
    await boot(opts.port ?? 0);
  } catch (error) {
    remove();
    throw error;
  }

  const t: TestServer = {
    get url() {
      return server.url;
    },
    get port() {
      return server.port;
    },
    dataDir,
    logs,
    handle: () => server,
    db() {
      if (!postgres) return (reader ??= new Database(join(dataDir, 'slotwise.db'), { readonly: true, fileMustExist: true }));
      // a new snapshot each time: the test asks after something happened
      closeReader();
      // the shared tables are there once the server started (migrated on start): listed once
      tables ??= psql<{ t: string; columns: string[] }>(postgres, SHARED_TABLES);
      return (reader = snapshot(postgres, join(server.engineDir, 'slotwise.db'), tables));
    },
    query: <T>(sql: string, ...params: unknown[]) => t.db().prepare(sql).all(...params) as T[],
    count: (app) =>
      postgres
        ? psql<{ n: number }>(postgres, `SELECT count(*) AS n FROM events${app === undefined ? '' : ` WHERE app_key = '${app.replace(/'/g, "''")}'`}`)[0]!.n
        : (app === undefined
        ? t.db().prepare('SELECT count(*) FROM events').pluck().get()
        : t.db().prepare('SELECT count(*) FROM events WHERE app_key = ?').pluck().get(app)) as number,
    async stop() {
      closeReader();
      await server.close();
      remove();
    },
    async restart(overrides = {}) {
      closeReader();
      const port = server.port;
      await server.close();
      options = { ...options, ...overrides };
      await boot(port);
    },
  };
  return t;
}

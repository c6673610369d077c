/**
 * Test helper: the real server-stub on 127.0.0.1, a free port, and a fresh temporary data
 * directory (or a given one), with a read-only SQLite handle for assertions.
 *
 * @example
 * const s = await startServer();
 * await fetch(`${s.url}/v1/events`, { method: 'POST', headers: { 'x-slotwise-key': 'demo' }, body });
 * expect(s.count()).toBe(20);
 * await s.restart(); // same directory, same port when free
 * await s.stop();    // also removes the temporary directory
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
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
  let options: TestServerOptions = opts;
  let reader: Database.Database | undefined;
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
      return (reader ??= new Database(join(dataDir, 'slotwise.db'), { readonly: true, fileMustExist: true }));
    },
    query: <T>(sql: string, ...params: unknown[]) => t.db().prepare(sql).all(...params) as T[],
    count: (app) =>
      (app === undefined
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

/**
 * Test helper: a real PostgreSQL server (Debian's, 15 here) in a temporary directory, on a free
 * loopback port, for the store's tests, the integration suite on PostgreSQL and the benchmarks.
 *
 * It runs `initdb` and `pg_ctl` from PATH or `/usr/lib/postgresql/<version>/bin`. PostgreSQL refuses
 * to run as root, and CI runs as root: then every command runs as the `postgres` user
 * (`runuser -u postgres --`) and the directory is chowned to it. `stop()` stops the server and
 * removes the directory; so does the exit of the process (also when a test failed or never called
 * `stop()`), with `pg_ctl stop -m immediate`.
 *
 * Settings are PostgreSQL's defaults (fsync on: durability is what is tested), plus a socket
 * directory inside the temporary one and `listen_addresses = 127.0.0.1`.
 *
 * @example
 * const pg = await startPostgres();
 * const url = await pg.createDatabase(); // postgres://postgres@127.0.0.1:<port>/t_1234_1
 * await pg.restart();                    // every connection is cut; data stays
 * await pg.stop();
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  port: number;
  /** the temporary directory (data in `data/`, log in `log`) */
  dir: string;
  /** a URL of database `name` (default `postgres`) */
  url(name?: string): string;
  /** creates a fresh, empty database and returns its URL */
  createDatabase(name?: string): Promise<string>;
  /** stops the server (fast: connections are cut) and starts it again on the same port */
  restart(): Promise<void>;
  /** stops the server only; `start()` brings it back */
  halt(): void;
  start(): void;
  stop(): Promise<void>;
}

/** Where initdb and pg_ctl are, or undefined when PostgreSQL is not installed. */
export function postgresBin(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  const candidates = [
    ...(onPath ? [join(onPath, '..')] : []),
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : []),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

const running = new Set<() => void>();
let hooked = false;
let databases = 0;

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql (.ci/run does it)');
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'log');
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
  }
  const as = (cmd: string, args: string[]) => {
    const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: dir, timeout: 120_000 });
    if (r.status !== 0) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(`${cmd} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}\n${log}`);
    }
    return r.stdout;
  };
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  let port = 0;
  let up = false;
  const halt = (mode = 'fast') => {
    if (!up) return;
    up = false;
    as('pg_ctl', ['stop', '-D', data, '-m', mode, '-w', '-t', '60']);
  };
  const start = () => {
    if (up) return;
    as('pg_ctl', ['start', '-D', data, '-l', logFile, '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`]);
    up = true;
  };
  const atExit = () => {
    try {
      halt('immediate');
    } catch {
      // already gone
    }
    removeDir();
  };

  try {
    as('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    port = await freePort();
    start();
  } catch (error) {
    atExit();
    throw error;
  }
  running.add(atExit);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => running.forEach((f) => f()));
  }
  const url = (name = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    port,
    dir,
    url,
    async createDatabase(name = `t_${process.pid}_${++databases}`) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async restart() {
      halt();
      start();
    },
    halt: () => halt(),
    start,
    async stop() {
      running.delete(atExit);
      atExit();
    },
  };
}

/** A port free on 127.0.0.1 now (PostgreSQL binds it a moment later; a clash fails the start loudly). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

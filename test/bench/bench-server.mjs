// The real server-stub for the Chromium benchmarks, in this process: server-stub/server.ts bundled
// once with esbuild, with the engine thread's entry beside it (dependencies stay external, resolved
// from node_modules), started on a free
// loopback port with a temporary data directory and the benchmark's own pages as its static root
// (the bundles still come from dist/). A read-only SQLite handle counts what was stored.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function serverModule() {
  const { build } = await import('esbuild');
  const dir = join(root, 'node_modules', '.cache', 'slotwise-bench');
  mkdirSync(dir, { recursive: true });
  const outdir = join(dir, `server-${process.pid}`);
  // .mjs: under node_modules no package.json makes .js a module
  const outfile = join(outdir, 'server.mjs');
  await build({
    entryPoints: { server: join(root, 'server-stub', 'server.ts'), 'engine-worker': join(root, 'server-stub', 'engine', 'worker.ts') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir,
    outExtension: { '.js': '.mjs' },
    define: { __SDK_VERSION__: JSON.stringify('bench') },
    logLevel: 'error',
  });
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  return import(pathToFileURL(outfile).href);
}

/** @param {{ pages: string, catalogSize?: number }} o */
export async function startBenchServer(o) {
  const { createServer } = await serverModule();
  const dataDir = mkdtempSync(join(tmpdir(), 'slotwise-bench-browser-'));
  const logs = [];
  const server = await createServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    rateLimit: false,
    ...(o.catalogSize ? { catalogSize: o.catalogSize } : {}),
    staticDirs: { demo: o.pages, dist: join(root, 'dist') },
    log: (m) => logs.push(m),
  });
  const { default: Database } = await import('better-sqlite3');
  let db;
  const reader = () => (db ??= new Database(join(dataDir, 'slotwise.db'), { readonly: true, fileMustExist: true }));
  return {
    url: server.url,
    logs,
    /** the server's rules registry and config streams (publish.mjs activates releases through them) */
    rules: server.rules,
    streams: server.streams,
    /** the engine thread's host (publish.mjs times the swap on it) */
    engine: server.engine,
    /** rows of `events` with this name, and how many distinct `properties.n` they carry */
    count(name) {
      const r = reader()
        .prepare("SELECT count(*) AS n, count(DISTINCT json_extract(properties, '$.n')) AS distinctN FROM events WHERE name = ?")
        .get(name);
      return r;
    },
    async stop() {
      db?.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

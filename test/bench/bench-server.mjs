// The real server-stub for the Chromium benchmarks, in this process: server-stub/server.ts bundled
// once with esbuild (dependencies stay external, resolved from node_modules), started on a free
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
  const outfile = join(dir, `server-${process.pid}.mjs`);
  await build({
    entryPoints: [join(root, 'server-stub', 'server.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    define: { __SDK_VERSION__: JSON.stringify('bench') },
    logLevel: 'error',
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
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

// `npm run bench` rows for the PostgreSQL store (issue 14): durable ingest events/s and decide p99
// at 1 000 req/s, with 1 and with 2 instances of the built server-stub on one PostgreSQL, on the
// same machine as everything else (so the instances, PostgreSQL and the load generator share its
// cores: a floor, not a capacity).
//
// PostgreSQL is Debian's, started by test/helpers/postgres.ts (bundled here with esbuild) in a
// temporary directory with its default settings (fsync on, synchronous_commit on). Traffic is
// ingest.mjs's and decide.mjs's: the same batches, the same decide bodies, the same warm-up. With
// 2 instances, ingest connections alternate between them, and the 1 000 req/s are two paced
// streams of 500 req/s, one per instance, their latencies counted together. Every acknowledged
// event is checked against the rows in PostgreSQL.
//
//   node test/bench/postgres.mjs            BENCH_SECONDS=5 node test/bench/postgres.mjs
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { catalogItems, drive, idMaker, templates } from './ingest.mjs';
import { loadBody, waitForHealth, warm } from './decide.mjs';
import { paced, quantile } from './paced.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = 1000;
const round = (x, d = 2) => Number(x.toFixed(d));

async function helper() {
  const { build } = await import('esbuild');
  const dir = join(root, 'node_modules', '.cache', 'slotwise-bench', `pg-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'postgres.mjs');
  await build({ entryPoints: [join(root, 'test', 'helpers', 'postgres.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'error' });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return import(pathToFileURL(outfile).href);
}

/** `n` built servers on one database; resolves once each answers /v1/health. */
async function instances(n, url) {
  const main = join(root, 'dist', 'server', 'main.js');
  const out = [];
  for (let i = 0; i < n; i++) {
    const data = mkdtempSync(join(tmpdir(), 'slotwise-bench-pg-'));
    const child = spawn(process.execPath, [main, '--port', '0', '--data', data, '--store', url, '--catalog-size', '10000', '--no-rate-limit'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    const base = await new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`bench:postgres: instance ${i} did not start\n${stderr}`)), 60_000);
      child.stdout.on('data', (d) => {
        text += d;
        const m = /listening on (http:\/\/\S+)/.exec(text);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`bench:postgres: instance ${i} exited (${code})\n${stderr}`)));
    });
    await waitForHealth(base, child);
    out.push({
      url: base,
      stderr: () => stderr,
      async stop() {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        rmSync(data, { recursive: true, force: true });
      },
    });
  }
  return out;
}

async function count(pg, url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT count(*)::int AS n FROM events')).rows[0].n;
  } finally {
    await c.end();
  }
}

export async function run() {
  if (!existsSync(join(root, 'dist', 'server', 'main.js'))) {
    const b = spawnSync('npx', ['rollup', '-c', '--silent'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('bench:postgres: the build failed');
  }
  const { startPostgres } = await helper();
  const { default: pg } = await import('pg');
  const server = await startPostgres();
  const rows = [];
  try {
    for (const n of [1, 2]) {
      const label = `PostgreSQL, ${n} instance${n > 1 ? 's' : ''}`;
      // ingest: a database of its own
      let url = await server.createDatabase();
      let live = await instances(n, url);
      try {
        const items = await catalogItems(live[0].url);
        const agent = new Agent({ keepAlive: true, maxSockets: 8 });
        const traffic = { url: live.map((i) => i.url), agent, ids: idMaker('v7'), batch: 500, connections: 8, bodies: templates({ items, batch: 500, devices: 20_000 }) };
        await drive({ ...traffic, ms: 1500 });
        const warmRows = await count(pg, url);
        const load = loadavg()[0];
        const r = await drive({ ...traffic, ms: SECONDS * 1000 });
        agent.destroy();
        const stored = (await count(pg, url)) - warmRows;
        if (stored !== r.accepted || r.duplicates) throw new Error(`bench:postgres: ${r.accepted} events acknowledged (${r.duplicates} duplicates) but ${stored} rows stored`);
        const lat = r.latencies.sort((a, b) => a - b);
        rows.push({
          name: `/v1/events durable ingest, ${label}`,
          value: Math.round(r.accepted / (r.ms / 1000)),
          unit: 'events/s',
          budget: null,
          note: `8 connections × 500-event batches${n > 1 ? ' over both' : ''}, load avg ${load.toFixed(1)}; stored rows = acks; request p99 ${round(lat[Math.floor(0.99 * (lat.length - 1))])} ms`,
        });
      } finally {
        await Promise.all(live.map((i) => i.stop()));
      }

      // decide: a fresh database, users warmed through the first instance (the others follow the log)
      url = await server.createDatabase();
      live = await instances(n, url);
      try {
        await warm(live[0].url);
        // every instance has applied the warm-up before the clock starts
        await new Promise((r) => setTimeout(r, 2000));
        const runs = await Promise.all(
          live.map((i, k) => paced({ url: i.url, path: '/v1/decide', rate: RATE / n, seconds: SECONDS, headers: { 'x-slotwise-key': 'demo' }, body: (j) => loadBody(j * n + k) })),
        );
        const all = new Float64Array(runs.reduce((a, x) => a + x.latencies.length, 0));
        let at = 0;
        for (const x of runs) all.set(x.latencies, (at += x.latencies.length) - x.latencies.length);
        const failed = runs.reduce((a, x) => a + x.failed, 0);
        rows.push({
          name: `decide p99 @${RATE} req/s, ${label}`,
          value: round(quantile(all, 0.99)),
          unit: 'ms',
          budget: 10,
          note: `open loop, paced${n > 1 ? `, ${RATE / n} req/s per instance` : ''}; p50 ${round(quantile(all, 0.5))} ms${failed ? `; ${failed} failed` : ''}`,
        });
      } finally {
        await Promise.all(live.map((i) => i.stop()));
      }
    }
  } finally {
    await server.stop();
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await run();
  const cpu = cpus();
  console.log(`PostgreSQL store — ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, Node ${process.version}; load average ${loadavg()[0].toFixed(2)} at the end`);
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) console.log(`${r.name.padEnd(w)}  ${String(r.value).padStart(8)} ${r.unit.padEnd(8)} ${r.note ?? ''}`);
}

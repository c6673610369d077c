// `node test/bench/import.mjs` (also part of `npm run bench`): a batch import of a 1 M-row profiles
// CSV through `npm run import`'s CLI, in a process of its own, into SQLite and into PostgreSQL
// (a throwaway server of test/helpers/postgres.ts): rows/s over the whole import (fingerprint pass,
// parse, checks, staging, the switch) and the process's peak RSS. Budgets (DESIGN.md): ≥ 100 000
// rows/s on SQLite, ≥ 50 000 on PostgreSQL, ≤ 300 MB. On a shared machine the rates are noisy:
// the load average is printed with them.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROWS = Number(process.env.SLOTWISE_BENCH_IMPORT_ROWS ?? 1_000_000);

async function bundle(entry, name, code) {
  const { build } = await import('esbuild');
  const dir = join(root, 'node_modules', '.cache', 'slotwise-bench', `import-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, name);
  await build({
    ...(code ? { stdin: { contents: code, resolveDir: root, loader: 'ts' } } : { entryPoints: [entry] }),
    bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'error',
  });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return outfile;
}

async function writeFile(file) {
  const out = createWriteStream(file);
  out.write('userId,riskTolerance,riskAssessedAt,segment,holdings,branch,assetsBand,termDepositMaturesOn\n');
  for (let i = 0; i < ROWS; i++) {
    const line = `c${i},C${(i % 5) + 1},2026-0${(i % 9) + 1}-1${i % 10},${['new', 'active', 'dormant'][i % 3]},fund-${i % 50};card-${i % 3},branch-${i % 311},band-${i % 7},${i % 4 ? '' : '2026-12-2' + (i % 10)}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

/** one CLI import in a child process: its summary line and peak RSS (the child reports its own) */
function importOnce(cli, file, target) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, '--app', 'bench', '--kind', 'profiles', '--in', file, '--quiet', ...target], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const ms = Date.now() - t0;
  if (r.status !== 0) throw new Error(`bench:import: the CLI failed (${r.status}): ${r.stdout}${r.stderr}`);
  const rss = Number(/peak-rss (\d+)/.exec(r.stdout)?.[1] ?? NaN);
  const cpuMs = Number(/cpu-ms (\d+)/.exec(r.stdout)?.[1] ?? NaN);
  const lines = Number(/lines (\d+) =/.exec(r.stdout)?.[1] ?? NaN);
  if (lines !== ROWS) throw new Error(`bench:import: ${lines} lines imported, expected ${ROWS}: ${r.stdout}`);
  return { ms, rss, cpuMs };
}

export async function run() {
  const work = mkdtempSync(join(tmpdir(), 'slotwise-bench-import-'));
  const rows = [];
  try {
    const file = join(work, 'profiles.csv');
    await writeFile(file);
    // the CLI, with its peak RSS printed at exit (resourceUsage().maxRSS is in KB)
    const cli = await bundle(undefined, 'import-cli.mjs',
      "import { main } from './server-stub/customers/cli.ts'; main(process.argv.slice(2)).then((code) => { const u = process.resourceUsage(); console.log('peak-rss ' + u.maxRSS * 1024 + ' cpu-ms ' + Math.round((u.userCPUTime + u.systemCPUTime) / 1000)); process.exit(code); });");
    const measure = (label, target, budget) => {
      const load = loadavg()[0];
      const { ms, rss, cpuMs } = importOnce(cli, file, target);
      rows.push({ name: `batch import of ${ROWS.toLocaleString('en')} profiles rows, ${label}`, value: Math.round(ROWS / (ms / 1000)), unit: 'rows/s', budget, better: 'higher', note: `whole CLI run incl. fingerprint pass and start-up, ${(ms / 1000).toFixed(1)} s wall, ${(cpuMs / 1000).toFixed(1)} s CPU of the importing process (${Math.round(ROWS / (cpuMs / 1000))} rows per CPU-second; the database's own CPU not counted); load avg ${load.toFixed(1)} (noisy on a shared machine)` });
      rows.push({ name: `  peak RSS of that import, ${label}`, value: Math.round(rss / 2 ** 20), unit: 'MB', budget: 300, better: 'lower', note: 'the file streams; its size does not matter' });
    };
    measure('SQLite', ['--data', join(work, 'data')], 100_000);
    const { startPostgres } = await import(pathToFileURL(await bundle(join(root, 'test', 'helpers', 'postgres.ts'), 'postgres.mjs')).href);
    const server = await startPostgres();
    try {
      measure('PostgreSQL', ['--store', await server.createDatabase(), '--data', join(work, 'data-pg')], 50_000);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await run()) console.log(`${r.name}: ${r.value} ${r.unit} (budget ${r.budget}) — ${r.note}`);
}

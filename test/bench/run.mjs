// `npm run bench`: every benchmark, one table (Markdown, so it pastes into the README) of what was
// measured against its budget (DESIGN.md "Budgets"), headed by the machine it ran on.
//
// Builds first (`npx rollup -c`) when dist/ is missing or older than a source. Each benchmark is
// bounded in time, runs its servers on loopback and stops them; a benchmark that fails becomes a
// row saying so, and the others still run. Exit code 0 even when a figure is over budget (a
// benchmark reports, tests enforce); 1 when a benchmark could not run at all.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const here = (f) => join(root, 'test', 'bench', f);
/** the whole run is bounded: a hung benchmark must not hold the machine */
const WATCHDOG_MS = 20 * 60_000;

const OUTPUTS = ['dist/index.js', 'dist/slotwise.min.js', 'dist/slotwise-widgets.min.js', 'dist/server/main.js'];
const SOURCES = ['sdk', 'widgets', 'server-stub', 'rollup.config.mjs', 'package.json'];

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}

function buildIfStale() {
  const outputs = OUTPUTS.map((f) => join(root, f));
  const missing = outputs.filter((f) => !existsSync(f));
  const built = missing.length ? 0 : Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const source = Math.max(...SOURCES.map((f) => join(root, f)).filter(existsSync).map(newest));
  if (!missing.length && built >= source) return 'dist/ is up to date';
  console.error(`bench: ${missing.length ? `missing ${missing.map((f) => f.slice(root.length + 1)).join(', ')}` : 'dist/ is older than the sources'}; building…`);
  const r = spawnSync('npx', ['rollup', '-c', '--silent'], { cwd: root, stdio: 'inherit', timeout: 5 * 60_000 });
  if (r.status !== 0) {
    if (outputs.some((f) => !existsSync(f))) throw new Error('bench: the build failed and dist/ is incomplete');
    console.error('bench: the build failed; measuring the previous build in dist/');
    return 'build FAILED, previous dist/ measured';
  }
  return 'built now';
}

function chromiumVersion() {
  const bin = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : `unknown (${bin})`;
}

/** one benchmark module; its rows, or one row saying why there are none */
async function bench(file, label, fallback, options) {
  if (!existsSync(here(file))) return [{ name: fallback ?? label, value: null, unit: '', budget: null, verdict: 'not built', note: `test/bench/${file} does not exist yet` }];
  const t = Date.now();
  console.error(`bench: ${label}…`);
  try {
    const mod = await import(pathToFileURL(here(file)).href);
    const out = await mod.run(options);
    const rows = Array.isArray(out) ? out : out.rows;
    console.error(`bench: ${label} done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    return rows.map((r) => ({ ...r, group: label }));
  } catch (error) {
    console.error(`bench: ${label} failed:`, error);
    return [{ name: fallback ?? label, value: null, unit: '', budget: null, verdict: 'ERROR', note: String(error?.message ?? error).split('\n')[0].slice(0, 160) }];
  }
}

function verdict(r) {
  if (r.verdict) return r.verdict;
  if (r.value == null) return 'not built';
  if (r.budget == null) return '—';
  if (typeof r.value !== 'number' || typeof r.budget !== 'number') return '—';
  const ok = r.better === 'higher' ? r.value >= r.budget : r.value <= r.budget;
  return ok ? 'ok' : 'OVER BUDGET';
}

const budgetText = (r) =>
  r.budget == null ? '—' : typeof r.budget === 'string' ? r.budget : `${r.better === 'higher' ? '≥' : '≤'} ${r.budget} ${r.unit}`.trim();
const valueText = (r) => (r.value == null ? '—' : `${typeof r.value === 'number' ? r.value.toLocaleString('en-US', { maximumFractionDigits: 4 }) : r.value} ${r.unit}`.trim());

function table(rows) {
  const head = ['what', 'measured', 'budget', 'verdict', 'how / notes'];
  const body = rows.map((r) => [r.name, valueText(r), budgetText(r), verdict(r), r.note ?? '']);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 1 ? c.padStart(w[i]) : c.padEnd(w[i]))).join(' | ')} |`;
  return [line(head), `|${w.map((n, i) => (i === 1 ? '-'.repeat(n + 1) + ':' : '-'.repeat(n + 2))).join('|')}|`, ...body.map(line)].join('\n');
}

async function main() {
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${WATCHDOG_MS / 60_000} minutes; stopping`);
    process.exit(2);
  }, WATCHDOG_MS);
  const cpu = cpus();
  const machine = {
    cpu: `${cpu[0]?.model ?? 'unknown CPU'}`,
    cores: cpu.length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    chromium: chromiumVersion(),
    load: loadavg().map((x) => x.toFixed(2)).join(', '),
    started: new Date().toISOString(),
  };
  const build = buildIfStale();

  const rows = [
    ...(await bench('sizes.mjs', 'bundle sizes')),
    ...(await bench('sdk.mjs', 'SDK in Node (sdk.mjs)')),
    ...(await bench('browser.mjs', 'Chromium (browser.mjs)')),
    ...(await bench('jank.mjs', 'bursts in Chromium (jank.mjs)')),
    ...(await bench('reminders.mjs', 'reminders in Chromium (reminders.mjs)')),
    ...(await bench('publish.mjs', 'publish → device (publish.mjs)')),
    ...(await bench('memory.mjs', 'memory in Node (memory.mjs)')),
    ...(await bench('decide.mjs', '/v1/decide (decide.mjs)', undefined, { runs: 10 })),
    ...(await bench('ingest.mjs', '/v1/events ingest (ingest.mjs)', '/v1/events durable ingest')),
    // beside the SQLite rows above, in the same run: the same traffic on PostgreSQL, 1 and 2 instances
    ...(await bench('postgres.mjs', 'PostgreSQL store (postgres.mjs)', 'PostgreSQL store')),
    ...(await bench('models.mjs', 'response models (models.mjs)')),
    ...(await bench('analytics.mjs', 'scenario analyses over 1 000 000 events (analytics.mjs)')),
    ...(await bench('import.mjs', 'customer data import, 1 000 000 rows (import.mjs)')),
  ];
  // sdk.mjs names its rows for Node; say so next to the Chromium ones
  for (const r of rows) if (r.group === 'SDK in Node (sdk.mjs)' && !/Node/.test(r.name)) r.name += ', Node';

  const end = loadavg()[0].toFixed(2);
  console.log(`\nSlotwise benchmarks — ${machine.started}`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory} RAM; Node ${machine.node}; ${machine.chromium}`);
  console.log(`load average at start: ${machine.load} (1, 5, 15 min); at the end: ${end}; ${build}\n`);
  console.log(table(rows));
  const over = rows.filter((r) => verdict(r) === 'OVER BUDGET').length;
  const errors = rows.filter((r) => verdict(r) === 'ERROR').length;
  console.log(`\n${rows.length} figures; ${over} over budget; ${errors} benchmark error(s).`);
  clearTimeout(watchdog);
  return errors ? 1 : 0;
}

process.exitCode = await main();

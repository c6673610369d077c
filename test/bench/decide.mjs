// `npm run bench:decide`: POST /v1/decide against the built server-stub with a 10 000-item catalog,
// 4 slots per request (picks 4, feed 6, ad 1, reminder 2) for ~1 000 varied users, with autocannon:
//  - at a steady 1 000 req/s for 10 s, open loop (paced.mjs: each latency counted from when the
//    request was due, so a stall shows in everything behind it). Budget: p99 ≤ 10 ms.
//  - at the maximum rate the server sustains, for 10 s, with autocannon (32 connections, closed loop)
// Users get a history first (identify, views, impressions, clicks through POST /v1/events), so
// profiles, trending and co-views are warm. A benchmark, not a test: it prints numbers.
//
//  With `--runs 10` (what `npm run bench` runs) the paced measurement runs 10 times in a row on the
//  same server and every run's p99 is printed: the budget is met only when all ten are.
//
//   node test/bench/decide.mjs --runs 10                                                  (ten paced runs)
//   BENCH_SECONDS=5 node test/bench/decide.mjs                                            (shorter runs)
//   SLOTWISE_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' node test/bench/decide.mjs (profile the server)
//   SLOTWISE_BENCH_NODE_ARGS=--trace-gc SLOTWISE_BENCH_SERVER_LOG=/tmp/gc.log node test/bench/decide.mjs (its GC, every thread)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { paced, quantile } from './paced.mjs';
import { cpuOf, cpuPer } from './cpu.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KEY = 'demo';
const USERS = 1000;
const RATE = 1000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BUDGET_P99_MS = 10;
const SLOTS = [
  { id: 'home.today', kind: 'picks', count: 4 },
  { id: 'home.feed', kind: 'feed', count: 6 },
  { id: 'home.ad', kind: 'ad', count: 1 },
  { id: 'home.reminders', kind: 'reminder', count: 2 },
];
const PAGES = ['/index.html', '/wealth.html', '/loans.html'];
const TOLERANCES = ['C1', 'C2', 'C3', 'C4', 'C5'];
const SEGMENTS = ['new', 'active', 'active', 'dormant', 'churn_risk'];

const round = (x, digits = 2) => Number(x.toFixed(digits));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(url, child, ms = 30_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`bench:decide: the server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/v1/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('bench:decide: the server did not answer /v1/health in time');
}

function decideBody(user, k) {
  const known = user < USERS;
  return JSON.stringify({
    anonymousId: `anon-${user}`,
    ...(known ? { userId: `user-${user}` } : {}),
    sessionId: `sess-${user}`,
    context: { page: PAGES[k % PAGES.length], channel: k % 2 ? 'web' : 'app', locale: k % 3 ? 'zh-CN' : 'en' },
    ...(k % 4 === 0 ? { tags: { fund_interest: true } } : {}),
    slots: SLOTS,
  });
}

const post = (url, path, body) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-slotwise-key': KEY }, body });

/** identify, then per user a page of decisions turned into views, impressions and some clicks */
export async function warm(url) {
  let seq = 0;
  const envelope = (user, o) => ({
    id: `bench-${++seq}`,
    ts: Date.now() - 60_000,
    anonymousId: `anon-${user}`,
    userId: `user-${user}`,
    sessionId: `sess-${user}`,
    properties: {},
    context: { channel: 'web', locale: 'zh-CN', sdk: { name: 'slotwise', version: 'bench' } },
    ...o,
  });
  let batch = [];
  const flush = async () => {
    for (let i = 0; i < batch.length; i += 500) {
      const r = await post(url, '/v1/events', JSON.stringify({ sentAt: Date.now(), events: batch.slice(i, i + 500) }));
      if (!r.ok) throw new Error(`bench:decide: POST /v1/events answered ${r.status}: ${await r.text()}`);
    }
    batch = [];
  };
  for (let user = 0; user < USERS; user++) {
    batch.push(envelope(user, { type: 'identify', name: 'identify', properties: { riskTolerance: TOLERANCES[user % 5], segment: SEGMENTS[(user >> 2) % 5] } }));
  }
  await flush();
  for (let user = 0; user < USERS; user++) {
    const answer = await (await post(url, '/v1/decide', decideBody(user, user))).json();
    for (const [slotId, { items }] of Object.entries(answer.slots)) {
      for (const item of items) {
        const at = { decisionId: answer.decisionId, slotId, itemId: item.id, position: item.position };
        batch.push(envelope(user, { type: 'impression', name: 'impression', ...at }));
        if ((user + item.position) % 4 === 0) {
          batch.push(envelope(user, { type: 'click', name: 'click', ...at }));
          batch.push(envelope(user, { type: 'track', name: 'item_view', properties: { itemId: item.id, kind: item.kind, category: item.category } }));
        }
      }
    }
    if (batch.length >= 2000) await flush();
  }
  await flush();
  return seq;
}

/** the k-th request under load: 1 in 5 comes from a visitor never seen before */
export const loadBody = (k) => decideBody(k % 5 === 4 ? USERS + k : (k * 7919) % USERS, k);

function cannon(url, o) {
  let k = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/v1/decide`,
        connections: o.connections,
        duration: o.seconds,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-slotwise-key': KEY },
            setupRequest: (req) => ({ ...req, body: loadBody(k++) }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** @param {{ runs?: number }} [options] how many consecutive paced runs (`npm run bench` asks for 10) */
export async function run({ runs = 1 } = {}) {
  if (!existsSync(join(root, 'dist', 'server', 'main.js'))) {
    const b = spawnSync('npx', ['rollup', '-c', '--silent'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('bench:decide: the build failed');
  }
  const data = mkdtempSync(join(tmpdir(), 'slotwise-bench-decide-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nodeArgs = (process.env.SLOTWISE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist', 'server', 'main.js'), '--port', String(port), '--data', data, '--catalog-size', '10000', '--no-rate-limit', '--no-demo-data'], {
    cwd: root,
    // GET /v1/diagnostics: each server thread's stalls, GC pauses and sizes, read after every run
    env: { ...process.env, SLOTWISE_DIAGNOSTICS: '1' },
    stdio: ['ignore', process.env.SLOTWISE_BENCH_SERVER_LOG ? openSync(process.env.SLOTWISE_BENCH_SERVER_LOG, 'a') : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const rows = [];
  try {
    await waitForHealth(url, child);
    const events = await warm(url);
    console.error(`bench:decide: ${USERS} users warmed with ${events} events; JIT warm-up…`);
    await cannon(url, { connections: 16, seconds: 3 });

    // let the server settle: the warm-up's decision log and garbage are still being written / collected
    await new Promise((r) => setTimeout(r, 2000));
    await diagnostics(url, data); // starts the first run's interval
    const before = cpuOf(child.pid);
    const fixed = [];
    const diags = [];
    for (let i = 0; i < runs; i++) {
      const cpu0 = cpuOf(child.pid);
      fixed.push(await paced({ url, path: '/v1/decide', rate: RATE, seconds: SECONDS, headers: { 'x-slotwise-key': KEY }, body: loadBody }));
      const d = await diagnostics(url, data);
      const cpu = cpuPer(cpu0, cpuOf(child.pid), fixed[i].latencies.length);
      diags.push(d && { ...d, cpuMs: cpu?.all, generator: fixed[i].stall });
      console.error(`bench:decide: paced run ${i + 1}/${runs}: p99 ${round(quantile(fixed[i].latencies, 0.99))} ms; ${describe(diags[i])}`);
    }
    const after = cpuOf(child.pid);
    const max = await cannon(url, { connections: 32, seconds: SECONDS });
    const steady = `@${RATE} req/s`;
    const all = concat(fixed.map((f) => f.latencies));
    const p99s = fixed.map((f) => round(quantile(f.latencies, 0.99)));
    const requests = all.length;
    const seconds = fixed.reduce((a, f) => a + f.seconds, 0);
    const generatorMs = fixed.reduce((a, f) => a + f.cpuMs, 0);
    const failedFixed = fixed.reduce((a, f) => a + f.failed, 0);
    rows.push({ name: `decide p50 ${steady}`, value: round(quantile(all, 0.5)), unit: 'ms', budget: null, note: runs > 1 ? `all ${runs} runs` : undefined });
    if (runs > 1) {
      // the budget holds only if every run is within it: the worst run is the figure
      for (const [i, p99] of p99s.entries()) rows.push({ name: `decide p99 ${steady}, run ${i + 1} of ${runs}`, value: p99, unit: 'ms', budget: BUDGET_P99_MS, note: describe(diags[i]) });
      rows.push({ name: `decide p99 ${steady}, worst of ${runs} runs`, value: Math.max(...p99s), unit: 'ms', budget: BUDGET_P99_MS, note: `${runs} consecutive ${SECONDS} s open-loop runs: ${p99s.join(', ')} ms` });
    } else {
      rows.push({ name: `decide p99 ${steady}`, value: p99s[0], unit: 'ms', budget: BUDGET_P99_MS, note: `open loop, paced; from when each request was due; ${describe(diags[0])}` });
    }
    const sum = (f) => diags.reduce((a, d) => a + (d ? f(d) : 0), 0);
    rows.push({
      name: `server GC pauses > 5 ms ${steady}`,
      value: sum((d) => d.http.gc.over5Ms + d.engine.thread.gc.over5Ms),
      unit: '',
      budget: null,
      note: `all runs; HTTP thread ${sum((d) => d.http.gc.over5Ms)}, engine thread ${sum((d) => d.engine.thread.gc.over5Ms)}; major GCs ${sum((d) => d.http.gc.major + d.engine.thread.gc.major)}`,
    });
    rows.push({ name: `decide max ${steady}`, value: round(quantile(all, 1)), unit: 'ms', budget: null });
    rows.push({ name: `decide throughput ${steady}`, value: round(requests / seconds, 0), unit: 'req/s', budget: null, note: `load generator CPU ${round(generatorMs / requests, 3)} ms/request` });
    if (failedFixed) rows.push({ name: `decide failed requests ${steady}`, value: failedFixed, unit: '', budget: 0, note: JSON.stringify(fixed.map((f) => f.failures)) });
    const failed = max.non2xx + max.errors + max.timeouts;
    if (failed) console.error(`bench:decide: @max: ${max.non2xx} non-2xx, ${max.errors} errors, ${max.timeouts} timeouts`);
    rows.push({ name: 'decide p50 @max', value: round(max.latency.p50), unit: 'ms', budget: null, note: 'autocannon, 32 connections' });
    rows.push({ name: 'decide p99 @max', value: round(max.latency.p99), unit: 'ms', budget: null });
    rows.push({ name: 'decide throughput @max', value: round(max.requests.average, 0), unit: 'req/s', budget: null });
    if (failed) rows.push({ name: 'decide failed requests @max', value: failed, unit: '', budget: 0 });
    // what one request costs the server, whatever else the machine is doing (HTTP included)
    if (before && after) {
      const n = requests;
      const per = cpuPer(before, after, n);
      rows.push({ name: 'server CPU per decide, HTTP thread', value: round(per.main, 3), unit: 'ms', budget: null });
      rows.push({ name: 'server CPU per decide, busiest other thread', value: round(per.busiest, 3), unit: 'ms', budget: null, note: `thread "${per.busiestName}"` });
      rows.push({ name: 'server CPU per decide, all threads', value: round(per.all, 3), unit: 'ms', budget: null, note: 'incl. the decision-log writer and GC threads' });
    }
  } catch (error) {
    if (stderr) console.error(stderr);
    throw error;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(data, { recursive: true, force: true });
  }
  return rows;
}

/**
 * What the server did since the previous call (GET /v1/diagnostics, engine/diagnostics.ts) and how
 * big its WAL file is: a latency tail is a stall of one of its threads (event-loop delay), made of
 * GC pauses, a long lock or checkpoint, or the CPU taken by something else on the machine.
 */
async function diagnostics(url, data) {
  try {
    const r = await fetch(`${url}/v1/diagnostics`);
    if (!r.ok) return undefined;
    const d = await r.json();
    let walMb = 0;
    try {
      walMb = statSync(join(data, 'slotwise.db-wal')).size / 2 ** 20;
    } catch {
      // no WAL file yet
    }
    return { ...d, walMb };
  } catch {
    return undefined;
  }
}

/** one run's diagnostics, short: stalls (event-loop delay max), GC pauses > 5 ms (max), sizes */
function describe(d) {
  if (!d) return 'no diagnostics';
  const t = (x) => `stall ${round(x.loopDelayMaxMs, 1)} ms, GC>5ms ${x.gc.over5Ms} (max ${round(x.gc.maxMs, 1)}, major ${x.gc.major}), old space ${round(x.oldSpaceMb, 1)} MB`;
  const w = d.engine.writer;
  const s = d.engine.sizes;
  return [
    `HTTP: ${t(d.http)}`,
    `engine: ${t(d.engine.thread)}`,
    `writer: ${w.transactions} tx (max ${w.transactionMaxMs} ms), ${w.checkpoints} checkpoints (max ${w.checkpointMaxMs} ms, ${w.checkpointsBusy} incomplete), WAL ≤ ${w.walPagesMax} pages, file ${round(d.walMb, 1)} MB`,
    `cached: ${s.profiles} profiles, ${s.aliases} aliases, ${s.jsonNumbers} numbers, ${s.coviews} co-views`,
    d.cpuMs !== undefined && `server CPU ${round(d.cpuMs, 3)} ms/decide`,
    d.generator && `generator: stall ${round(d.generator.loopDelayMaxMs, 1)} ms, GC>5ms ${d.generator.gcOver5Ms}`,
  ]
    .filter(Boolean)
    .join('; ');
}

const concat = (arrays) => {
  const out = new Float64Array(arrays.reduce((a, x) => a + x.length, 0));
  let at = 0;
  for (const a of arrays) out.set(a, (at += a.length) - a.length);
  return out;
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { runs: { type: 'string' } } });
  const rows = await run({ runs: Number(values.runs ?? 1) });
  const cpu = cpus();
  console.log(`/v1/decide, 10 000-item catalog, 4 slots — ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, Node ${process.version}`);
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const verdict = r.budget == null ? '' : r.value <= r.budget ? `  ok (budget ≤ ${r.budget} ${r.unit})` : `  OVER BUDGET (≤ ${r.budget} ${r.unit})`;
    console.log(`${r.name.padEnd(w)}  ${String(r.value).padStart(8)} ${r.unit.padEnd(5)}${verdict}`);
  }
}

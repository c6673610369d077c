// `npm run bench:sdk`: the SDK's main-thread costs, measured on the built package (dist/index.js).
//  - track(): the cost of one call, median and p99 over 10 000 calls (budget: median ≤ 10 µs)
//  - event → reminder: from track() of a trigger's `when` event to the `reminder` listener, for a
//    rule due at once, p50 and p99 over 2 000 events (budget: p99 ≤ 5 ms)
// The backend is a local fetch function (config with the trigger rule, events acknowledged), so
// the numbers are the SDK's own. A benchmark, not a test: it prints numbers and checks no budget.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TRACKS = 10_000;
const REMINDERS = 2_000;

const rule = {
  id: 'bench_loan_abandoned',
  when: { type: 'track', name: 'loan_apply_exit', where: [{ prop: 'step', op: 'lt', value: 4 }] },
  delayMs: 0,
  reminder: { title: { en: 'Your application is nearly done' }, body: { en: 'Pick up where you left off.' } },
};
const config = { version: 'bench', ttlMs: 3600_000, slots: [], tags: [], triggers: [rule] };

/** the backend, in process: the config above, every batch acknowledged */
async function backend(input, init = {}) {
  const request = new Request(input, init);
  const path = new URL(request.url).pathname;
  if (path === '/v1/config') return Response.json(config);
  if (path === '/v1/events') {
    const n = (await request.json()).events.length;
    return Response.json({ accepted: n, duplicates: 0 });
  }
  return Response.json({ error: { code: 'not_found', message: path, path: '' } }, { status: 404 });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const round = (x, digits = 2) => Number(x.toFixed(digits));

export async function run() {
  const dist = join(root, 'dist', 'index.js');
  if (!existsSync(dist)) {
    const r = spawnSync('npx', ['rollup', '-c', '--silent'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('bench:sdk: the build failed');
  }
  // IndexedDB as a browser has it, so track() pays for the real queue path (writes batched per task)
  await import('fake-indexeddb/auto');
  const { createClient } = await import(pathToFileURL(dist).href);
  const options = { appKey: 'bench', endpoint: 'http://127.0.0.1:9', autocapture: false, fetch: backend, flush: { count: 20, intervalMs: 2000 } };
  const rows = [];

  // --- track() ---
  {
    const sw = createClient(options);
    const errors = [];
    sw.on('error', (e) => errors.push(e.code));
    for (let i = 0; i < 1000; i++) sw.track('warmup', { i });
    await sw.flush();
    const cost = new Float64Array(TRACKS);
    for (let i = 0; i < TRACKS; i++) {
      const t = performance.now();
      sw.track('item_view', { itemId: `f${i % 300}`, kind: 'fund', category: 'fund' });
      cost[i] = (performance.now() - t) * 1000;
    }
    await sw.flush();
    await sw.close();
    cost.sort();
    rows.push({ name: 'track() median', value: round(quantile(cost, 0.5)), unit: 'µs', budget: 10 });
    rows.push({ name: 'track() p99', value: round(quantile(cost, 0.99)), unit: 'µs', budget: null });
    if (errors.length) console.error('bench:sdk: errors while tracking:', errors.join(', '));
  }

  // --- event → reminder ---
  {
    const sw = createClient(options);
    let got = 0;
    let at = 0;
    sw.on('reminder', () => {
      at = performance.now();
      got++;
    });
    // the rule arrives with the config; wait for it to be in force
    for (let tries = 0; got === 0 && tries < 500; tries++) {
      sw.track('loan_apply_exit', { step: 2 });
      await new Promise((r) => setTimeout(r, 10));
    }
    if (!got) throw new Error('bench:sdk: the trigger rule never came into force');
    const latency = new Float64Array(REMINDERS);
    for (let i = 0; i < REMINDERS; i++) {
      const before = got;
      const t = performance.now();
      sw.track('loan_apply_exit', { step: 1 + (i % 3) });
      // built (and its trigger fired) in the call's first slice, a microtask of this task
      await Promise.resolve();
      if (got !== before + 1) throw new Error('bench:sdk: a reminder did not fire in the task of its event');
      latency[i] = at - t;
      // a task boundary now and then, as between user actions, so queue writes run as they would
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    await sw.close();
    latency.sort();
    rows.push({ name: 'event → reminder p50', value: round(quantile(latency, 0.5), 4), unit: 'ms', budget: null });
    rows.push({ name: 'event → reminder p99', value: round(quantile(latency, 0.99), 4), unit: 'ms', budget: 5 });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await run();
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows)
    console.log(`${r.name.padEnd(w)}  ${String(r.value).padStart(8)} ${r.unit.padEnd(2)}${r.budget != null ? `  (budget ≤ ${r.budget} ${r.unit})` : ''}`);
}

// `npm run bench:ingest`: durable POST /v1/events throughput of the built server-stub.
//
// Starts `node dist/server/main.js --port 0 --data <tmp> --no-rate-limit --no-demo-data` (building it first when
// dist/server is missing), posts batches of 500 events from several keep-alive connections for a
// bounded time, then checks that the events table holds exactly the acknowledged events (every 200
// was on disk: synchronous=FULL, one fsync per commit). Budget: ≥ 50 000 events/s.
//
// Traffic as the SDK sends it: each batch is one device's queue (one anonymousId, a userId for a
// third of the devices, from a pool of 20 000 devices), random UUID event ids, a mix of 40 %
// impressions, 25 % page views, 20 % item views, 10 % other tracks, 4 % clicks, 1 % conversions on
// real catalog items (read from /v1/decide).
//
//   node test/bench/ingest.mjs [--seconds 10] [--connections 8] [--batch 500] [--devices 20000]
//                              [--main dist/server/main.js]   (another build of the server)
//                              [--no-catalog]   (item ids unknown to the engine: the store path alone)
//                              [--ids v7|v4]    (time-ordered event ids as the SDK sends them, or random v4)
//   SLOTWISE_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' node test/bench/ingest.mjs   (profile the server)
//
// A benchmark, not a test: it prints numbers and the budget verdict, and fails only when the
// stored rows disagree with the acknowledgements. The client shares the machine's cores with the
// server, so the figure is a floor; the load average is printed with it.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuOf, cpuPer } from './cpu.mjs';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUDGET = 50_000;
const KEY = 'demo';

const defaults = { seconds: 10, connections: 8, batch: 500, devices: 20_000, catalog: true, ids: 'v7', main: join(root, 'dist', 'server', 'main.js') };

/**
 * Runs the benchmark; returns rows for the aggregate `npm run bench` table
 * ({ name, value, unit, budget, better? }; `better: 'higher'` marks a floor rather than a ceiling).
 */
export async function run(options = {}) {
  return (await measure(options)).rows;
}

async function measure(options) {
  const o = { ...defaults, ...options };
  const server = await startBuiltServer(o.main);
  try {
    // --no-catalog: item ids the catalog lacks, so the engine's item statistics stay out of the figure
    const items = o.catalog ? await catalogItems(server.url) : Array.from({ length: 100 }, (_, i) => `no-such-item-${i}`);
    const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
    const load = { before: loadavg()[0] };
    // warm-up: JIT, SQLite page cache, profile cache; not counted
    const traffic = { url: server.url, agent, ids: idMaker(o.ids), batch: o.batch, connections: o.connections, bodies: templates({ items, batch: o.batch, devices: o.devices }) };
    await drive({ ...traffic, ms: 1500 });
    const warm = server.count();
    const cpu0 = server.cpuSeconds();
    const threads0 = cpuOf(server.pid);
    const client0 = process.cpuUsage();
    const r = await drive({ ...traffic, ms: o.seconds * 1000 });
    const client = process.cpuUsage(client0);
    const cpu = server.cpuSeconds() - cpu0;
    const per = cpuPer(threads0, cpuOf(server.pid), r.accepted / 1000);
    load.after = loadavg()[0];
    agent.destroy();
    const stored = server.count() - warm;
    const walMB = server.walBytes() / 2 ** 20;
    if (stored !== r.accepted || r.duplicates !== 0) {
      throw new Error(`bench:ingest: ${r.accepted} events acknowledged (${r.duplicates} duplicates) but ${stored} rows stored`);
    }
    const rate = Math.round(r.accepted / (r.ms / 1000));
    // what one fully available core would take: independent of how busy the machine is
    const perCore = cpu > 0 && Number.isFinite(cpu) ? Math.round(r.accepted / cpu) : null;
    const lat = r.latencies.sort((a, b) => a - b);
    const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
    return {
      rows: [
        {
          name: '/v1/events durable ingest',
          value: rate,
          unit: 'events/s',
          budget: BUDGET,
          better: 'higher',
          note: `${o.connections} connections × ${o.batch}-event batches, ${o.ids} ids, load avg ${load.before.toFixed(1)}; stored rows = acks`,
        },
        ...(perCore ? [{ name: '/v1/events per server CPU-second', value: perCore, unit: 'events/s', budget: null }] : []),
        ...(per
          ? [
              { name: 'server CPU per event, HTTP thread', value: round(per.main), unit: 'µs', budget: null },
              { name: 'server CPU per event, busiest other thread', value: round(per.busiest), unit: 'µs', budget: null, note: 'the engine thread' },
              { name: 'server CPU per event, all threads', value: round(per.all), unit: 'µs', budget: null, note: 'incl. the writer and GC threads' },
            ]
          : []),
        { name: 'load generator CPU per event', value: round((client.user + client.system) / r.accepted), unit: 'µs', budget: null, note: 'this process: rendering, sending, reading answers' },
        { name: '/v1/events request p50', value: round(q(0.5)), unit: 'ms', budget: null },
        { name: '/v1/events request p99', value: round(q(0.99)), unit: 'ms', budget: null },
      ],
      detail: { ...r, rate, perCore, cpu, stored, walMB, load, connections: o.connections, batch: o.batch, ids: o.ids },
    };
  } catch (error) {
    if (server.stderr()) console.error(server.stderr());
    throw error;
  } finally {
    await server.stop();
  }
}

const round = (x) => Number(x.toFixed(2));

/** The built server on a free loopback port, with a read-only view of its row count. */
async function startBuiltServer(main) {
  if (!existsSync(main)) {
    const b = spawnSync('npx', ['rollup', '-c', '--silent'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0 || !existsSync(main)) throw new Error('bench:ingest: the build failed');
  }
  const data = mkdtempSync(join(tmpdir(), 'slotwise-bench-'));
  const nodeArgs = (process.env.SLOTWISE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, main, '--port', '0', '--data', data, '--no-rate-limit', '--no-demo-data'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`bench:ingest: the server did not start\n${stderr}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`bench:ingest: the server exited (${code})\n${stderr}`)));
  });
  const { default: Database } = await import('better-sqlite3');
  let db;
  return {
    url,
    pid: child.pid,
    /** the tail of what the server logged (its 500s carry their stack there) */
    stderr: () => stderr,
    /** user + system CPU of the server process so far (Linux /proc; NaN elsewhere) */
    cpuSeconds() {
      try {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return Number.NaN;
      }
    },
    /** bytes of the write-ahead log now (checkpoints keep it from growing without bound) */
    walBytes: () => {
      try {
        return statSync(join(data, 'slotwise.db-wal')).size;
      } catch {
        return 0;
      }
    },
    count: () => (db ??= new Database(join(data, 'slotwise.db'), { readonly: true })).prepare('SELECT count(*) FROM events').pluck().get(),
    async stop() {
      db?.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}

function post(url, agent, path, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-slotwise-key': KEY, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`bench:ingest: ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`));
          else resolve(JSON.parse(text));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Item ids the engine knows, so views and clicks touch its statistics as real traffic does. */
export async function catalogItems(url) {
  const agent = new Agent({ keepAlive: false });
  const answer = await post(url, agent, '/v1/decide', JSON.stringify({
    anonymousId: 'bench', sessionId: 'bench', context: { page: '/', channel: 'web', locale: 'en' },
    slots: [{ id: 'a', kind: 'picks', count: 50 }, { id: 'b', kind: 'feed', count: 50 }, { id: 'c', kind: 'ad', count: 10 }],
  }));
  const ids = Object.values(answer.slots).flatMap((s) => s.items.map((i) => i.id));
  if (!ids.length) throw new Error('bench:ingest: the decide answer named no item');
  return ids;
}

/**
 * Event ids for one batch, `n` at a time. v7 (RFC 9562): a 48-bit millisecond timestamp, then a
 * 12-bit counter (its "monotonic random" field) and random bits drawn once per batch, so ids of one
 * period sort together and one batch costs one randomUUID. v4: random, one randomUUID per event.
 */
export function idMaker(kind) {
  if (kind !== 'v7') return (n) => Array.from({ length: n }, () => randomUUID());
  return (n) => {
    const hex = Date.now().toString(16).padStart(12, '0');
    const head = `${hex.slice(0, 8)}-${hex.slice(8)}-7`;
    const tail = randomUUID().slice(18);
    return Array.from({ length: n }, (_, i) => `${head}${i.toString(16).padStart(3, '0')}${tail}`);
  };
}

const CONTEXT = JSON.stringify({
  channel: 'web',
  page: { url: 'https://bank.example/home', path: '/home', title: 'Home', referrer: '' },
  locale: 'zh-CN',
  screen: { width: 390, height: 844 },
  timezone: 'Asia/Shanghai',
  sdk: { name: 'slotwise', version: '0.1.0' },
});

/**
 * One device's batch as the SDK serialises it, rendered once before the clock starts as bytes,
 * with where its event ids go: sending it costs the client a copy and 500 id writes, so the figure
 * is the server's, not the generator's (rendering each body as a string while measuring cost the
 * client ~9 µs per event, as much as half the server's).
 */
function batchTemplate(n, device, items, seq) {
  const anon = `anon-${device}`;
  const user = device % 3 === 0 ? `,"userId":"user-${device}"` : '';
  const session = `sess-${device}-${seq >> 4}`;
  const ts = Date.now() - n;
  const chunks = [];
  const offsets = new Int32Array(n);
  let length = 0;
  const add = (text) => {
    chunks.push(text);
    length += Buffer.byteLength(text);
  };
  add(`{"sentAt":${Date.now()},"events":[`);
  for (let i = 0; i < n; i++) {
    const item = items[(device * 7 + i) % items.length];
    const r = (device * 31 + i * 17) % 100;
    add(`${i ? ',' : ''}{"id":"`);
    offsets[i] = length;
    add(ID_SLOT);
    const head = `","ts":${ts + i},"anonymousId":"${anon}"${user},"sessionId":"${session}","context":${CONTEXT},`;
    add(
      r < 40 ? `${head}"type":"impression","name":"impression","decisionId":"d-${seq}","slotId":"home.today","itemId":"${item}","position":${i % 4},"properties":{}}`
      : r < 65 ? `${head}"type":"page","name":"page","properties":{"path":"/home","title":"Home"}}`
      : r < 85 ? `${head}"type":"track","name":"item_view","properties":{"itemId":"${item}","kind":"fund","category":"fund"}}`
      : r < 95 ? `${head}"type":"track","name":"loan_apply_step","properties":{"step":${1 + (i % 4)}}}`
      : r < 99 ? `${head}"type":"click","name":"click","decisionId":"d-${seq}","slotId":"home.today","itemId":"${item}","position":${i % 4},"properties":{}}`
      : `${head}"type":"conversion","name":"conversion","decisionId":"d-${seq}","slotId":"home.today","itemId":"${item}","position":0,"properties":{"value":1000}}`,
    );
  }
  add(']}');
  return { bytes: Buffer.from(chunks.join('')), offsets };
}

/** where a template's ids go: every id is 36 ASCII characters */
const ID_SLOT = '0'.repeat(36);

/** A template's body with fresh ids, in `scratch` (one per connection: its last body was sent whole before its answer came). */
function render(template, ids, scratch) {
  const body = scratch.subarray(0, template.bytes.length);
  template.bytes.copy(body);
  for (let i = 0; i < ids.length; i++) body.latin1Write(ids[i], template.offsets[i]);
  return body;
}

/** Templates for `count` batches of distinct devices; requests cycle through them. */
const TEMPLATES = 256;
export function templates({ items, batch, devices }) {
  return Array.from({ length: TEMPLATES }, (_, n) => batchTemplate(batch, (n * 7919) % devices, items, n));
}

/**
 * `connections` loops, each posting one batch at a time, until `ms` has passed; waits for all.
 * `url` may be a list (several instances): connection i posts to url[i % length].
 */
export async function drive({ url, agent, ids, batch, connections, ms, bodies }) {
  const urls = Array.isArray(url) ? url : [url];
  let accepted = 0;
  let duplicates = 0;
  let seq = 0;
  const latencies = [];
  const largest = Math.max(...bodies.map((b) => b.bytes.length));
  const t0 = performance.now();
  const end = t0 + ms;
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const target = urls[c % urls.length];
      const scratch = Buffer.alloc(largest);
      while (performance.now() < end) {
        const body = render(bodies[seq++ % bodies.length], ids(batch), scratch);
        const t = performance.now();
        const answer = await post(target, agent, '/v1/events', body);
        latencies.push(performance.now() - t);
        accepted += answer.accepted;
        duplicates += answer.duplicates;
      }
    }),
  );
  return { accepted, duplicates, batches: latencies.length, ms: performance.now() - t0, latencies };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      connections: { type: 'string' },
      batch: { type: 'string' },
      devices: { type: 'string' },
      main: { type: 'string' },
      'no-catalog': { type: 'boolean' },
      ids: { type: 'string' },
    },
  });
  const { 'no-catalog': noCatalog, main, ids, ...numbers } = values;
  const options = { ...Object.fromEntries(Object.entries(numbers).map(([k, v]) => [k, Number(v)])), ...(main ? { main } : {}), ...(ids ? { ids } : {}), ...(noCatalog ? { catalog: false } : {}) };
  const { rows, detail: d } = await measure(options);
  const cpu = cpus();
  console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, node ${process.version}; load average ${d.load.before.toFixed(2)} before, ${d.load.after.toFixed(2)} after`);
  console.log(`${d.accepted} events (${d.ids} ids) in ${d.batches} batches of ${d.batch} from ${d.connections} connections over ${(d.ms / 1000).toFixed(1)} s; ${d.stored} rows stored = acknowledged; WAL ${d.walMB.toFixed(1)} MB at the end`);
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const verdict = r.budget == null ? '' : `  (budget ≥ ${r.budget} ${r.unit}: ${r.value >= r.budget ? 'met' : 'NOT met'})`;
    console.log(`${r.name.padEnd(w)}  ${String(r.value).padStart(8)} ${r.unit}${verdict}`);
  }
}

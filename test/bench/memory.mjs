// Memory held by 10 000 queued events in Node, on the built package (dist/index.js): the server is
// unreachable (every send fails at once, so the events stay queued), heap used after a forced GC
// before and after tracking them. Twice: with the in-memory queue (no IndexedDB: the SDK's own
// footprint) and with fake-indexeddb (the stored queue lives in the same heap, as a stand-in for
// the browser's IndexedDB). Each in a child process of its own started with --expose-gc, so what
// one run leaves behind is never counted against the other.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const self = fileURLToPath(import.meta.url);
const N = 10_000;

async function child(only) {
  await import('fake-indexeddb/auto');
  const { createClient } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
  const down = async () => {
    throw new TypeError('bench: the network is down');
  };
  const used = () => {
    globalThis.gc();
    globalThis.gc();
    return process.memoryUsage().heapUsed;
  };
  const out = {};
  for (const [label, indexedDB] of [['memory', false], ['idb', undefined]].filter(([label]) => label === only)) {
    const sw = createClient({ appKey: `bench-${label}`, endpoint: 'http://127.0.0.1:9', autocapture: false, fetch: down, maxQueue: N, ...(indexedDB === false ? { indexedDB: false } : {}) });
    sw.on('error', () => {});
    sw.track('warmup');
    await sw.flush();
    const before = used();
    for (let task = 0; task < 10; task++) {
      for (let i = 0; i < N / 10; i++) sw.track('item_view', { itemId: `f${i % 300}`, kind: 'fund', category: 'fund', n: task * 1000 + i });
      await new Promise((r) => setImmediate(r));
    }
    await sw.flush();
    const after = used();
    out[label] = after - before;
    await sw.close();
  }
  process.stdout.write(JSON.stringify(out));
}

export async function run() {
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('bench:memory: dist/index.js is missing; build first');
  const m = {};
  for (const label of ['memory', 'idb']) {
    const r = spawnSync(process.execPath, ['--expose-gc', self, '--child', label], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`bench:memory: the child failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
    Object.assign(m, JSON.parse(r.stdout));
  }
  const mb = (b) => Number((b / 2 ** 20).toFixed(2));
  return [
    { name: 'memory held by 10 000 queued events, Node', value: mb(m.memory), unit: 'MB', budget: null, note: `in-memory queue, heap after GC (${Math.round(m.memory / N)} B/event)` },
    { name: 'memory held by 10 000 queued events, Node + fake IDB', value: mb(m.idb), unit: 'MB', budget: null, note: 'the stored rows in the same heap' },
  ];
}

if (process.argv.includes('--child')) await child(process.argv[process.argv.indexOf('--child') + 1]);
else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) for (const r of await run()) console.log(`${r.name.padEnd(52)} ${r.value} ${r.unit}  ${r.note}`);

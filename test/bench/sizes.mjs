// Bundle sizes of the script-tag build as shipped (dist/, built by rollup): minified, min+gzip
// (level 9) and min+brotli (quality 11). Budgets (DESIGN.md): the core ≤ 14 KB min+gzip; the core
// and the network chunk it loads in parallel at start — all a page loads before its first event is
// sent — ≤ 20 KB min+gzip together; the widgets chunk ≤ 11 KB min+gzip (KB = 1 024 bytes).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KB = 1024;

const measure = (buf) => ({
  min: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
});

const kb = (bytes) => Number((bytes / KB).toFixed(2));

export async function run() {
  const file = (name) => join(root, 'dist', name);
  const read = (name) => (existsSync(file(name)) ? readFileSync(file(name)) : undefined);
  const core = read('slotwise.min.js');
  const net = read('slotwise-net.min.js');
  const widgets = read('slotwise-widgets.min.js');
  const rows = [];
  const add = (what, buf, budgetGzip) => {
    if (!buf) {
      rows.push({ name: `${what} min+gzip`, value: null, unit: 'KB', budget: budgetGzip, note: 'not built' });
      return;
    }
    const s = measure(buf);
    rows.push({ name: `${what} min+gzip`, value: kb(s.gzip), unit: 'KB', budget: budgetGzip, note: `${s.gzip} B; ${s.min} B min` });
    rows.push({ name: `${what} min+brotli`, value: kb(s.brotli), unit: 'KB', budget: null, note: `${s.brotli} B` });
  };
  add('core slotwise.min.js', core, 14);
  if (net) {
    add('net chunk slotwise-net.min.js', net, null);
    // what a page with the script tag downloads before it can send: both files, compressed apart
    const g = measure(core).gzip + measure(net).gzip;
    const b = measure(core).brotli + measure(net).brotli;
    rows.push({ name: 'core + net min+gzip', value: kb(g), unit: 'KB', budget: 20, note: `${g} B, two files: all before the first send` });
    rows.push({ name: 'core + net min+brotli', value: kb(b), unit: 'KB', budget: null, note: `${b} B, two files` });
  }
  add('widgets chunk slotwise-widgets.min.js', widgets, 11);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await run()) console.log(`${r.name.padEnd(44)} ${String(r.value ?? '—').padStart(7)} ${r.unit}  ${r.budget != null ? `(budget ≤ ${r.budget} ${r.unit}) ` : ''}${r.note ?? ''}`);
}

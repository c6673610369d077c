// `npm run import -- --app demo --kind profiles --in customers.csv [flags]`: one batch import of
// customer data (see server-stub/customers/cli.ts). Bundles the CLI with esbuild into
// dist/import/cli.js when that is missing or older than its sources, then runs it with the
// remaining arguments.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'dist/import/cli.js');
const newest = (dir) =>
  Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
const sources = Math.max(...['server-stub/customers', 'server-stub/admin', 'server-stub/store', 'server-stub/wire', 'sdk'].map((d) => newest(join(root, d))));
if (!existsSync(out) || statSync(out).mtimeMs < sources) {
  await build({
    stdin: {
      contents: "import { main } from './server-stub/customers/cli.ts'; main(process.argv.slice(2)).then((code) => process.exit(code), (e) => { console.error(e.stack ?? e); process.exit(1); });",
      resolveDir: root,
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}
const r = spawnSync(process.execPath, ['--enable-source-maps', out, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);

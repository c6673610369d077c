// Runs a model CLI (server-stub/models/cli/<name>.ts): bundles it with esbuild into
// dist/models/<name>.js when that is missing or older than the model sources, then runs it with
// the remaining arguments. `node scripts/models.mjs eval-bank --folds 5`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const [name, ...args] = process.argv.slice(2);
const entry = `server-stub/models/cli/${name}.ts`;
if (!name || !existsSync(entry)) {
  console.error(`usage: node scripts/models.mjs <${existsSync('server-stub/models/cli') ? readdirSync('server-stub/models/cli').map((f) => f.replace(/\.ts$/, '')).join('|') : 'cli'}> [args]`);
  process.exit(2);
}
const out = `dist/models/${name}.js`;
const newest = (dir) => Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
if (!existsSync(out) || statSync(out).mtimeMs < Math.max(newest('server-stub/models'), statSync('sdk/contract.ts').mtimeMs)) {
  await build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' });
}
const r = spawnSync(process.execPath, ['--enable-source-maps', out, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);

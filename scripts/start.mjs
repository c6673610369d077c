// `npm start -- [flags]`: build what is missing or older than its sources, then run the
// server-stub (dist/server/main.js) in this process with the same flags (see server-stub/cli.ts).
// Each rollup output is built on its own, so a broken widget does not keep the server from starting.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const main = join(root, 'dist/server/main.js');
const outputs = [main, join(root, 'dist/slotwise.min.js'), join(root, 'dist/console/console.js')];
const sources = ['sdk', 'widgets', 'server-stub', 'demo', 'console', 'rollup.config.mjs', 'package.json'];

/** newest mtime under a path, skipping what rollup does not read */
const newest = (path) => {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    max = Math.max(max, newest(join(path, entry.name)));
  }
  return max;
};

async function build() {
  const cwd = process.cwd();
  process.chdir(root); // rollup.config.mjs names its files relative to the repository
  try {
    const { rollup } = await import('rollup');
    const { default: configs } = await import(pathToFileURL(join(root, 'rollup.config.mjs')).href);
    for (const config of configs) {
      const targets = [config.output].flat();
      const name = targets.map((o) => o.file ?? o.dir).join(', ');
      try {
        const bundle = await rollup({ ...config, onwarn: () => {} });
        for (const output of targets) await bundle.write(output);
        await bundle.close();
      } catch (error) {
        console.error(`slotwise: building ${name} failed: ${error.message}`);
      }
    }
  } finally {
    process.chdir(cwd);
  }
}

const built = Math.min(...outputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
if (built < Math.max(...sources.map((s) => newest(join(root, s))))) {
  console.log(built ? 'slotwise: sources changed, rebuilding…' : 'slotwise: building…');
  await build();
}
if (!existsSync(main)) {
  console.error('slotwise: dist/server/main.js could not be built');
  process.exit(1);
}
await import(pathToFileURL(main).href);

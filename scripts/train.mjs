// `npm run train -- --data DIR`: builds the server when its build is missing or older than its
// sources, then runs dist/server/train.js with the given arguments.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const built = 'dist/server/train.js';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const stale = !existsSync(built) || statSync(built).mtimeMs < Math.max(newest('server-stub'), statSync('sdk/contract.ts').mtimeMs);
if (stale) {
  console.log('train: building the server (npx rollup -c)…');
  const b = spawnSync('npx', ['rollup', '-c', '--silent'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const r = spawnSync(process.execPath, [built, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);

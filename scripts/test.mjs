// `npm test`: build (the size and browser tests need dist/), check the browser, run every test.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(
    `npm test: no Chromium at ${chromium}. The browser tests need Debian's Chromium:\n` +
      `  apt-get update && apt-get install -y chromium   (or set CHROMIUM_PATH)\n`,
  );
  process.exit(1);
}

// the store tests and the integration-pg project run a real PostgreSQL (test/helpers/postgres.ts)
const initdb = spawnSync('sh', ['-c', 'command -v initdb || ls /usr/lib/postgresql/*/bin/initdb'], { encoding: 'utf8' });
if (initdb.status !== 0) {
  console.error(`npm test: no PostgreSQL (initdb). The store tests need Debian's PostgreSQL:\n  apt-get update && apt-get install -y postgresql\n`);
  process.exit(1);
}

run('npx', ['rollup', '-c', '--silent']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);

/**
 * The server-stub CLI (built to dist/server/main.js; `npm start` runs it). Prints where it listens
 * and where the demo is, and stops cleanly on SIGINT/SIGTERM (requests in flight finish, SQLite
 * is closed, so the WAL is checkpointed).
 */
import { parseCli, USAGE } from './cli';
import { createServer } from './server';

async function main(argv: string[]): Promise<void> {
  let cli;
  try {
    cli = parseCli(argv, process.env);
  } catch (error) {
    console.error(`slotwise: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (cli.help) return console.log(USAGE);
  const server = await createServer({ ...cli.options, log: (m) => console.error(m) });
  const made = await server.admin.bootstrap(cli.adminPassword).catch(async (error: Error) => {
    await server.close();
    throw new Error(`--admin-password: ${error.message.replace(/^password: /, '')}`);
  });
  const demo = server.host === '127.0.0.1' || server.host === '0.0.0.0' ? `http://localhost:${server.port}/` : `${server.url}/`;
  console.log(`slotwise server-stub listening on ${server.url} (data: ${server.dataDir}, events in ${server.store.kind})`);
  console.log(`demo: ${demo}`);
  console.log(`console: ${demo}console/ (operators sign in; publishing there changes the demo's slots live)`);
  console.log(`admin API: ${server.url}/admin/v1/ (npm run admin -- list-users)`);
  if (made) console.log(`operator account "${made.username}" created${made.generated ? `; its password (shown once): ${made.password}` : ' with the given --admin-password'}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`slotwise: ${signal}, stopping`);
    server.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`slotwise: ${(error as Error).message}`);
  process.exit(1);
});

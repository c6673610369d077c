/**
 * Command-line flags of the server-stub (`npm start -- …`), parsed without side effects so they
 * can be tested; main.ts runs them.
 */
import { parseArgs } from 'node:util';
import { validTimeZone } from './engine/caps';
import type { ServerOptions } from './server';

export const USAGE = `Usage: npm start -- [options]

  --port P            port to listen on (default 8787; 0 picks a free one)
  --host H            address to bind (default 127.0.0.1)
  --data DIR          data directory: slotwise.db, keys.json, models/ (default .slotwise-data/)
  --store S           where events are stored: "sqlite" (default, in --data) or a PostgreSQL URL
                      (postgres://user:password@host:5432/db) shared by any number of instances;
                      default from SLOTWISE_DATABASE_URL when set
  --pool N            PostgreSQL connections per instance (default 10)
  --catalog FILE      load an operator's catalog (JSON array of items) instead of the generated one
  --catalog-size N    size of the generated catalog (default 300)
  --time-zone TZ      the apps' IANA time zone, where campaign caps' days begin (default Asia/Shanghai)
  --origin URL        allow browser calls from this origin (repeatable; "http://host:*" = any port;
                      default: http://localhost:*, http://127.0.0.1:*, http://[::1]:*)
  --no-rate-limit     switch the per-key rate limit off (benchmarks)
  --admin-password P  the password of the operator account "admin" made on a fresh data directory
                      (default: a generated one, printed once); more accounts: npm run admin
  --no-demo-data      do not fill a fresh data directory with the demo app's simulated history
  --help              this text`;

export type Cli = { help: true } | { help: false; options: ServerOptions; adminPassword?: string };

/**
 * `argv` without node and the script, and the environment (SLOTWISE_DATABASE_URL); throws an Error
 * with a one-line reason on bad flags.
 */
export function parseCli(argv: string[], env: Record<string, string | undefined> = {}): Cli {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      store: { type: 'string' },
      pool: { type: 'string' },
      catalog: { type: 'string' },
      'catalog-size': { type: 'string' },
      'time-zone': { type: 'string' },
      origin: { type: 'string', multiple: true },
      'no-rate-limit': { type: 'boolean' },
      'admin-password': { type: 'string' },
      'no-demo-data': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };
  const options: ServerOptions = {
    port: values.port === undefined ? 8787 : int('--port', values.port, 0, 65535),
    host: values.host ?? '127.0.0.1',
    dataDir: values.data ?? '.slotwise-data',
    demoData: !values['no-demo-data'],
  };
  const store = values.store ?? env.SLOTWISE_DATABASE_URL;
  if (store !== undefined && store !== '') {
    if (store !== 'sqlite' && !/^postgres(ql)?:\/\//.test(store)) throw new Error(`--store wants "sqlite" or a postgres:// URL, got "${store}"`);
    options.store = store;
  }
  if (values.pool !== undefined) options.postgres = { poolSize: int('--pool', values.pool, 1, 1000) };
  if (values.catalog !== undefined) options.catalogFile = values.catalog;
  if (values['catalog-size'] !== undefined) options.catalogSize = int('--catalog-size', values['catalog-size'], 1, 1_000_000);
  if (values['time-zone'] !== undefined) {
    if (!validTimeZone(values['time-zone'])) throw new Error(`--time-zone wants an IANA time zone such as Asia/Shanghai, got "${values['time-zone']}"`);
    options.timeZone = values['time-zone'];
  }
  if (values.origin) options.origins = values.origin;
  if (values['no-rate-limit']) options.rateLimit = false;
  return { help: false, options, ...(values['admin-password'] !== undefined ? { adminPassword: values['admin-password'] } : {}) };
}

function int(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new Error(`${flag} wants a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

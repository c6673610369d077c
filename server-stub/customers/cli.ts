/**
 * `npm run import -- --app demo --kind profiles --in customers.csv [flags]`: one batch import,
 * straight into the store (SQLite in `--data`, or `--store postgres://…`), with or without the
 * server running — a running server sees the new snapshot with its next decide. The same import
 * as the admin API's (import.ts): fingerprint first (a duplicate reads no row), then a streaming
 * pass with a progress bar, then the summary. Audited as `cli:<os user>`.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg, { type Pool } from 'pg';
import { IMPORT_KINDS, type ImportKind } from '../../sdk/contract-customer';
import { openDb } from '../store/db';
import { audit } from '../admin/context';
import { createAdminStore } from '../admin/store';
import { HttpError } from '../wire/errors';
import { runImport } from './import';
import { ENCODINGS, type Encoding } from './reader';
import { auditOf } from './routes';
import { isDate } from './rows';
import { openPgCustomerStore } from './store-pg';
import { openSqliteCustomerStore } from './store-sqlite';

export const IMPORT_USAGE = `Usage: npm run import -- --app APP --kind profiles|tags|scores --in FILE [flags]

  --as-of YYYY-MM-DD   the snapshot's date (default today, UTC)
  --encoding E         utf-8 (default), gb18030 or gbk
  --format F           csv or ndjson (default from the file's extension: .ndjson/.jsonl, else csv)
  --columns a,b        the trait columns to keep (default every column of the file)
  --hashed c,d         columns that carry hashed identifiers (hex digests)
  --reject-threshold R share of lines that may be rejected before the snapshot is aborted (default 0.01)
  --keep N             snapshots kept for rollback (default 3)
  --data DIR           data directory (default .slotwise-data)
  --store URL          postgres://… instead of the data directory's SQLite file
  --quiet              no progress bar`;

async function fingerprintOf(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Runs the CLI; resolves to the exit code. Row contents are never printed. */
export async function main(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        app: { type: 'string' }, kind: { type: 'string' }, in: { type: 'string' }, 'as-of': { type: 'string' }, encoding: { type: 'string' },
        format: { type: 'string' }, columns: { type: 'string' }, hashed: { type: 'string' }, 'reject-threshold': { type: 'string' },
        keep: { type: 'string' }, data: { type: 'string' }, store: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    out(`${(error as Error).message}\n\n${IMPORT_USAGE}`);
    return 2;
  }
  if (values.help) return out(IMPORT_USAGE), 0;
  const fail = (message: string) => (out(`import: ${message}\n\n${IMPORT_USAGE}`), 2);
  if (!values.app || !values.kind || !values.in) return fail('--app, --kind and --in are required');
  if (!IMPORT_KINDS.includes(values.kind as ImportKind)) return fail(`--kind: expected one of ${IMPORT_KINDS.join(', ')}`);
  if (values['as-of'] !== undefined && !isDate(values['as-of'])) return fail('--as-of: expected a date YYYY-MM-DD');
  const encoding = (values.encoding ?? 'utf-8').toLowerCase() as Encoding;
  if (!ENCODINGS.includes(encoding)) return fail(`--encoding: expected one of ${ENCODINGS.join(', ')}`);
  const format = values.format ?? (['.ndjson', '.jsonl'].includes(extname(values.in).toLowerCase()) ? 'ndjson' : 'csv');
  if (format !== 'csv' && format !== 'ndjson') return fail('--format: expected csv or ndjson');
  const threshold = values['reject-threshold'] === undefined ? undefined : Number(values['reject-threshold']);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) return fail('--reject-threshold: expected a share from 0 to 1');
  const keep = values.keep === undefined ? undefined : Number(values.keep);
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1 && keep <= 100)) return fail('--keep: expected a whole number from 1 to 100');
  let size: number;
  try {
    size = statSync(values.in).size;
  } catch {
    return fail(`--in: cannot read ${values.in}`);
  }
  const dataDir = values.data ?? '.slotwise-data';
  const pool = values.store ? new pg.Pool({ connectionString: values.store, max: 2, application_name: 'slotwise-import' }) : undefined;
  const store = pool ? await openPgCustomerStore(pool, { end: true }) : openSqliteCustomerStore(dataDir);
  const actor = `cli:${userInfo().username}`;
  const auditTo = pool ? { pool } : { dataDir };
  const bar = values.quiet ? undefined : new cliProgress.SingleBar({ format: 'import {bar} {percentage}% | {lines} lines | {rate} lines/s', hideCursor: true }, cliProgress.Presets.shades_classic);
  try {
    const fingerprint = await fingerprintOf(values.in);
    let read = 0;
    const t0 = Date.now();
    bar?.start(size, 0, { lines: 0, rate: 0 });
    const source = (async function* () {
      for await (const chunk of createReadStream(values.in!, { highWaterMark: 1 << 20 })) {
        read += (chunk as Buffer).byteLength;
        yield chunk as Buffer;
      }
    })();
    const row = await runImport(
      store,
      source,
      { app: values.app, kind: values.kind as ImportKind, asOf: values['as-of'], format, encoding, columns: list(values.columns), hashed: list(values.hashed), fingerprint, actor },
      {
        now: Date.now,
        policy: { ...(threshold !== undefined ? { rejectThreshold: threshold } : {}), ...(keep !== undefined ? { keep } : {}) },
        onProgress: (lines) => bar?.update(read, { lines, rate: Math.round(lines / Math.max(0.001, (Date.now() - t0) / 1000)) }),
      },
    );
    bar?.update(size);
    bar?.stop();
    const seconds = (Date.now() - t0) / 1000;
    await recordAudit(auditTo, actor, values.app, { action: 'import.run', target: `import:${row.id}`, diff: auditOf(row) });
    out(`import ${row.id}: ${row.status}${row.note ? ` (${row.note})` : ''}`);
    out(`  ${row.kind} as of ${row.asOf}, fingerprint ${row.fingerprint.slice(0, 16)}…`);
    out(`  lines ${row.lines} = inserted ${row.inserted} + updated ${row.updated} + unchanged ${row.unchanged} + rejected ${row.rejected}; removed ${row.removed}`);
    out(`  ${seconds.toFixed(1)} s, ${Math.round(row.lines / Math.max(0.001, seconds))} lines/s`);
    const errors = JSON.parse(row.errors) as { line: number; field: string; code: string; message: string }[];
    for (const e of errors.slice(0, 20)) out(`  line ${e.line}${e.field ? ` ${e.field}` : ''}: ${e.code}: ${e.message}`);
    if (row.rejected > 20) out(`  … ${row.rejected - 20} more rejected lines (GET /admin/v1/apps/${values.app}/imports/${row.id}/rejected)`);
    return row.status === 'aborted' ? 1 : 0;
  } catch (error) {
    bar?.stop();
    if (error instanceof HttpError) {
      await recordAudit(auditTo, actor, values.app, { action: 'import.refused', target: `kind:${values.kind}`, diff: { code: error.code, path: error.path } });
      out(`import refused: ${error.message} (${error.code}${error.path ? `, ${error.path}` : ''})`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
  }
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

/**
 * The audit entry, in the operators' audit log (admin/store.ts) of the store the rows went to:
 * the data directory's SQLite, or the PostgreSQL every instance shares (the import's own pool,
 * still open: the customer store ends it on close).
 */
async function recordAudit(to: { pool: Pool } | { dataDir: string }, actor: string, app: string, entry: { action: string; target: string; diff: unknown }): Promise<void> {
  const db = 'dataDir' in to ? openDb(to.dataDir) : undefined;
  try {
    const store = await createAdminStore(db ? { kind: 'sqlite', db } : { kind: 'postgres', pool: (to as { pool: Pool }).pool });
    await store.atomic(() => audit({ store, now: Date.now }, { ip: '', userAgent: 'npm run import' }, actor, { app, ...entry }));
  } finally {
    db?.close();
  }
}

/**
 * The operator routes of customer data, mounted under `/admin/v1` by admin/index.ts with the
 * admin API's own checks (who → may they → the app exists) and audit log; the table is in
 * sdk/contract-customer.ts.
 *
 * An uploaded file is first spooled to `<dataDir>/imports/` while its fingerprint is computed,
 * then imported from there: the request's body deadlines never race the import, and a duplicate is
 * known before a row is read. The spool file is removed when the import ends.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Hono, type Context } from 'hono';
import type { Role } from '../../sdk/contract-admin';
import { IMPORT_KINDS, identityBody, type IdentitySettings, type ImportAnswer, type ImportError, type ImportKind } from '../../sdk/contract-customer';
import { firstProblem } from '../../sdk/contract';
import { HttpError } from '../wire/errors';
import { ENCODINGS, type Encoding, type Format } from './reader';
import { isDate } from './rows';
import type { ImportRow } from './store';
import type { Customers } from './index';

export interface RouteHooks {
  /** the caller's name after the admin checks for `role` on the `:app` of `c` (401/403/404 otherwise) */
  authorize(c: Context, role: Role): Promise<string>;
  /** appends an audit entry for the change just made, to the admin audit log in the admin store
   * (the server's SQLite, or the PostgreSQL every instance shares) */
  audit(c: Context, actor: string, entry: { app: string; action: string; target: string; diff?: unknown }): Promise<void>;
  /** a JSON body, as the admin API reads them (content type, size, deadlines) */
  json(c: Context): Promise<unknown>;
}

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

export function importAnswer(r: ImportRow, withErrors = true): ImportAnswer {
  return {
    id: r.id,
    kind: r.kind,
    asOf: r.asOf,
    fingerprint: r.fingerprint,
    status: r.status,
    lines: r.lines,
    inserted: r.inserted,
    updated: r.updated,
    unchanged: r.unchanged,
    rejected: r.rejected,
    removed: r.removed,
    errors: withErrors ? (JSON.parse(r.errors) as ImportError[]) : [],
    actor: r.actor,
    startedAt: iso(r.startedAt)!,
    ...(r.finishedAt !== null ? { finishedAt: iso(r.finishedAt) } : {}),
    ...(r.note ? { note: r.note } : {}),
  };
}

const bad = (path: string, message: string) => new HttpError(400, 'invalid_query', message, { path });
const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

function csvCell(v: unknown): string {
  let s = String(v ?? '');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function createCustomerRoutes(customers: Customers, hooks: RouteHooks, o: { spoolDir: string; maxBytes: number }): Hono {
  const api = new Hono();

  api.post('/apps/:app/imports', async (c) => {
    const actor = await hooks.authorize(c, 'publisher');
    const app = c.req.param('app');
    const kind = c.req.query('kind') as ImportKind | undefined;
    if (!kind || !IMPORT_KINDS.includes(kind)) throw new HttpError(400, 'unknown_kind', `kind: expected one of ${IMPORT_KINDS.join(', ')}`, { path: 'kind' });
    const asOf = c.req.query('asOf');
    if (asOf !== undefined && !isDate(asOf)) throw bad('asOf', 'asOf: expected a date YYYY-MM-DD');
    const encoding = (c.req.query('encoding') ?? 'utf-8').toLowerCase().replace(/^utf8$/, 'utf-8') as Encoding;
    if (!ENCODINGS.includes(encoding)) throw bad('encoding', `encoding: expected one of ${ENCODINGS.join(', ')}`);
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const format: Format | undefined = type === 'text/csv' ? 'csv' : type === 'application/x-ndjson' || type === 'application/jsonl' ? 'ndjson' : undefined;
    if (!format) throw new HttpError(415, 'unsupported_media_type', 'send the file as text/csv or application/x-ndjson', { path: 'content-type' });
    const body = c.req.raw.body;
    if (!body) throw new HttpError(400, 'no_header', 'the body is empty: send the file', { path: 'body' });

    mkdirSync(o.spoolDir, { recursive: true });
    const file = join(o.spoolDir, `${randomUUID()}.part`);
    try {
      const hash = createHash('sha256');
      const out = createWriteStream(file);
      let bytes = 0;
      try {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          bytes += chunk.byteLength;
          if (bytes > o.maxBytes) throw new HttpError(413, 'too_large', `an import file may have at most ${o.maxBytes} bytes; use npm run import for larger ones`, { path: 'body' });
          hash.update(chunk);
          if (!out.write(chunk)) await once(out, 'drain');
        }
      } finally {
        out.end();
        await once(out, 'close').catch(() => {});
      }
      const row = await customers.importFile(bytesOf(file), {
        app, kind, asOf, encoding, format, columns: list(c.req.query('columns')), hashed: list(c.req.query('hashed')),
        fingerprint: hash.digest('hex'), actor,
      });
      await hooks.audit(c, actor, { app, action: 'import.run', target: `import:${row.id}`, diff: auditOf(row) });
      return c.json({ import: importAnswer(row) });
    } catch (error) {
      if (error instanceof HttpError && error.status === 400) await hooks.audit(c, actor, { app, action: 'import.refused', target: `kind:${kind}`, diff: { code: error.code, path: error.path } });
      throw error;
    } finally {
      rmSync(file, { force: true });
    }
  });

  api.get('/apps/:app/imports', async (c) => {
    await hooks.authorize(c, 'viewer');
    const rows = await customers.store.list(c.req.param('app'), 200);
    return c.json({ items: rows.map((r) => importAnswer(r, false)) });
  });

  const one = async (c: Context) => {
    const id = Number(c.req.param('id'));
    const row = Number.isSafeInteger(id) ? await customers.store.get(c.req.param('app')!, id) : undefined;
    if (!row) throw new HttpError(404, 'not_found', `no import ${c.req.param('id')}`, { path: 'id' });
    return row;
  };

  api.get('/apps/:app/imports/:id', async (c) => {
    await hooks.authorize(c, 'viewer');
    return c.json({ import: importAnswer(await one(c)) });
  });

  api.get('/apps/:app/imports/:id/rejected', async (c) => {
    await hooks.authorize(c, 'viewer');
    const row = await one(c);
    const errors = JSON.parse(row.errors) as ImportError[];
    const lines = ['line,field,code,message', ...errors.map((e) => [e.line, e.field, e.code, e.message].map(csvCell).join(','))];
    c.header('content-type', 'text/csv; charset=utf-8');
    c.header('content-disposition', `attachment; filename="import-${row.id}-rejected.csv"`);
    return c.body(`${lines.join('\r\n')}\r\n`);
  });

  api.post('/apps/:app/imports/:id/rollback', async (c) => {
    const actor = await hooks.authorize(c, 'publisher');
    const row = await one(c);
    if (!(await customers.store.rollback(row.app, row.id, customers.now()))) {
      throw new HttpError(409, 'not_kept', `import ${row.id} is ${row.status}: only a kept snapshot (an earlier live one, not pruned) can be made live again`, { path: 'id' });
    }
    await hooks.audit(c, actor, { app: row.app, action: 'import.rollback', target: `import:${row.id}`, diff: { kind: row.kind, asOf: row.asOf, fingerprint: row.fingerprint } });
    return c.json({ import: importAnswer((await customers.store.get(row.app, row.id))!, false) });
  });

  const settingsAnswer = async (app: string): Promise<IdentitySettings> => {
    const s = await customers.store.identity(app);
    const row = s ?? (await customers.identity.settings(app));
    return {
      mode: row.mode,
      riskPolicy: row.riskPolicy,
      validityDays: row.validityDays,
      hasSecret: !!row.secret,
      ...(row.previous && row.previousUntil !== null && row.previousUntil > customers.now() ? { previousValidUntil: iso(row.previousUntil) } : {}),
    };
  };

  api.get('/apps/:app/identity', async (c) => {
    await hooks.authorize(c, 'viewer');
    return c.json(await settingsAnswer(c.req.param('app')));
  });

  api.put('/apps/:app/identity', async (c) => {
    const actor = await hooks.authorize(c, 'admin');
    const app = c.req.param('app');
    const parsed = identityBody().safeParse(await hooks.json(c));
    if (!parsed.success) {
      const p = firstProblem(parsed.error);
      throw new HttpError(400, p.code, p.message, { path: p.path });
    }
    const patch = parsed.data;
    if (patch.mode === 'signed' && !(await customers.store.identity(app))?.secret) {
      throw new HttpError(409, 'no_secret', 'create the identity secret first (POST …/identity/secret): in signed mode without one nobody could be verified', { path: 'mode' });
    }
    await customers.identity.update(app, patch);
    await hooks.audit(c, actor, { app, action: 'identity.update', target: `app:${app}`, diff: patch });
    return c.json(await settingsAnswer(app));
  });

  api.post('/apps/:app/identity/secret', async (c) => {
    const actor = await hooks.authorize(c, 'admin');
    const app = c.req.param('app');
    const secret = await customers.identity.rotate(app);
    // the secret itself is never written to the audit log
    await hooks.audit(c, actor, { app, action: 'identity.secret', target: `app:${app}`, diff: { rotated: true } });
    return c.json({ secret });
  });

  return api;
}

/** the file's bytes, opened when first read (a duplicate is never read) */
async function* bytesOf(file: string): AsyncGenerator<Uint8Array> {
  yield* createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>;
}

/** what the audit log keeps of an import: counts and fingerprint, never a row */
export const auditOf = (r: ImportRow) => ({
  kind: r.kind, asOf: r.asOf, fingerprint: r.fingerprint, status: r.status, lines: r.lines,
  inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected, removed: r.removed,
});

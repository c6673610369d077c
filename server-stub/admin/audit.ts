/**
 * The audit log, read back:
 *
 * | route                              | who            | answer                                      |
 * | ---------------------------------- | -------------- | ------------------------------------------- |
 * | GET /admin/v1/apps/:app/audit      | viewer on app  | 200 { items: AuditEntry[], next } or CSV    |
 * | GET /admin/v1/audit                | admin on *     | the same over every app and the accounts    |
 *
 * `?format=json|csv` (default json), `?limit=` (json 100, csv 10 000; at most 10 000), `?before=<id>`
 * for the page after `next`. Newest first. The CSV also carries `next`, as the header `x-next-before`.
 * Entries are only ever appended (store.ts: triggers refuse UPDATE and DELETE on the table).
 */
import type { Context, Hono } from 'hono';
import { HttpError } from '../wire/errors';
import { demand } from './auth';
import { intParam, iso, onApp, who, type AdminContext } from './context';
import type { AuditRow } from './store';
import type { AuditAnswer } from '../../sdk/contract-admin';

const COLUMNS = ['id', 'at', 'actor', 'app', 'action', 'target', 'ip', 'userAgent', 'diff'] as const;

export const auditAnswer = (r: AuditRow): AuditAnswer => ({
  id: r.id,
  at: iso(r.at)!,
  actor: r.actor,
  app: r.app,
  action: r.action,
  target: r.target,
  ip: r.ip,
  userAgent: r.userAgent,
  diff: JSON.parse(r.diff),
});

/**
 * One CSV field (RFC 4180 quoting). A field a spreadsheet would run as a formula (= + - @, tab,
 * CR) gets a leading apostrophe: audit text comes from users (rule names, user agents).
 */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function mountAudit(api: Hono, ctx: AdminContext): void {
  const answer = async (c: Context, app: string | undefined) => {
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'invalid_query', 'format: expected "json" or "csv"', { path: 'format' });
    const limit = intParam(c, 'limit', format === 'csv' ? 10_000 : 100, 1, 10_000)!;
    const before = intParam(c, 'before', undefined, 1, Number.MAX_SAFE_INTEGER);
    const rows = await ctx.store.audit({ app, before, limit: limit + 1 });
    const page = rows.slice(0, limit).map(auditAnswer);
    const next = rows.length > limit ? page[page.length - 1]!.id : null;
    if (format === 'json') return c.json({ items: page, next });
    const lines = [COLUMNS.join(','), ...page.map((e) => COLUMNS.map((k) => csvField(e[k])).join(','))];
    c.header('content-type', 'text/csv; charset=utf-8');
    c.header('content-disposition', `attachment; filename="audit-${app ?? 'all'}.csv"`);
    if (next !== null) c.header('x-next-before', String(next));
    return c.body(`${lines.join('\r\n')}\r\n`);
  };

  api.get('/apps/:app/audit', async (c) => answer(c, (await onApp(ctx, c, 'viewer')).app.id));
  api.get('/audit', async (c) => {
    demand(await who(ctx, c), 'admin');
    return answer(c, undefined);
  });
}

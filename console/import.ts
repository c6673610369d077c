/**
 * Catalog import: a CSV (one item a row, the columns below) or a JSON array of items, turned into
 * the contract's catalog items and saved one by one as drafts, so a bad row is reported with its
 * line and field and the good rows still load. An item that exists is replaced (If-Match: *).
 *
 * CSV columns (header row required, order free): id, kind, category, title_zh, title_en,
 * subtitle_zh, subtitle_en, risk, rate, termDays, minAmount, tags (separated by |), url, image,
 * cta_zh, cta_en, popularity, editorial.
 */
import type { Api, ApiError } from './api';
import { isApiError } from './api';
import { parseCsv } from './csv';

export interface RowProblem {
  /** the file's line (CSV) or the array's 1-based position (JSON) */
  line: number;
  /** the item's field, as the server or the parser names it */
  path: string;
  message: string;
}

export interface ImportResult {
  ok: number;
  bad: RowProblem[];
}

interface Row {
  line: number;
  item?: Record<string, unknown>;
  problem?: RowProblem;
}

const NUMBERS = new Set(['rate', 'termDays', 'minAmount', 'popularity', 'editorial', 'start', 'end']);
const PAIRS: Record<string, [string, 'zh-CN' | 'en']> = {
  title_zh: ['title', 'zh-CN'],
  title_en: ['title', 'en'],
  subtitle_zh: ['subtitle', 'zh-CN'],
  subtitle_en: ['subtitle', 'en'],
  cta_zh: ['cta', 'zh-CN'],
  cta_en: ['cta', 'en'],
};

export function rowsOf(name: string, text: string): Row[] {
  if (/\.json$/i.test(name) || /^\s*\[/.test(text)) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return [{ line: 1, problem: { line: 1, path: '', message: `not JSON: ${(e as Error).message}` } }];
    }
    if (!Array.isArray(data)) return [{ line: 1, problem: { line: 1, path: '', message: 'expected a JSON array of items' } }];
    return data.map((item, i) => ({ line: i + 1, item: item as Record<string, unknown> }));
  }
  const records = parseCsv(text);
  const header = records.shift();
  if (!header) return [];
  const cols = header.fields.map((f) => f.trim());
  return records.map(({ line, fields }) => {
    const item: Record<string, unknown> = {};
    for (let i = 0; i < cols.length; i++) {
      const col = cols[i]!;
      const raw = (fields[i] ?? '').trim();
      if (raw === '') continue;
      const pair = PAIRS[col];
      if (pair) {
        const o = (item[pair[0]] ??= {}) as Record<string, string>;
        o[pair[1]] = raw;
      } else if (col === 'tags') item.tags = raw.split('|').map((s) => s.trim()).filter(Boolean);
      else if (NUMBERS.has(col)) {
        const n = Number(raw);
        if (!Number.isFinite(n)) return { line, problem: { line, path: col, message: `expected a number, got "${raw}"` } };
        item[col] = n;
      } else item[col] = raw;
    }
    item.tags ??= [];
    return { line, item };
  });
}

/** Saves every good row (four at a time), reporting progress; never throws for a bad row. */
export async function importItems(api: Api, app: string, rows: Row[], progress: (done: number) => void): Promise<ImportResult> {
  const base = `/apps/${encodeURIComponent(app)}/items`;
  const bad: RowProblem[] = [];
  let ok = 0;
  let done = 0;
  let next = 0;
  const one = async (row: Row) => {
    if (row.problem) return void bad.push(row.problem);
    try {
      await api.send('POST', base, row.item);
      ok++;
    } catch (e) {
      const err = e as ApiError;
      if (isApiError(err) && err.status === 409 && err.code === 'exists' && typeof row.item?.id === 'string') {
        try {
          await api.send('PUT', `${base}/${encodeURIComponent(row.item.id)}`, row.item, { 'if-match': '*' });
          ok++;
          return;
        } catch (e2) {
          return void bad.push(problemOf(row.line, e2));
        }
      }
      bad.push(problemOf(row.line, err));
    }
  };
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      await one(row);
      progress(++done);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  bad.sort((a, b) => a.line - b.line);
  return { ok, bad };
}

const problemOf = (line: number, e: unknown): RowProblem =>
  isApiError(e) ? { line, path: e.path, message: e.message } : { line, path: '', message: String(e) };

/**
 * An operator's catalog: a JSON array of items. Each row is validated on its own (zod/mini); a bad
 * row is reported with its line in the file, its index and the field at fault, and every good row
 * still loads. A file that is not a JSON array, or holds no good row, is an error.
 *
 * @example catalog.json
 * [
 *   { "id": "mmf-1", "kind": "fund", "category": "money_market", "risk": "R1", "rate": 2.35,
 *     "title": { "zh-CN": "现金宝A", "en": "Cash Plus A" }, "highlight": { "label": "7-day yield", "value": "2.35%" } },
 *   { "id": "card-1", "kind": "card", "title": "Travel Card", "url": "/loans.html#item=card-1", "tags": ["travel"] }
 * ]
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { firstProblem, RISK_LEVELS } from '../../sdk/contract';
import { landingUrl } from './catalog';
import type { Localized } from './i18n';
import { KINDS, type CatalogItem } from './types';

const CONDITIONS = ['no_risk_profile', ...KINDS.map((k) => `holds:${k}` as const)] as const;

/** Ids travel in image paths (`/v1/images/<id>.svg`), so they are plain. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** a relative path on the host's site, or http(s); never `javascript:` and friends */
const SAFE_URL = /^(?:\/(?!\/)|#|\?|https?:\/\/)/i;

function rowSchema() {
  const str = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
  const localized = (max: number) =>
    z.union([
      str(max),
      z.object({ 'zh-CN': z.optional(str(max)), en: z.optional(str(max)) }).check(
        z.refine((o) => o['zh-CN'] !== undefined || o.en !== undefined, { message: 'needs "zh-CN" or "en"' }),
      ),
    ]);
  const date = z.union([
    z.int().check(z.minimum(0)),
    z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO date' })),
  ]);
  const url = z.string().check(z.maxLength(2048), z.refine((s) => SAFE_URL.test(s), { message: 'expected a relative path or an http(s) URL' }));
  const finite = () => z.number().check(z.refine(Number.isFinite, { message: 'expected a finite number' }));
  return z.object({
    id: z.string().check(z.regex(ID, 'expected 1–64 letters, digits, ".", "_" or "-"')),
    kind: z.enum(KINDS),
    category: z.optional(z.string().check(z.regex(NAME, 'expected 1–64 letters, digits, ".", "_" or "-"'))),
    risk: z.optional(z.enum(RISK_LEVELS)),
    rate: z.optional(finite().check(z.minimum(-100), z.maximum(1000))),
    termDays: z.optional(z.int().check(z.minimum(0), z.maximum(36_500))),
    minAmount: z.optional(finite().check(z.minimum(0))),
    tags: z.optional(z.array(z.string().check(z.regex(NAME, 'expected a plain tag name'))).check(z.maxLength(16))),
    start: z.optional(date),
    end: z.optional(date),
    title: localized(256),
    subtitle: z.optional(localized(512)),
    url: z.optional(url),
    image: z.optional(url),
    cta: z.optional(localized(32)),
    highlight: z.optional(z.object({ label: localized(64), value: str(64) })),
    popularity: z.optional(finite().check(z.minimum(0), z.maximum(1))),
    editorial: z.optional(finite().check(z.minimum(-100), z.maximum(100))),
    condition: z.optional(z.enum(CONDITIONS)),
  });
}

type Row = z.infer<ReturnType<typeof rowSchema>>;

function toLocalized(value: string | { 'zh-CN'?: string; en?: string }): Localized {
  if (typeof value === 'string') return { 'zh-CN': value, en: value };
  return { 'zh-CN': value['zh-CN'] ?? value.en!, en: value.en ?? value['zh-CN']! };
}

const toTime = (d: number | string) => (typeof d === 'number' ? d : Date.parse(d));

function toItem(row: Row, ix: number): CatalogItem {
  const category = row.category ?? row.kind;
  return {
    ix,
    id: row.id,
    kind: row.kind,
    category,
    ...(row.risk ? { risk: row.risk } : {}),
    riskLevel: row.risk ? Number(row.risk[1]) : 0,
    ...(row.rate !== undefined ? { rate: row.rate } : {}),
    ...(row.termDays !== undefined ? { termDays: row.termDays } : {}),
    ...(row.minAmount !== undefined ? { minAmount: row.minAmount } : {}),
    tags: [...new Set(row.tags ?? [])],
    start: row.start === undefined ? 0 : toTime(row.start),
    ...(row.end !== undefined ? { end: toTime(row.end) } : {}),
    title: toLocalized(row.title),
    ...(row.subtitle ? { subtitle: toLocalized(row.subtitle) } : {}),
    url: row.url ?? landingUrl(row.kind, category, row.id),
    ...(row.image ? { image: row.image } : {}),
    ...(row.cta ? { cta: toLocalized(row.cta) } : {}),
    ...(row.highlight ? { highlight: { label: toLocalized(row.highlight.label), value: row.highlight.value } } : {}),
    popularity: row.popularity ?? 0.1,
    editorial: row.editorial ?? 0,
    ...(row.condition ? { condition: row.condition } : {}),
  };
}

/**
 * Offsets where each top-level element of a JSON array starts, so a bad row can be reported with
 * its line. Assumes `text` already parsed as JSON.
 */
function elementOffsets(text: string): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let inString = false;
  let expect = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
    if (expect && depth === 1) {
      offsets.push(i);
      expect = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expect = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expect = true;
  }
  return offsets;
}

/** The 1-based line of each offset; `offsets` ascend, so one pass over the text suffices. */
function linesAt(text: string, offsets: number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let at = 0;
  for (const offset of offsets) {
    for (; at < offset; at++) if (text.charCodeAt(at) === 10) line++;
    lines.push(line);
  }
  return lines;
}

export interface ParseCatalogOptions {
  /** named in reports, e.g. the file name */
  source?: string;
  log?: (message: string) => void;
}

/** Validates rows already parsed from JSON; `lines[i]` is the line row i starts on, when known. */
export function catalogFromRows(rows: unknown[], { source = 'catalog', log = () => {} }: ParseCatalogOptions = {}, lines?: number[]): CatalogItem[] {
  const schema = rowSchema();
  const items: CatalogItem[] = [];
  const seen = new Map<string, number>();
  const where = (i: number) => `${source}${lines?.[i] !== undefined ? `:${lines[i]}` : ''} (item ${i})`;
  rows.forEach((raw, i) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const p = firstProblem(parsed.error);
      const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
      const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? ` id "${(raw as { id: string }).id.slice(0, 64)}"` : '';
      return log(`${where(i)}${id}: field ${p.path || '(row)'}: ${p.message}${more}; row skipped`);
    }
    const row = parsed.data;
    if (row.start !== undefined && row.end !== undefined && toTime(row.end) <= toTime(row.start)) {
      return log(`${where(i)} id "${row.id}": field end: must be after start; row skipped`);
    }
    const first = seen.get(row.id);
    if (first !== undefined) return log(`${where(i)} id "${row.id}": field id: duplicate of item ${first}; row skipped`);
    seen.set(row.id, i);
    items.push(toItem(row, items.length));
  });
  return items;
}

/** Parses a catalog file's text; throws when it is not a JSON array or holds no valid item. */
export function parseCatalog(text: string, options: ParseCatalogOptions = {}): CatalogItem[] {
  const source = options.source ?? 'catalog';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(json)) throw new Error(`${source}: expected a JSON array of items`);
  const offsets = elementOffsets(text);
  const lines = offsets.length === json.length ? linesAt(text, offsets) : undefined;
  const items = catalogFromRows(json, { ...options, source }, lines);
  if (!items.length) throw new Error(`${source}: no valid item among ${json.length} rows`);
  return items;
}

export function loadCatalogFile(file: string, log?: (message: string) => void): CatalogItem[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`catalog ${file}: ${(error as Error).message}`);
  }
  return parseCatalog(text, { source: file, log });
}

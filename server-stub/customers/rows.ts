/**
 * One data line of an import file → one stored row, or the reason it is rejected.
 *
 * Every kind is stored the same way, as `(userId, key, value)` with one row per key in a snapshot:
 * profiles `(userId, '', JSON of the fields)`, tags `(userId, tag, expiresAt | '')`, scores
 * `(userId, model, JSON [score, asOf])`. A snapshot's rows compare with the live one's by key and
 * value text, so values are written canonically (fields in sorted order).
 *
 * The file's columns are checked before any row (`planColumns`): a refused file is a 400 naming the
 * column. Values are checked row by row, and a value that looks like a personal identifier in a
 * column not declared hashed refuses the whole file (`Refused`), wherever in the file it is.
 */
import { RESERVED_PROFILE_COLUMNS, type ImportError, type ImportKind } from '../../sdk/contract-customer';
import { RISK_TOLERANCES } from '../../sdk/contract';
import { HttpError } from '../wire/errors';
import { looksHashed, personalKind } from './pii';

/** A value as a file gives it: CSV fields are strings, JSON lines may hold numbers and booleans. */
export type Cell = string | number | boolean | null | undefined;

export interface StagedRow {
  user: string;
  key: string;
  value: string;
  line: number;
}

export interface ColumnPlan {
  kind: ImportKind;
  /** the columns kept, in file order */
  kept: string[];
  hashed: ReadonlySet<string>;
  /** the snapshot's date, the default `asOf` of a score */
  asOf: string;
}

/** A trait name as the engine keeps traits (engine/profile.ts). */
const TRAIT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const ID = /^[^\s\u0000-\u001f]{1,128}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const REQUIRED: Record<ImportKind, string[]> = { profiles: ['userId'], tags: ['userId', 'tag'], scores: ['userId', 'model', 'score'] };
const KNOWN: Record<ImportKind, readonly string[]> = {
  profiles: RESERVED_PROFILE_COLUMNS,
  tags: ['userId', 'tag', 'expiresAt'],
  scores: ['userId', 'model', 'score', 'asOf'],
};
/** a trait's text is bounded like a page trait's would be (engine/profile.ts keeps ≤ 64) */
const TRAIT_CHARS = 64;

export const refuse = (code: string, message: string, path: string) => new HttpError(400, code, message, { path });

/** A real calendar date written YYYY-MM-DD. */
export function isDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const y = +s.slice(0, 4);
  const m = +s.slice(5, 7);
  const d = +s.slice(8, 10);
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
}

/**
 * The columns of a file, checked: the required ones present, no name twice, trait names the engine
 * can keep. `declared` (the `columns` parameter) keeps only those traits; `hashed` names the
 * columns that carry hashed identifiers.
 * @example planColumns('profiles', ['userId', 'riskTolerance', 'city'], { asOf: '2026-12-06' })
 */
export function planColumns(kind: ImportKind, header: string[], o: { asOf: string; declared?: string[]; hashed?: string[] }): ColumnPlan {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw refuse('duplicate_column', `the column "${name}" appears twice`, name);
    seen.add(name);
  }
  for (const need of REQUIRED[kind]) if (!seen.has(need)) throw refuse('missing_column', `a ${kind} file needs a "${need}" column`, need);
  const hashed = new Set(o.hashed ?? []);
  for (const h of hashed) if (!seen.has(h)) throw refuse('unknown_column', `hashed: the file has no column "${h}"`, h);
  const declared = o.declared ? new Set(o.declared) : undefined;
  const kept: string[] = [];
  for (const name of header) {
    if (KNOWN[kind].includes(name)) {
      kept.push(name);
      continue;
    }
    // tags and scores have no traits: their other columns are not kept
    if (kind !== 'profiles' || (declared && !declared.has(name) && !hashed.has(name))) continue;
    if (!TRAIT_NAME.test(name)) throw refuse('invalid_column', `"${name.slice(0, 80)}" is not a trait name (a letter or _, then letters, digits, _ . -; at most 64)`, name);
    kept.push(name);
  }
  return { kind, kept, hashed, asOf: o.asOf };
}

/**
 * Refuses the file when a kept, undeclared column holds a personal identifier, or a hashed one
 * holds something else. Never says the value: only which column and what it looked like.
 */
function screen(plan: ColumnPlan, name: string, text: string): void {
  if (plan.hashed.has(name)) {
    if (!looksHashed(text)) throw refuse('not_hashed', `the column "${name}" is declared hashed but holds a value that is not a hex digest`, name);
    return;
  }
  const kind = personalKind(text);
  if (kind) throw refuse('personal_data', `the column "${name}" holds a ${kind}; personal identifiers are never imported (declare the column hashed and send a hash instead)`, name);
}

/** `field`'s value as trimmed text ('' when empty). */
const textOf = (v: Cell): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v.trim() : String(v));

/** A trait value as the engine keeps it: numbers and booleans as such, dates and other text as strings. */
function traitValue(v: Cell, text: string): string | number | boolean {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/**
 * The row of one data line, or its reject. Throws `HttpError` 400 when the line shows the file
 * must be refused (a personal identifier).
 */
export function rowOf(plan: ColumnPlan, get: (column: string) => Cell, line: number): StagedRow | ImportError {
  const bad = (field: string, code: string, message: string): ImportError => ({ line, field, code, message });
  for (const name of plan.kept) {
    const text = textOf(get(name));
    if (text) screen(plan, name, text);
  }
  const user = textOf(get('userId'));
  if (!user) return bad('userId', 'required', 'userId is empty');
  if (!ID.test(user)) return bad('userId', 'invalid', 'userId must be 1–128 characters without spaces or control characters');

  if (plan.kind === 'tags') {
    const tag = textOf(get('tag'));
    if (!tag) return bad('tag', 'required', 'tag is empty');
    if (!TRAIT_NAME.test(tag)) return bad('tag', 'invalid', 'tag must be a letter or _, then letters, digits, _ . - (at most 64)');
    const expires = textOf(get('expiresAt'));
    if (expires && !isDate(expires)) return bad('expiresAt', 'invalid_date', 'expiresAt must be a date YYYY-MM-DD');
    return { user, key: tag, value: expires, line };
  }

  if (plan.kind === 'scores') {
    const model = textOf(get('model'));
    if (!model) return bad('model', 'required', 'model is empty');
    if (!TRAIT_NAME.test(model)) return bad('model', 'invalid', 'model must be a letter or _, then letters, digits, _ . - (at most 64)');
    const raw = get('score');
    const text = textOf(raw);
    const score = typeof raw === 'number' ? raw : text === '' ? NaN : Number(text);
    if (!Number.isFinite(score)) return bad('score', 'invalid_number', 'score must be a finite number');
    const asOf = textOf(get('asOf')) || plan.asOf;
    if (!isDate(asOf)) return bad('asOf', 'invalid_date', 'asOf must be a date YYYY-MM-DD');
    return { user, key: model, value: JSON.stringify([score, asOf]), line };
  }

  // fields in sorted order, so the value text is canonical without sorting each row
  const out: Record<string, unknown> = {};
  for (const name of sortedOf(plan)) {
    const raw = get(name);
    const text = textOf(raw);
    if (!text) continue;
    switch (name) {
      case 'riskTolerance':
        if (!(RISK_TOLERANCES as readonly string[]).includes(text)) return bad(name, 'invalid_value', 'riskTolerance must be one of C1–C5');
        out[name] = text;
        break;
      case 'riskAssessedAt':
        if (!isDate(text)) return bad(name, 'invalid_date', 'riskAssessedAt must be a date YYYY-MM-DD');
        out[name] = text;
        break;
      case 'segment':
        if (text.length > TRAIT_CHARS) return bad(name, 'too_long', `segment must be at most ${TRAIT_CHARS} characters`);
        out[name] = text;
        break;
      case 'birthday':
        if (!/^\d{2}-\d{2}$/.test(text) || !isDate(`2000-${text}`)) return bad(name, 'invalid_date', 'birthday must be MM-DD');
        out[name] = text;
        break;
      case 'salaryDay': {
        const day = Number(text);
        if (!Number.isInteger(day) || day < 1 || day > 31) return bad(name, 'invalid_value', 'salaryDay must be a whole number from 1 to 31');
        out[name] = day;
        break;
      }
      case 'holdings': {
        const ids = text.split(';').map((s) => s.trim()).filter(Boolean);
        if (ids.length > 200) return bad(name, 'too_many', 'holdings: at most 200 item ids');
        if (ids.some((id) => !ID.test(id))) return bad(name, 'invalid', 'holdings must be item ids separated by ";"');
        out[name] = [...new Set(ids)].sort();
        break;
      }
      default:
        if (text.length > TRAIT_CHARS && !plan.hashed.has(name)) return bad(name, 'too_long', `a trait value must be at most ${TRAIT_CHARS} characters`);
        out[name] = traitValue(raw, text);
    }
  }
  if (out.riskAssessedAt !== undefined && out.riskTolerance === undefined) return bad('riskTolerance', 'required', 'riskAssessedAt without a riskTolerance');
  return { user, key: '', value: JSON.stringify(out), line };
}

const sorted = new WeakMap<ColumnPlan, { kept: string[]; names: string[] }>();
/** the plan's kept columns but userId, sorted (recomputed when JSON lines added some) */
function sortedOf(plan: ColumnPlan): string[] {
  const hit = sorted.get(plan);
  if (hit && hit.kept === plan.kept) return hit.names;
  // code-point order, as the value text is compared as text
  const names = plan.kept.filter((n) => n !== 'userId').sort();
  sorted.set(plan, { kept: plan.kept, names });
  return names;
}

export const isReject = (r: StagedRow | ImportError): r is ImportError => 'code' in r;

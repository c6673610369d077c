/**
 * Query parameters of the analyses: read, checked and defaulted in one place. A bad one is a 400
 * `{ error: { code: 'invalid_param', message, path } }` whose path is the parameter's name.
 */
import { HttpError } from '../wire/errors';
import type { AnalyticsStore, Customer } from './store';

export const DAY_MS = 86_400_000;

export type Query = Record<string, string | undefined>;

export const bad = (param: string, message: string): HttpError => new HttpError(400, 'invalid_param', `${param}: ${message}`, { path: param });

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A UTC date (YYYY-MM-DD) as its day number (days since 1970-01-01). */
export function dayOf(param: string, text: string): number {
  const m = DATE.exec(text);
  const ms = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== +m[3]!) throw bad(param, `a date is YYYY-MM-DD (UTC), got "${text}"`);
  return ms / DAY_MS;
}

export const dateOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

export function int(q: Query, param: string, fallback: number, min: number, max: number): number {
  const text = q[param];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw bad(param, `a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

export function oneOf<T extends string>(q: Query, param: string, values: readonly T[], fallback: T): T {
  const text = q[param];
  if (text === undefined) return fallback;
  if (!(values as readonly string[]).includes(text)) throw bad(param, `one of ${values.join(', ')}, got "${text}"`);
  return text as T;
}

const NAME = /^[^\s,]{1,128}$/;
export function name(q: Query, param: string, fallback: string): string {
  const text = q[param] ?? fallback;
  if (!NAME.test(text)) throw bad(param, `an event name (1–128 characters, no spaces or commas), got "${text}"`);
  return text;
}

/** A breakdown: a fixed dimension, or `prop:<name>` for an event property. */
export type By = { kind: 'dimension'; name: string } | { kind: 'prop'; name: string };
export function by(q: Query, dimensions: readonly string[], fallback: string | undefined, props = true): By | undefined {
  const text = q.by ?? fallback;
  if (text === undefined || text === '') return undefined;
  if (props && text.startsWith('prop:') && NAME.test(text.slice(5))) return { kind: 'prop', name: text.slice(5) };
  if (dimensions.includes(text)) return { kind: 'dimension', name: text };
  throw bad('by', `one of ${dimensions.join(', ')}${props ? ' or prop:<name>' : ''}, got "${text}"`);
}

/** The filters every analysis takes. */
export interface Filters {
  app: string;
  /** first and last day (UTC day numbers), both included */
  fromDay: number;
  toDay: number;
  /** [from, to) in epoch ms */
  from: number;
  to: number;
  channel: string | undefined;
  segment: string | undefined;
  audience: string | undefined;
  /** the customers the segment / audience filter keeps; undefined: everyone */
  keep: ((cid: number) => boolean) | undefined;
}

export const CHANNEL_VALUES = ['web', 'app'] as const;
/** The longest range an analysis takes. */
export const MAX_DAYS = 400;

/**
 * Reads `from`, `to` (UTC dates, both included; default the 30 days ending today), `channel`,
 * `segment` (the customer's `segment` trait) and `audience` (a saved audience's id).
 */
export function filters(store: AnalyticsStore, app: string, q: Query, now: number): Filters {
  const today = Math.floor(now / DAY_MS);
  const toDay = q.to === undefined ? today : dayOf('to', q.to);
  const fromDay = q.from === undefined ? toDay - 29 : dayOf('from', q.from);
  if (fromDay > toDay) throw bad('from', `must not be after to (${dateOf(toDay)})`);
  if (toDay - fromDay + 1 > MAX_DAYS) throw bad('from', `a range of at most ${MAX_DAYS} days`);
  const channel = q.channel === undefined ? undefined : oneOf(q, 'channel', CHANNEL_VALUES, 'web');
  const segment = q.segment;
  if (segment !== undefined && (segment === '' || segment.length > 128)) throw bad('segment', 'a segment name of 1–128 characters');
  const audience = q.audience;
  let keep: Filters['keep'];
  const sets: Set<number>[] = [];
  if (segment !== undefined) sets.push(new Set(store.customers(app).filter((c) => c.segment === segment).map((c) => c.cid)));
  if (audience !== undefined) {
    const a = store.audience(app, audience);
    if (!a) throw bad('audience', `no audience "${audience}" in app "${app}"`);
    sets.push(store.cidsOfKeys(app, a.userIds));
  }
  if (sets.length) keep = (cid) => sets.every((s) => s.has(cid));
  return { app, fromDay, toDay, from: fromDay * DAY_MS, to: (toDay + 1) * DAY_MS, channel, segment, audience, keep };
}

/** Interval starts (day numbers) covering [fromDay, toDay]: days, or 7-day blocks from `fromDay`. */
export function intervals(f: Filters, interval: 'day' | 'week'): number[] {
  const step = interval === 'day' ? 1 : 7;
  const out: number[] = [];
  for (let d = f.fromDay; d <= f.toDay; d += step) out.push(d);
  return out;
}

/** The index of `day` in `intervals` (−1 outside). */
export const intervalOf = (f: Filters, interval: 'day' | 'week', day: number): number =>
  day < f.fromDay || day > f.toDay ? -1 : Math.floor((day - f.fromDay) / (interval === 'day' ? 1 : 7));

/** A customer's user key as an audience lists it: the userId, else the anonymousId. */
export const keyOf = (c: Customer): string => c.userId ?? c.key;

/** The median of numbers (mean of the two middle ones for an even count); null for none. */
export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A share rounded to 4 decimals; 0 for 0/0. */
export const ratio = (a: number, b: number): number => (b ? Math.round((a / b) * 1e4) / 1e4 : 0);

/** A property value of a fact as a breakdown key ('' when absent; objects as JSON). */
export function propOf(props: string, name: string): string {
  let v: unknown;
  try {
    v = (JSON.parse(props) as Record<string, unknown>)[name];
  } catch {
    return '';
  }
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

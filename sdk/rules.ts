/**
 * What tags and triggers share: matching an event against a rule's matcher, validating rules one
 * by one, localizing rule texts, and writing to the device only with consent.
 */
import type { Filter, Matcher, SlotwiseEvent } from './contract';
import { check, type Schema } from './contract-check';
import { SlotwiseError, toSlotwiseError } from './errors';
import type { Core } from './types';

type Cmp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq';

/** `a op b` for the comparisons of filters and tag thresholds. */
export const compare = (op: Cmp, a: number, b: number): boolean =>
  op == 'gt' ? a > b : op == 'gte' ? a >= b : op == 'lt' ? a < b : op == 'lte' ? a <= b : a == b;

/**
 * A property as a number: autocaptured `data-sw-*` values arrive as strings, so "2" counts as 2.
 * Anything else is NaN, which no comparison accepts.
 */
export const num = (v: unknown): number =>
  typeof v == 'number' ? v : typeof v == 'string' && v.trim() ? +v : NaN;

const same = (v: unknown, x: unknown) => v === x || (typeof x == 'number' && num(v) === x);

/**
 * The value a filter or a `property` reads: `properties[prop]`, else the envelope field of that
 * name, so attribution events can be matched on `itemId`, `slotId` or `position`.
 */
export const read = (e: SlotwiseEvent, prop: string): unknown =>
  e.properties?.[prop] ?? (e as unknown as Record<string, unknown>)[prop];

function test(f: Filter, e: SlotwiseEvent): boolean {
  const v = read(e, f.prop);
  const w = f.value;
  switch (f.op) {
    case 'exists':
      // `{ op: 'exists', value: false }` asks for the property to be absent
      return (v != null) === (w !== false);
    case 'eq':
      return same(v, w);
    case 'neq':
      return !same(v, w);
    case 'in':
      return Array.isArray(w) && w.some((x) => same(v, x));
    default:
      return typeof w == 'number' && compare(f.op, num(v), w);
  }
}

/** Does the event satisfy every field the matcher gives? */
export const matches = (m: Matcher, e: SlotwiseEvent): boolean =>
  (!m.type || m.type == e.type) && (!m.name || m.name == e.name) && (m.where ?? []).every((f) => test(f, e));

/**
 * The rules that pass `schema`, in order. A bad rule (or a second rule with the same key) is
 * skipped and reported as `bad_rule`; the others still run.
 */
export function validRules<T>(
  core: Pick<Core, 'report'>,
  what: string,
  list: unknown[],
  schema: Schema<T>,
  key: (rule: T) => string,
  report: boolean,
): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  list.forEach((raw, i) => {
    const r = check(schema, raw, `${what}.${i}`);
    const message = !r.success ? r.error.message : seen.has(key(r.data)) && `${what}.${i}: duplicate "${key(r.data)}"`;
    if (message) {
      if (report) core.report(new SlotwiseError('bad_rule', message, { rule: raw }));
    } else if (r.success) {
      seen.add(key(r.data));
      out.push(r.data);
    }
  });
  return out;
}

/** The text for the user's locale: exact, then zh-CN for any zh, then en, then whatever there is. */
export const localize = (texts: Record<string, string> | undefined, locale: string): string | undefined =>
  texts && (texts[locale] ?? texts[/^zh/i.test(locale) ? 'zh-CN' : 'en'] ?? texts.en ?? Object.values(texts)[0]);

/** Behaviour is used on the device only when the user allows personalisation and consented. */
export const personal = (core: Core): boolean => core.personalized() && core.consent() == 'granted';

/**
 * Write to the device's store, only under granted consent (pending keeps everything in memory),
 * reporting instead of throwing.
 */
export const save = (core: Core, key: string, value: unknown): Promise<void> | undefined =>
  core.consent() == 'granted' ? core.kv.set(key, value).catch(fail(core)) : undefined;

export const fail = (core: Core) => (e: unknown) => core.report(toSlotwiseError('storage_failed', e));

/**
 * The rule semantics of the contract: an event against a tag's or trigger's matcher. One source for
 * the device (sdk/tags.ts, sdk/triggers.ts through sdk/rules.ts) and the server's previews and dry
 * runs (server-stub/rules/match.ts), so a preview can never disagree with what a phone does.
 * Pure: no state, no I/O.
 */
import type { Filter, Matcher } from './contract';

/** What a matcher reads of an event: its type, name, properties, and (for `read`) envelope fields. */
export interface Matchable {
  type?: string;
  name: string;
  properties?: Record<string, unknown>;
}

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
export const read = (e: Matchable, prop: string): unknown =>
  e.properties?.[prop] ?? (e as unknown as Record<string, unknown>)[prop];

function test(f: Filter, e: Matchable): boolean {
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
export const matches = (m: Matcher, e: Matchable): boolean =>
  (!m.type || m.type == e.type) && (!m.name || m.name == e.name) && (m.where ?? []).every((f) => test(f, e));


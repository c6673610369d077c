/**
 * The device's rule semantics, on the server, for previews and dry runs: an event against a
 * matcher, and real-time tags over a list of events. They follow sdk/rules.ts and sdk/tags.ts
 * exactly (server-stub may not import the SDK's modules; test/unit/rules-preview.test.ts holds the
 * two to the same verdicts).
 */
import type { Filter, Matcher, TagRule } from '../../sdk/contract';

/** An event as a preview types it: what a matcher reads. */
export interface SampleEvent {
  type?: string;
  name: string;
  /** epoch ms */
  ts: number;
  properties?: Record<string, unknown>;
}

type Cmp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq';
const compare = (op: Cmp, a: number, b: number): boolean => (op == 'gt' ? a > b : op == 'gte' ? a >= b : op == 'lt' ? a < b : op == 'lte' ? a <= b : a == b);
/** "2" counts as 2, as autocaptured values arrive as strings; anything else is NaN */
const num = (v: unknown): number => (typeof v == 'number' ? v : typeof v == 'string' && v.trim() ? +v : NaN);
const same = (v: unknown, x: unknown) => v === x || (typeof x == 'number' && num(v) === x);
const read = (e: SampleEvent, prop: string): unknown => e.properties?.[prop] ?? (e as unknown as Record<string, unknown>)[prop];

function test(f: Filter, e: SampleEvent): boolean {
  const v = read(e, f.prop);
  const w = f.value;
  switch (f.op) {
    case 'exists':
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

/** Does the event satisfy every field the matcher gives? (`type` defaults to track) */
export const matches = (m: Matcher, e: SampleEvent): boolean =>
  (!m.type || m.type == (e.type ?? 'track')) && (!m.name || m.name == e.name) && (m.where ?? []).every((f) => test(f, e));

/** The tags that hold at `now` over `events`, name → value, as the device would send them. */
export function tagsOf(rules: readonly TagRule[], events: readonly SampleEvent[], now: number): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const r of rules) {
    const h = events.filter((e) => e.ts > now - r.windowMs && e.ts <= now && matches(r.match, e));
    if (!h.length) continue;
    const last = h[h.length - 1]!;
    if (r.agg == 'exists') out[r.name] = true;
    else if (r.agg == 'last') {
      const v = r.property ? read(last, r.property) : undefined;
      if (typeof v == 'string') out[r.name] = v.slice(0, 256);
      else if (typeof v == 'number' || typeof v == 'boolean') out[r.name] = v;
    } else {
      const n = r.agg == 'count' ? h.length : h.reduce((s, e) => s + (num(r.property ? read(e, r.property) : undefined) || 0), 0);
      if (compare(r.op ?? 'gte', n, r.threshold ?? 1)) out[r.name] = n;
    }
  }
  return out;
}

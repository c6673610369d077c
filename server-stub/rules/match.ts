/**
 * The device's rule semantics, on the server, for previews and dry runs: an event against a
 * matcher (the contract's own, sdk/contract-rules.ts, which the SDK runs too), and real-time tags
 * over a list of events, as sdk/tags.ts computes them (test/unit/rules-preview.test.ts holds the
 * two to the same verdicts).
 */
import type { Matcher, TagRule } from '../../sdk/contract';
import { compare, matches as deviceMatches, num, read } from '../../sdk/contract-rules';

/** An event as a preview types it: what a matcher reads. */
export interface SampleEvent {
  type?: string;
  name: string;
  /** epoch ms */
  ts: number;
  properties?: Record<string, unknown>;
}

/** Does the event satisfy every field the matcher gives? A sample's `type` defaults to track. */
export const matches = (m: Matcher, e: SampleEvent): boolean => deviceMatches(m, e.type ? e : { ...e, type: 'track' });

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

/**
 * The tag and trigger dry-run, computed in the console with the device's own matcher
 * (sdk/rules.ts `matches`) while the server has no dry-run route (it answers 501): for a typed
 * event sequence, the value each real-time tag ends with and when each trigger would fire or why
 * it would not. Timing follows the rules' fields: a trigger fires `delayMs` after its `when`
 * event unless an `unless` event comes within `unless.withinMs`; caps count within the sequence.
 *
 * @example
 * dryRun({ tags, triggers }, [{ type: 'track', name: 'loan_apply_step', atMs: 0 }])
 * // { tags: [{ name: 'loan_interest', value: true, held: true }], triggers: [{ id: 'loan_abandon', fires: [60000] … }] }
 */
import type { SlotwiseEvent, TagRule, TriggerRule } from '../sdk/contract';
import { compare, matches, num, read } from '../sdk/rules';

export interface DryEvent {
  type: SlotwiseEvent['type'];
  name: string;
  properties?: Record<string, unknown>;
  /** ms after the first event; default: 1 s after the previous one */
  atMs?: number;
}

export interface DryRunAnswer {
  tags: { name: string; value: number | string | boolean | null; held: boolean; matched: number }[];
  triggers: { id: string; fires: number[]; cancelled: number[]; capped: number[] }[];
}

export function parseEvents(json: unknown): DryEvent[] {
  if (!Array.isArray(json)) throw new Error('expected a JSON array of events');
  return json.map((e, i) => {
    if (!e || typeof e !== 'object' || typeof (e as DryEvent).type !== 'string' || typeof (e as DryEvent).name !== 'string')
      throw new Error(`${i}: expected { "type", "name", "properties"?, "atMs"? }`);
    return e as DryEvent;
  });
}

export function dryRun(rules: { tags: TagRule[]; triggers: TriggerRule[] }, input: DryEvent[]): DryRunAnswer {
  let t = 0;
  const events = input.map((e, i) => {
    t = e.atMs ?? (i === 0 ? 0 : t + 1000);
    return { at: t, event: { type: e.type, name: e.name, properties: e.properties ?? {} } as unknown as SlotwiseEvent };
  });
  const end = events.length ? events[events.length - 1]!.at : 0;

  const tags = rules.tags.map((rule) => {
    const hits = events.filter(({ at, event }) => at > end - rule.windowMs && matches(rule.match, event));
    let value: number | string | boolean | null = null;
    if (rule.agg === 'count') value = hits.length;
    else if (rule.agg === 'exists') value = hits.length > 0;
    else if (rule.agg === 'sum') value = hits.reduce((s, h) => s + (Number.isFinite(num(read(h.event, rule.property ?? ''))) ? num(read(h.event, rule.property ?? '')) : 0), 0);
    else if (hits.length) value = (read(hits[hits.length - 1]!.event, rule.property ?? '') as string | number | undefined) ?? null;
    const held =
      rule.op && rule.threshold !== undefined ? typeof value === 'number' && compare(rule.op, value, rule.threshold) : value !== null && value !== false && value !== 0;
    return { name: rule.name, value, held, matched: hits.length };
  });

  const triggers = rules.triggers.map((rule) => {
    const out = { id: rule.id, fires: [] as number[], cancelled: [] as number[], capped: [] as number[] };
    for (const { at, event } of events) {
      if (!matches(rule.when, event)) continue;
      const u = rule.unless;
      const cancel = u && events.some((x) => x.at > at && x.at <= at + u.withinMs && matches(u, x.event));
      if (cancel) {
        out.cancelled.push(at);
        continue;
      }
      const fireAt = at + rule.delayMs;
      const sameDay = out.fires.filter((f) => Math.floor(f / 86_400_000) === Math.floor(fireAt / 86_400_000)).length;
      if ((rule.caps?.lifetime !== undefined && out.fires.length >= rule.caps.lifetime) || (rule.caps?.perDay !== undefined && sameDay >= rule.caps.perDay)) out.capped.push(at);
      else out.fires.push(fireAt);
    }
    return out;
  });
  return { tags, triggers };
}

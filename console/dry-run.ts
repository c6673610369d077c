/**
 * The tag and trigger dry-run, computed in the console while the server has no dry-run route (it
 * answers 501). The answer has the server's shape (server-stub/rules/preview.ts `DryRun`) and the
 * device's semantics, which server-stub/rules/match.ts and preview.ts hold the server to: events
 * are matched with the SDK's own matcher (sdk/rules.ts); a tag holds at the last event over its
 * window (count and sum against `op`/`threshold`, default ≥ 1); a `when` event starts a trigger due
 * `max(delayMs, unless.withinMs)` later, a newer one restarts it, an `unless` within `withinMs`
 * cancels it, and the caps (per day, lifetime) hold.
 *
 * @example
 * dryRun({ tags, triggers }, [{ type: 'track', name: 'loan_apply_step', ts: 0 }])
 * // { tags: { loan_interest: true }, triggers: { fired: [{ triggerId: 'loan_abandoned', at: 120000, event: 0 }], cancelled: [] } }
 */
import type { SlotwiseEvent, TagRule, TriggerRule } from '../sdk/contract';
import { compare, matches, num, read } from '../sdk/rules';

/** An event as the dry run types it (the server's `SampleEvent`): `ts` in ms, any origin. */
export interface DryEvent {
  type?: string;
  name: string;
  ts: number;
  properties?: Record<string, unknown>;
}

export interface TriggerFire {
  triggerId: string;
  /** ms the reminder would show, on the events' clock */
  at: number;
  /** the index of the `when` event that started it */
  event: number;
}

export interface DryRunAnswer {
  /** the tags that hold after the last event, name → value */
  tags: Record<string, string | number | boolean>;
  triggers: { fired: TriggerFire[]; cancelled: (TriggerFire & { why: 'unless' | 'restarted' | 'cap' })[] };
}

export function parseEvents(json: unknown): DryEvent[] {
  if (!Array.isArray(json)) throw new Error('expected a JSON array of events');
  return json.map((e, i) => {
    const ok = e && typeof e === 'object' && typeof (e as DryEvent).name === 'string' && typeof (e as DryEvent).ts === 'number';
    if (!ok) throw new Error(`${i}: expected { "type"?, "name", "ts", "properties"? }`);
    return e as DryEvent;
  });
}

// the SDK's matcher reads an envelope; a typed event's type defaults to track, as on the server
const envelope = (e: DryEvent) => ({ ...e, type: e.type ?? 'track', properties: e.properties ?? {} }) as unknown as SlotwiseEvent;

export function tagsAt(rules: readonly TagRule[], events: readonly DryEvent[], now: number): DryRunAnswer['tags'] {
  const out: DryRunAnswer['tags'] = {};
  for (const r of rules) {
    const h = events.filter((e) => e.ts > now - r.windowMs && e.ts <= now && matches(r.match, envelope(e)));
    if (!h.length) continue;
    const last = envelope(h[h.length - 1]!);
    if (r.agg == 'exists') out[r.name] = true;
    else if (r.agg == 'last') {
      const v = r.property ? read(last, r.property) : undefined;
      if (typeof v == 'string') out[r.name] = v.slice(0, 256);
      else if (typeof v == 'number' || typeof v == 'boolean') out[r.name] = v;
    } else {
      const n = r.agg == 'count' ? h.length : h.reduce((s, e) => s + (num(r.property ? read(envelope(e), r.property) : undefined) || 0), 0);
      if (compare(r.op ?? 'gte', n, r.threshold ?? 1)) out[r.name] = n;
    }
  }
  return out;
}

export function triggersOver(rules: readonly TriggerRule[], events: readonly DryEvent[]): DryRunAnswer['triggers'] {
  const out: DryRunAnswer['triggers'] = { fired: [], cancelled: [] };
  const pending = new Map<string, TriggerFire>();
  const caps = new Map<string, { day: number; n: number; total: number }>();
  const byId = new Map(rules.map((t) => [t.id, t]));
  const fire = (r: TriggerRule, f: TriggerFire) => {
    const c = caps.get(r.id) ?? { day: -1, n: 0, total: 0 };
    const day = Math.floor(f.at / 86_400_000);
    if (c.day != day) Object.assign(c, { day, n: 0 });
    caps.set(r.id, c);
    if (c.n >= (r.caps?.perDay ?? Infinity) || c.total >= (r.caps?.lifetime ?? Infinity)) return void out.cancelled.push({ ...f, why: 'cap' });
    c.n++;
    c.total++;
    out.fired.push(f);
  };
  const due = (until: number) => {
    for (const [id, p] of [...pending].sort((a, b) => a[1].at - b[1].at))
      if (p.at <= until) {
        pending.delete(id);
        fire(byId.get(id)!, p);
      }
  };
  events.forEach((raw, i) => {
    const e = envelope(raw);
    due(raw.ts - 1);
    for (const r of rules) {
      const p = pending.get(r.id);
      if (p && r.unless && matches(r.unless, e) && raw.ts - events[p.event]!.ts <= r.unless.withinMs) {
        pending.delete(r.id);
        out.cancelled.push({ ...p, why: 'unless' });
      }
      if (!matches(r.when, e)) continue;
      const wait = Math.max(r.delayMs, r.unless?.withinMs ?? 0);
      const f = { triggerId: r.id, at: raw.ts + wait, event: i };
      if (!wait) fire(r, f);
      else {
        const old = pending.get(r.id);
        if (old) out.cancelled.push({ ...old, why: 'restarted' });
        pending.set(r.id, f);
      }
    }
  });
  due(Infinity);
  out.fired.sort((a, b) => a.at - b.at);
  return out;
}

export function dryRun(rules: { tags: TagRule[]; triggers: TriggerRule[] }, input: DryEvent[]): DryRunAnswer {
  const events = [...input].sort((a, b) => a.ts - b.ts);
  const now = events.at(-1)?.ts ?? 0;
  return { tags: tagsAt(rules.tags, events, now), triggers: triggersOver(rules.triggers, events) };
}

/**
 * What an operator sees before publishing: `preview` decides a sample customer's page under a
 * draft rule set (not the live one) and says which rules fired; `dryRunTriggers` plays a typed
 * event sequence through the draft's triggers. Neither has a side effect: no decision log row, no
 * cap consumed, no event stored, nothing made live.
 *
 * @example
 * const p = await preview(server.engine, 'demo', draftRules, { page: '/index.html', slots: [{ id: 'home.today', kind: 'picks', count: 4 }],
 *   traits: { riskTolerance: 'C3' }, events: [{ name: 'item_view', ts: Date.now(), properties: { kind: 'fund' } }] });
 * p.answer.slots['home.today'].items; p.campaigns; p.tags; p.triggers
 */
import type { DecideResponse, RiskTolerance, SlotRequest, TriggerRule } from '../../sdk/contract';
import type { RuleSet } from '../../sdk/contract-admin';
import type { EngineHost } from '../engine/thread';
import { matches, tagsOf, type SampleEvent } from './match';
import { validRuleSet } from './registry';

export interface PreviewSample {
  /** a stored customer to decide for (their profile is read, never written); absent: a new visitor */
  userId?: string;
  /** the customer's traits; `riskTolerance` stands in for the stored one */
  traits?: { riskTolerance?: RiskTolerance };
  /** real-time tags the device would send, over the ones `events` make */
  tags?: Record<string, string | number | boolean>;
  /** recent events, oldest first: they make tags (the draft's tag rules) and run the draft's triggers */
  events?: SampleEvent[];
  /** the page's path, e.g. '/wealth.html' */
  page: string;
  slots: SlotRequest[];
  /** @default 'zh-CN' */
  locale?: string;
  /** epoch ms the tags are evaluated at; default: the last event's ts, else now */
  now?: number;
}

export interface TriggerFire {
  triggerId: string;
  /** epoch ms the reminder would show */
  at: number;
  /** the index of the `when` event that started it */
  event: number;
}

export interface DryRun {
  fired: TriggerFire[];
  /** started and then cancelled by an `unless` event, a newer `when` event, or a cap */
  cancelled: (TriggerFire & { why: 'unless' | 'restarted' | 'cap' })[];
}

export interface PreviewResult {
  answer: DecideResponse;
  /** campaigns live for this sample and page (window, page, segment, tags), highest priority first */
  campaigns: string[];
  /** the tags the decide was made with */
  tags: Record<string, string | number | boolean>;
  /** the draft's triggers over the sample's events */
  triggers: DryRun;
}

/**
 * The admin API's dry run: the tags that hold after the last event and the triggers over the
 * events, in time order whatever order they were typed in.
 * @example dryRun({ tags, triggers }, [{ name: 'loan_apply_step', ts: 0 }]) // { tags: { loan_interest: true }, fired: […], cancelled: [] }
 */
export function dryRun(rules: Pick<RuleSet, 'tags' | 'triggers'>, input: readonly SampleEvent[]): DryRun & { tags: Record<string, string | number | boolean> } {
  const events = [...input].sort((a, b) => a.ts - b.ts);
  return { ...dryRunTriggers(rules, events), tags: tagsOf(rules.tags, events, events.at(-1)?.ts ?? 0) };
}

/**
 * Which of `rules`' triggers fire when, over `events` (oldest first), as the device runs them:
 * a `when` event starts a trigger due `max(delayMs, unless.withinMs)` later (a newer one restarts
 * it), an `unless` event within `withinMs` cancels it, and the caps (per day, lifetime) hold.
 * Triggers still pending after the last event fire at their due time.
 */
export function dryRunTriggers(rules: Pick<RuleSet, 'triggers'>, events: readonly SampleEvent[]): DryRun {
  const out: DryRun = { fired: [], cancelled: [] };
  const pending = new Map<string, TriggerFire>();
  const caps = new Map<string, { day: number; n: number; total: number }>();
  const byId = new Map<string, TriggerRule>(rules.triggers.map((t) => [t.id, t]));
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
  events.forEach((e, i) => {
    due(e.ts - 1);
    for (const r of rules.triggers) {
      const p = pending.get(r.id);
      if (p && r.unless && matches(r.unless, e) && e.ts - (events[p.event]!.ts) <= r.unless.withinMs) {
        pending.delete(r.id);
        out.cancelled.push({ ...p, why: 'unless' });
      }
      if (!matches(r.when, e)) continue;
      const wait = Math.max(r.delayMs, r.unless?.withinMs ?? 0);
      const f = { triggerId: r.id, at: e.ts + wait, event: i };
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

/** Decides `sample` under `rules` (validated: RulesError, a 400 naming the field), with no side effect. */
export async function preview(engine: Pick<EngineHost, 'preview'>, app: string, rules: unknown, sample: PreviewSample): Promise<PreviewResult> {
  const valid = validRuleSet(rules);
  const events = [...(sample.events ?? [])].sort((a, b) => a.ts - b.ts);
  const now = sample.now ?? events.at(-1)?.ts ?? Date.now();
  const tags = { ...tagsOf(valid.tags, events, now), ...sample.tags };
  const { answer, campaigns } = await engine.preview(app, valid, {
    anonymousId: 'preview',
    ...(sample.userId ? { userId: sample.userId } : {}),
    sessionId: 'preview',
    context: { page: sample.page, channel: 'web', locale: sample.locale ?? 'zh-CN' },
    ...(Object.keys(tags).length ? { tags } : {}),
    slots: sample.slots,
  }, sample.traits);
  return { answer, campaigns, tags, triggers: dryRunTriggers(valid, events) };
}

/**
 * An app's rule set as the admin side sees it: the live release, the pending drafts over it, the
 * diff between two rule sets, and the checks a rule must pass before it is saved.
 */
import type { Problem } from '../../sdk/contract';
import { firstProblem } from '../../sdk/contract';
import { sha256 } from './passwords';
import type { AdminStore, DraftRow } from './store';
import { adminRequests, RULE_KINDS, type Change, type DraftEntry, type EntryStatus, type Rule, type RuleKind, type RuleSet } from './wire';

/** The contract's checks, passed in so the admin routes do not fix which schemas they run. */
export interface RuleChecks {
  /** one rule of `kind` as the schema keeps it, or the problem with its path inside the rule */
  parse(kind: RuleKind, value: unknown): { ok: true; value: Rule } | { ok: false; problem: Problem };
  /** semantic checks over a whole rule set; the path starts at the set (`campaigns.2.pins.0`) */
  check(rules: RuleSet): Problem | undefined;
}

/** Until the contract's rule schemas are wired: an object with an `id`, no semantic checks. */
export const BASIC_CHECKS: RuleChecks = {
  parse(_kind, value) {
    const r = adminRequests().rule.safeParse(value);
    return r.success ? { ok: true, value: r.data as Rule } : { ok: false, problem: firstProblem(r.error) };
  },
  check: () => undefined,
};

export const emptyRuleSet = (): RuleSet => ({ campaigns: [], tags: [], triggers: [], slots: [], items: [] });

/** The rules of `app`'s live release (empty before the first). */
export function liveRules(store: AdminStore, app: string): RuleSet {
  const row = store.app(app);
  const live = row?.live == null ? undefined : store.release(app, row.live);
  return live ? { ...emptyRuleSet(), ...live.rules } : emptyRuleSet();
}

/** JSON with object keys sorted: two equal rules have one text, whatever order their keys came in. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

const rev = (status: EntryStatus, value: Rule) => sha256(`${status}\n${canonical(value)}`).slice(0, 16);

/**
 * The entries of `kind` as the console shows them: each live rule, overlaid by its pending draft.
 * Live order first, then new drafts by id.
 */
export function entries(store: AdminStore, app: string, kind: RuleKind, live = liveRules(store, app)): DraftEntry[] {
  const drafts = new Map(store.drafts(app, kind).map((d) => [d.id, d]));
  const out: DraftEntry[] = [];
  for (const rule of live[kind]) {
    const d = drafts.get(rule.id);
    drafts.delete(rule.id);
    out.push(d ? entry(d, rule) : { id: rule.id, status: 'live', rev: rev('live', rule), value: rule });
  }
  for (const d of drafts.values()) if (d.body !== null) out.push(entry(d));
  return out;
}

function entry(d: DraftRow, live?: Rule): DraftEntry {
  const status: EntryStatus = d.body === null ? 'deleted' : 'draft';
  const value = d.body === null ? live! : (JSON.parse(d.body) as Rule);
  return { id: d.id, status, rev: rev(status, value), value, updatedAt: new Date(d.updatedAt).toISOString(), updatedBy: d.updatedBy };
}

/** What publishing now would make live: the live rules with every draft applied. */
export function draftRules(store: AdminStore, app: string, live = liveRules(store, app)): RuleSet {
  const out = emptyRuleSet();
  for (const kind of RULE_KINDS) out[kind] = entries(store, app, kind, live).filter((e) => e.status !== 'deleted').map((e) => e.value);
  return out;
}

/** Per rule: added, changed or removed from `before` to `after`, in kind order then id order. */
export function diffRules(before: RuleSet, after: RuleSet): Change[] {
  const changes: Change[] = [];
  for (const kind of RULE_KINDS) {
    const was = new Map((before[kind] ?? []).map((r) => [r.id, r]));
    const is = new Map((after[kind] ?? []).map((r) => [r.id, r]));
    const ids = [...new Set([...was.keys(), ...is.keys()])].sort();
    for (const id of ids) {
      const b = was.get(id);
      const a = is.get(id);
      if (!b) changes.push({ kind, id, change: 'added', after: a });
      else if (!a) changes.push({ kind, id, change: 'removed', before: b });
      else if (canonical(a) !== canonical(b)) changes.push({ kind, id, change: 'changed', before: b, after: a });
    }
  }
  return changes;
}

/**
 * A rule-set problem as the client of one saved rule should read it: inside the rule being saved,
 * the path is relative to its body (`pins.0.item`); elsewhere (deleting an item a campaign still
 * pins) the path names the other rule from the set (`campaigns.summer.pins.0.item`).
 */
export function problemFor(problem: Problem, rules: RuleSet, kind: RuleKind, id: string): Problem {
  const [k, index, ...rest] = problem.path.split('.');
  const at = Number(index);
  const rule = RULE_KINDS.includes(k as RuleKind) && Number.isInteger(at) ? rules[k as RuleKind][at] : undefined;
  if (!rule) return problem;
  if (k === kind && rule.id === id) return { ...problem, path: rest.join('.'), message: problem.message.replace(`${k}.${index}.`, '').replace(`${k}.${index}:`, 'body:') };
  const path = [k, rule.id, ...rest].join('.');
  return { ...problem, path, message: problem.message.replace(problem.path, path) };
}

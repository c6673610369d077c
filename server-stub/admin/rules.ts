/**
 * An app's rule set as the admin side sees it: the live release, the pending drafts over it, the
 * diff between two rule sets, and the checks a rule must pass before it is saved.
 */
import { firstProblem, ruleSchemas, type Problem } from '../../sdk/contract';
import { checkRuleSet, idOf, ruleSetSchemas } from '../../sdk/contract-admin';
import { sha256 } from './passwords';
import type { AdminStore, DraftRow } from './store';
import { COLLECTIONS, type Change, type DraftEntry, type EntryStatus, type RuleEntity, type Collection, type RuleSet } from '../../sdk/contract-admin';

/** The contract's checks, passed in so the admin routes do not fix which schemas they run. */
export interface RuleChecks {
  /** one rule of `kind` as the schema keeps it, or the problem with its path inside the rule */
  parse(kind: Collection, value: unknown): { ok: true; value: RuleEntity } | { ok: false; problem: Problem };
  /** semantic checks over a whole rule set; each path starts at the set (`campaigns.2.pins.0`) */
  check(rules: RuleSet): Problem[];
}

/** sdk/contract-admin.ts's schemas per collection and its `checkRuleSet`. */
export function contractChecks(): RuleChecks {
  const { campaign, slotLayout, catalogItem } = ruleSetSchemas();
  const { tagRule, triggerRule } = ruleSchemas();
  const schemas = { campaigns: campaign, tags: tagRule, triggers: triggerRule, slots: slotLayout, items: catalogItem };
  return {
    parse(kind, value) {
      const r = schemas[kind].safeParse(value);
      return r.success ? { ok: true, value: r.data as RuleEntity } : { ok: false, problem: firstProblem(r.error) };
    },
    check: (rules) => checkRuleSet(rules),
  };
}

/** The id of a rule of `kind` (a tag rule's `name`). */
export const ruleId = (kind: Collection, rule: RuleEntity): string => idOf(kind, rule as { id?: string; name?: string });
const list = (rules: RuleSet, kind: Collection) => rules[kind] as unknown as RuleEntity[];

export const emptyRuleSet = (): RuleSet => ({ campaigns: [], tags: [], triggers: [], slots: [], items: [] });

/** The rules of `app`'s live release (empty before the first). */
export async function liveRules(store: AdminStore, app: string): Promise<RuleSet> {
  const row = await store.app(app);
  const live = row?.live == null ? undefined : await store.release(app, row.live);
  return live ? { ...emptyRuleSet(), ...live.rules } : emptyRuleSet();
}

/** JSON with object keys sorted: two equal rules have one text, whatever order their keys came in. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

const rev = (status: EntryStatus, value: RuleEntity) => sha256(`${status}\n${canonical(value)}`).slice(0, 16);

/**
 * The entries of `kind` as the console shows them: each live rule, overlaid by its pending draft.
 * Live order first, then new drafts by id.
 */
export async function entries(store: AdminStore, app: string, kind: Collection, given?: RuleSet): Promise<DraftEntry[]> {
  const live = given ?? (await liveRules(store, app));
  const drafts = new Map((await store.drafts(app, kind)).map((d) => [d.id, d]));
  const out: DraftEntry[] = [];
  for (const rule of list(live, kind)) {
    const id = ruleId(kind, rule);
    const d = drafts.get(id);
    drafts.delete(id);
    out.push(d ? entry(d, rule) : { id, status: 'live', rev: rev('live', rule), value: rule });
  }
  for (const d of drafts.values()) if (d.body !== null) out.push(entry(d));
  return out;
}

function entry(d: DraftRow, live?: RuleEntity): DraftEntry {
  const status: EntryStatus = d.body === null ? 'deleted' : 'draft';
  const value = d.body === null ? live! : (JSON.parse(d.body) as RuleEntity);
  return { id: d.id, status, rev: rev(status, value), value, updatedAt: new Date(d.updatedAt).toISOString(), updatedBy: d.updatedBy };
}

/** What publishing now would make live: the live rules with every draft applied. */
export async function draftRules(store: AdminStore, app: string, given?: RuleSet): Promise<RuleSet> {
  const live = given ?? (await liveRules(store, app));
  const out = emptyRuleSet();
  for (const kind of COLLECTIONS) (out as Record<Collection, RuleEntity[]>)[kind] = (await entries(store, app, kind, live)).filter((e) => e.status !== 'deleted').map((e) => e.value);
  return out;
}

/** Per rule: added, changed or removed from `before` to `after`, in kind order then id order. */
export function diffRules(before: RuleSet, after: RuleSet): Change[] {
  const changes: Change[] = [];
  for (const kind of COLLECTIONS) {
    const was = new Map((list(before, kind) ?? []).map((r) => [ruleId(kind, r), r]));
    const is = new Map((list(after, kind) ?? []).map((r) => [ruleId(kind, r), r]));
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
export function problemFor(problem: Problem, rules: RuleSet, kind: Collection, id: string): Problem {
  const [k, index, ...rest] = problem.path.split('.');
  const at = Number(index);
  const rule = COLLECTIONS.includes(k as Collection) && Number.isInteger(at) ? list(rules, k as Collection)[at] : undefined;
  if (!rule) return problem;
  if (k === kind && ruleId(kind, rule) === id) return { ...problem, path: rest.join('.'), message: problem.message.replace(`${k}.${index}.`, '').replace(`${k}.${index}:`, 'body:') };
  const path = [k, ruleId(k as Collection, rule), ...rest].join('.');
  return { ...problem, path, message: problem.message.replace(problem.path, path) };
}

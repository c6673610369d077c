/**
 * A template and parameter values → the drafts it produces (campaign, tags, triggers, and the
 * catalog items it names that the app's rule set lacks), each parsed by the contract. Every
 * problem is a 400 whose `path` names the parameter (`params.days`): the console shows it at the
 * field. Pure apart from the lookups passed in.
 */
import { paramProblem, type Template, type TemplateParam } from '../../sdk/contract-templates';
import { slotHolds, type CatalogItem, type Collection, type ItemKind, type RuleEntity } from '../../sdk/contract-admin';
import type { SlotKind } from '../../sdk/contract';
import { FESTIVAL_IDS } from '../calendar';
import { HttpError } from '../wire/errors';
import type { RuleChecks } from '../admin/rules';
import { fill, sourceOf, type Filled } from './fill';

export interface Draft {
  collection: Collection;
  value: RuleEntity;
  /** where its values came from, to name the parameter behind a later problem */
  sources?: Filled['sources'];
}

export interface InstantiateOptions {
  template: Template;
  /** the values given; the rest take their defaults */
  given: Record<string, unknown>;
  now: number;
  checks: RuleChecks;
  /** an item of the app's draft rule set, or else of the catalog the engine serves */
  item(id: string): { item: CatalogItem; inRules: boolean } | undefined;
}

/** `today` in China as `YYYY-MM-DD`. */
export const chinaDate = (now: number) => new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);

const bad = (name: string, code: string, why: string) => new HttpError(400, code, `params.${name}: ${why}`, { path: `params.${name}` });

/** The parameter values (defaults overlaid by `given`), each checked, or the 400 naming the first bad one. */
export function values(t: Template, given: Record<string, unknown>, item: InstantiateOptions['item']): Record<string, unknown> {
  const declared = new Map(t.params.map((p) => [p.name, p]));
  for (const name of Object.keys(given)) if (!declared.has(name)) throw bad(name, 'unknown_param', `template ${t.id} has no parameter "${name}" (it has: ${[...declared.keys()].join(', ')})`);
  const out: Record<string, unknown> = {};
  for (const p of t.params) {
    const v = given[p.name] ?? p.default;
    const why = paramProblem(p, v);
    if (why) throw bad(p.name, 'invalid_param', why);
    const ids = p.type === 'item' ? [v as string] : p.type === 'items' ? (v as string[]) : [];
    for (const id of ids) if (!item(id)) throw bad(p.name, 'unknown_item', `no item "${id}" in the app's rules or the catalog`);
    if (p.type === 'holiday' && !FESTIVAL_IDS.includes(v as string)) throw bad(p.name, 'unknown_holiday', `no calendar day "${v}" (known: ${FESTIVAL_IDS.join(', ')})`);
    out[p.name] = v;
  }
  // an item pinned to a slot kind that cannot hold it would never show: said at the slot
  const slot = t.params.find((p) => p.type === 'slot');
  const one = t.params.find((p) => p.type === 'item');
  if (slot && one) {
    const kind = item(out[one.name] as string)!.item.kind as ItemKind;
    if (!slotHolds(out[slot.name] as SlotKind, kind)) throw bad(slot.name, 'pin_slot_kind', `a ${out[slot.name]} slot cannot hold ${kind} item "${out[one.name]}"`);
  }
  return out;
}

/** The drafts `o.template` makes with `o.given`: items first (the campaign pins them), then tags, triggers, the campaign. */
export function instantiate(o: InstantiateOptions): Draft[] {
  const t = o.template;
  const v = values(t, o.given, o.item);
  const ctx = { values: v, template: { id: t.id, version: t.version }, today: chinaDate(o.now), years: 3 };
  const out: Draft[] = [];
  const items = new Set<string>();
  for (const p of t.params as TemplateParam[]) {
    const ids = p.type === 'item' ? [v[p.name] as string] : p.type === 'items' ? (v[p.name] as string[]) : [];
    for (const id of ids) {
      const hit = o.item(id)!;
      if (!hit.inRules && !items.has(id)) out.push({ collection: 'items', value: hit.item as unknown as RuleEntity });
      items.add(id);
    }
  }
  const add = (collection: Collection, shape: unknown, at: string) => {
    const filled = fill(shape, ctx);
    const r = o.checks.parse(collection, filled.value);
    if (!r.ok) {
      const name = sourceOf(filled.sources, r.problem.path);
      if (name) throw bad(name, r.problem.code, r.problem.message);
      // a template the contract refuses whatever the parameters: the template's fault, said where
      throw new HttpError(400, r.problem.code, `template ${t.id} v${t.version}, ${at}.${r.problem.message}`, { path: `template.${at}.${r.problem.path}` });
    }
    out.push({ collection, value: r.value, sources: filled.sources });
  };
  (t.drafts.tags ?? []).forEach((x, i) => add('tags', x, `drafts.tags.${i}`));
  (t.drafts.triggers ?? []).forEach((x, i) => add('triggers', x, `drafts.triggers.${i}`));
  add('campaigns', t.drafts.campaign, 'drafts.campaign');
  return out;
}

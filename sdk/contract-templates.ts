/**
 * Campaign templates, as data: a template declares typed parameters with defaults and the drafts it
 * produces (a campaign, plus the real-time tags and triggers it needs) as a JSON structure with
 * placeholders. Instantiating one fills the placeholders and nothing else — no code in a template
 * is ever evaluated — and saves ordinary drafts, released like any other (issue 12's releases).
 *
 * Placeholders are whole strings, so a filled value keeps its type:
 * - `"{{days}}"` → the parameter's value as it is (a number stays a number, a list a list);
 * - `"{{days:ms}}"` → days as milliseconds; `"{{days:neg}}"` → minus the value;
 * - `"{{runDays:end}}"` → epoch ms at the end of the China day `runDays` days after today (a campaign's `end`);
 * - `"{{holiday:dates}}"` → the festival's next dates (`YYYY-MM-DD`, this one first) from the calendar;
 * - inside a longer string, `{{id}}` is replaced by the value as text (`"{{id}}_large_deposit"`);
 * - `"{{$template}}"` → `{ id, version }` of the template (what the campaign remembers).
 *
 * Only these conversions exist: a template can name values, never compute them.
 *
 * Imported by server-stub (templates/) and the console, never by the SDK bundle.
 *
 * @example
 * const t = templateSchemas().template.parse(json);
 * // t.params: [{ name: 'days', type: 'days', default: 7, label: { 'zh-CN': '提前天数', en: 'Days ahead' } }]
 * // t.drafts.campaign.traits: [{ name: 'termDepositMaturesOn', op: 'date_in_days', min: 0, max: '{{days}}' }]
 */
import * as c from './contract-check';
import type { Infer } from './contract-check';
import { SLOT_KINDS, zodOf, type Zod } from './contract';
import { SEGMENTS } from './contract-admin';

export const TEMPLATE_FAMILIES = ['lifecycle', 'calendar', 'transaction'] as const;
export type TemplateFamily = (typeof TEMPLATE_FAMILIES)[number];

/**
 * What a parameter holds: `item` / `items` catalog item ids; `days` a whole number of days;
 * `amount` yuan; `holiday` a calendar day id (`spring-festival`, `double-11` …; GET
 * /admin/v1/calendar/:year lists them); `segment` a lifecycle segment; `tag` a real-time tag name;
 * `model` a response model's target; `score` a model score 0–1; `slot` a slot kind (`picks`, `ad` …);
 * `id` the id of what the template makes (new ids are derived from it); `number` any number
 * within `min`…`max` (a priority, a percentage).
 */
export const PARAM_TYPES = ['item', 'items', 'days', 'amount', 'holiday', 'segment', 'tag', 'model', 'score', 'slot', 'id', 'number'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

/** Bounds each type has unless the parameter narrows them. */
export const PARAM_BOUNDS: Partial<Record<ParamType, { min: number; max: number; int?: boolean }>> = {
  days: { min: 0, max: 366, int: true },
  amount: { min: 0.01, max: 1e10 },
  score: { min: 0, max: 1 },
  number: { min: -1e6, max: 1e6 },
};

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PARAM_NAME = /^[a-z][A-Za-z0-9]{0,31}$/;

function build() {
  const localized = (max: number) => c.object({ 'zh-CN': c.string(max, 1), en: c.string(max, 1) });
  const value = c.union(c.string(256), c.number(), c.boolean(), c.array(c.union(c.string(256), c.number()), 50));

  const param = c.object({
    name: c.string(32, 1, PARAM_NAME, 'expected a parameter name: a lowercase letter, then letters or digits'),
    type: c.oneOf(PARAM_TYPES),
    default: value,
    label: localized(64),
    /** a plain-words hint the console shows under the field */
    help: c.optional(localized(256)),
    min: c.optional(c.number()),
    max: c.optional(c.number()),
  });

  const template = c.object({
    id: c.string(64, 1, ID, 'expected 1–64 letters, digits, ".", "_" or "-"'),
    family: c.oneOf(TEMPLATE_FAMILIES),
    version: c.int(1),
    name: localized(128),
    /** what it does, in plain words */
    description: localized(1024),
    params: c.array(param, 16),
    drafts: c.object({
      /** a campaign (sdk/contract-admin.ts) with placeholders */
      campaign: c.record(c.string(64, 1), c.unknown()),
      tags: c.optional(c.array(c.record(c.string(64, 1), c.unknown()), 8)),
      triggers: c.optional(c.array(c.record(c.string(64, 1), c.unknown()), 8)),
    }),
    /** `builtin`, or the app whose own template it is */
    owner: c.optional(c.string(64, 1)),
  });

  /** POST /admin/v1/apps/:app/templates/:id/drafts */
  const instantiate = c.object({ params: c.optional(c.record(c.string(32, 1), c.unknown())) });

  /** POST /admin/v1/apps/:app/templates: an app's own template, from one of its campaigns */
  const saveTemplate = c.object({
    id: c.string(64, 1, ID, 'expected 1–64 letters, digits, ".", "_" or "-"'),
    family: c.oneOf(TEMPLATE_FAMILIES),
    name: localized(128),
    description: localized(1024),
    /** the campaign (draft or live) it is made from */
    campaign: c.string(64, 1, ID, 'expected a campaign id'),
    /** each parameter replaces the campaign's value at `path` (`pins.0.itemId`); that value is its default */
    params: c.array(
      c.object({ name: param.shape.name, type: param.shape.type, label: param.shape.label, help: param.shape.help, path: c.string(256, 1) }),
      16,
    ),
  });

  return { param, template, instantiate, saveTemplate };
}

type G = ReturnType<typeof build>;
let checks: G | undefined;
let zods: Zod<G> | undefined;
/** The template schemas as lean schemas (the console checks forms with these, without zod). */
export const templateChecks = () => (checks ??= build());
/** The same in zod/mini, for the server. */
export const templateSchemas = () => (zods ??= zodOf(templateChecks()));

export type TemplateParam = Infer<G['param']>;
export type Template = Infer<G['template']>;
export type InstantiateRequest = Infer<G['instantiate']>;
export type SaveTemplateRequest = Infer<G['saveTemplate']>;

/** One entry of `GET /admin/v1/templates`. */
export interface TemplateSummary {
  id: string;
  family: TemplateFamily;
  version: number;
  name: Template['name'];
  description: Template['description'];
  params: TemplateParam[];
  /** `builtin`, or the app it belongs to */
  owner: string;
}

/** `201` of POST …/templates/:id/drafts: the drafts made, each readable at `/admin/v1/apps/:app/:collection/:id`. */
export interface InstantiateAnswer {
  drafts: { collection: 'campaigns' | 'tags' | 'triggers' | 'items'; id: string }[];
  template: { id: string; version: number };
}

/**
 * The problem with one parameter value by its type alone, or undefined (whether an item or a
 * holiday exists is the server's question). The console checks a form field with it.
 * @example paramProblem({ name: 'days', type: 'days', … }, 400) // 'must be at most 366'
 */
export function paramProblem(p: TemplateParam, v: unknown): string | undefined {
  const b = PARAM_BOUNDS[p.type];
  if (b) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return 'expected a number';
    if (b.int && !Number.isInteger(v)) return 'expected a whole number';
    const min = Math.max(b.min, p.min ?? -Infinity);
    const max = Math.min(b.max, p.max ?? Infinity);
    if (v < min) return `must be at least ${min}`;
    if (v > max) return `must be at most ${max}`;
    return undefined;
  }
  switch (p.type) {
    case 'items':
      return Array.isArray(v) && v.length >= 1 && v.length <= 50 && v.every((x) => typeof x === 'string' && ID.test(x)) ? undefined : 'expected 1–50 item ids';
    case 'segment':
      return (SEGMENTS as readonly unknown[]).includes(v) ? undefined : `expected one of ${SEGMENTS.join(', ')}`;
    case 'slot':
      return (SLOT_KINDS as readonly unknown[]).includes(v) ? undefined : `expected one of ${SLOT_KINDS.join(', ')}`;
    default:
      return typeof v === 'string' && ID.test(v) ? undefined : 'expected 1–64 letters, digits, ".", "_" or "-"';
  }
}

/**
 * The operator side of the contract: one app's **rule set** (campaigns, real-time tags, triggers,
 * slot layouts, catalog items), a published **release** of it, and the semantic checks every draft
 * and release passes. Imported by server-stub (rules, admin) and the console, never by the SDK
 * bundle: the device only ever sees the config and decide answers of contract.ts.
 *
 * Written like contract.ts: lean schemas (contract-check.ts) built lazily, turned into zod/mini
 * by `ruleSetSchemas()` for the server. Tags and triggers reuse contract.ts's `tagRule` and
 * `triggerRule` as they are, so what an operator saves is exactly what devices evaluate.
 *
 * Every entity has a stable id: `id` for campaigns, triggers, slot layouts and items; a tag
 * rule's `name` is its id (devices key tags by name). `idOf` reads it.
 *
 * @example
 * const parsed = ruleSetSchemas().ruleSet.safeParse(json);
 * if (!parsed.success) return bad(firstProblem(parsed.error));
 * const problems = checkRuleSet(parsed.data); // [] or [{ code: 'unknown_item', message, path: 'campaigns.0.pins.0.itemId' }]
 */
import * as c from './contract-check';
import type { Infer, Problem } from './contract-check';
import { EVENT_TYPES, LIMITS, RISK_LEVELS, RISK_TOLERANCES, ruleChecks, SLOT_KINDS, zodOf, type Filter, type Matcher, type SlotKind, type Zod } from './contract';

/** Product and content kinds a catalog item may have. */
export const ITEM_KINDS = ['fund', 'deposit', 'wealth', 'loan', 'card', 'insurance', 'article', 'ad', 'reminder'] as const;
/** Lifecycle segments the backend derives from behaviour (a campaign may aim at some). */
export const SEGMENTS = ['new', 'active', 'dormant', 'churn_risk'] as const;
/**
 * How a campaign condition compares a customer trait (the engine profile's `traits`: `identify`
 * properties and the bank's batch columns). `eq` … `exists` compare the value as a device filter
 * does. The three date ops measure in whole days, in China time, from today to a day the trait
 * names, and hold when that distance lies in `min…max` (negative: in the past):
 * - `date_in_days`: the trait is a date `YYYY-MM-DD` (a deposit maturing in 0…7 days; an account
 *   opened −7…0 days ago);
 * - `anniversary_in_days`: the trait's month and day, in any year (a birthday 0…3 days away);
 * - `day_of_month_in_days`: the trait is a day of the month 1–31 (a pay day −1…2 days away; a day
 *   past the month's end falls on its last day).
 */
export const TRAIT_OPS = ['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte', 'exists', 'date_in_days', 'anniversary_in_days', 'day_of_month_in_days'] as const;
export type TraitOp = (typeof TRAIT_OPS)[number];
/** The trait ops that measure days from today, and so take `min` and `max` instead of `value`. */
export const DATE_TRAIT_OPS: readonly TraitOp[] = ['date_in_days', 'anniversary_in_days', 'day_of_month_in_days'];
/** A calendar date as the calendar and batch data write it. */
export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The five collections of a rule set, as the admin API names them. */
export const COLLECTIONS = ['campaigns', 'tags', 'triggers', 'slots', 'items'] as const;

export type ItemKind = (typeof ITEM_KINDS)[number];
export type Segment = (typeof SEGMENTS)[number];
export type Collection = (typeof COLLECTIONS)[number];

/** Bounds of one rule set; the config answer's bounds (200 tags, 200 triggers) carry over. */
export const RULE_LIMITS = {
  campaigns: 500,
  tags: 200,
  triggers: 200,
  slots: 100,
  items: 100_000,
  /** pins or boosted ids in one campaign */
  pins: 50,
} as const;

/** Ids travel in URLs (`/admin/v1/apps/:app/items/:id`, `/v1/images/<id>.svg`), so they are plain. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ID_MSG = 'expected 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit';
/**
 * Where an item or reminder links: http(s), or a path on the host's own (http(s)) site. Never
 * `javascript:`, `data:` or a protocol-relative `//host` (a link to anywhere).
 */
const SAFE_URL = /^(?:\/(?!\/)|#|\?|https?:\/\/[^\s/]+)/i;
const URL_MSG = 'expected an http(s) URL or a path on the site';

const sid = () => c.string(64, 1, ID, ID_MSG);
const name = () => c.string(LIMITS.id, 1);
const url = () => c.string(LIMITS.text, 1, SAFE_URL, URL_MSG);
/** epoch milliseconds */
const time = () => c.int(0);

function build() {
  const { tagRule, triggerRule } = ruleChecks();
  /** every string a person reads comes in both languages the engine speaks */
  const localized = (max: number) => c.object({ 'zh-CN': c.string(max, 1), en: c.string(max, 1) });

  const slotRequest = c.object({
    id: name(),
    kind: c.oneOf(SLOT_KINDS),
    count: c.int(1, LIMITS.slotCount),
  });

  /** A named page layout: the slots a page asks for in one decide. */
  const slotLayout = c.object({
    id: sid(),
    /** the page section it lays out (home, wealth, loans …); absent: any page */
    page: c.optional(name()),
    slots: c.array(slotRequest, LIMITS.slots, 1),
  });

  const catalogItem = c.object({
    id: sid(),
    kind: c.oneOf(ITEM_KINDS),
    category: sid(),
    title: localized(256),
    subtitle: c.optional(localized(512)),
    /** required for fund and wealth items (checkRuleSet): suitability compares it with C1–C5 */
    risk: c.optional(c.oneOf(RISK_LEVELS)),
    /** yield or interest rate in percent (APR for loans) */
    rate: c.optional(c.number()),
    termDays: c.optional(c.int(0, 36_500)),
    minAmount: c.optional(c.number()),
    tags: c.array(sid(), 16),
    /** the item is live in [start, end) */
    start: c.optional(time()),
    end: c.optional(time()),
    url: c.optional(url()),
    image: c.optional(url()),
    cta: c.optional(localized(32)),
    highlight: c.optional(c.object({ label: localized(64), value: c.string(64, 1) })),
    /** prior popularity 0..1 */
    popularity: c.optional(c.number()),
    /** editorial priority, higher first */
    editorial: c.optional(c.number()),
    /** a reminder item applies only then: `no_risk_profile`, or `holds:<kind>` */
    condition: c.optional(c.oneOf(['no_risk_profile', ...ITEM_KINDS.map((k) => `holds:${k}` as const)])),
  });

  const pin = c.object({
    itemId: sid(),
    /** the slot to pin to, by id, or else the first requested slot of `slotKind` */
    slotId: c.optional(name()),
    slotKind: c.optional(c.oneOf(SLOT_KINDS)),
    /** 0-based position in the slot, default 0 */
    position: c.optional(c.int(0, LIMITS.slotCount - 1)),
  });

  /** a real-time tag the device sends with decide: held when present and truthy, or equal to `value` */
  const tagAudience = c.object({ name: name(), value: c.optional(c.union(c.string(256), c.number(), c.boolean())) });

  /** a model's score audience: users scored ≥ `minScore`, or in the model's top `topPercent` */
  const scoreAudience = c.object({
    model: name(),
    minScore: c.optional(c.number()),
    topPercent: c.optional(c.number()),
  });

  /** a condition on one customer trait; see TRAIT_OPS */
  const traitCondition = c.object({
    name: c.string(64, 1, /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'expected a trait name: a letter or _, then letters, digits, _ . -'),
    op: c.oneOf(TRAIT_OPS),
    value: c.optional(c.union(c.string(256), c.number(), c.boolean(), c.array(c.union(c.string(256), c.number()), 64, 1))),
    min: c.optional(c.int(-3660, 3660)),
    max: c.optional(c.int(-3660, 3660)),
  });

  /**
   * Live from `before` days before to `after` days after any of `dates` (China time, whole days):
   * each year's Spring Festival, 11.11 … as the template that made the campaign resolved them.
   */
  const calendarWindow = c.object({
    dates: c.array(c.string(10, 10, DATE_RE, 'expected a date YYYY-MM-DD'), 64, 1),
    before: c.int(0, 366),
    after: c.int(0, 366),
    /** the calendar day the dates are (`spring-festival`, `double-11` …), for people reading it */
    day: c.optional(sid()),
  });

  const campaign = c.object({
    id: sid(),
    /** the reason shown on its items */
    label: localized(128),
    /** absent: every segment */
    segments: c.optional(c.array(c.oneOf(SEGMENTS), SEGMENTS.length, 1)),
    /** users holding every one of these real-time tags; absent: anyone */
    tags: c.optional(c.array(tagAudience, 16, 1)),
    audience: c.optional(scoreAudience),
    /** page sections (home, wealth, loans …); absent: every page */
    pages: c.optional(c.array(name(), 32, 1)),
    /** [start, end) in epoch ms; an absent end is open */
    start: c.optional(time()),
    end: c.optional(time()),
    /** higher claims its pins first */
    priority: c.int(-1000, 1000),
    pins: c.optional(c.array(pin, RULE_LIMITS.pins)),
    /** items ranked higher by `by` (added to the logit) wherever they are eligible */
    boost: c.optional(c.object({ itemIds: c.array(sid(), RULE_LIMITS.pins, 1), by: c.number() })),
    /** how often one user sees the campaign's items */
    caps: c.optional(c.object({ perDay: c.optional(c.int(1, 1000)), lifetime: c.optional(c.int(1, 100_000)) })),
    /** customers whose traits meet every one of these; only personalised requests, as `segments` */
    traits: c.optional(c.array(traitCondition, 16, 1)),
    /** live only around these calendar days (on top of `start`/`end`) */
    calendar: c.optional(calendarWindow),
    /** the template and version that made the campaign (sdk/contract-templates.ts) */
    template: c.optional(c.object({ id: sid(), version: c.int(1) })),
  });

  const ruleSet = c.object({
    campaigns: c.array(campaign, RULE_LIMITS.campaigns),
    tags: c.array(tagRule, RULE_LIMITS.tags),
    triggers: c.array(triggerRule, RULE_LIMITS.triggers),
    slots: c.array(slotLayout, RULE_LIMITS.slots),
    items: c.array(catalogItem, RULE_LIMITS.items),
  });

  const release = c.object({
    /** 1, 2, 3 … per app; a rollback publishes an earlier release's rules as a new version */
    version: c.int(1),
    publishedAt: time(),
    rules: ruleSet,
  });

  return { slotRequest, slotLayout, catalogItem, pin, tagAudience, scoreAudience, traitCondition, calendarWindow, campaign, ruleSet, release };
}

type G = ReturnType<typeof build>;
let checks: G | undefined;
let zods: Zod<G> | undefined;

/** The rule-set schemas as lean schemas (what the console checks forms with, without zod). */
export const ruleSetChecks = () => (checks ??= build());
/** The rule-set schemas in zod/mini: `campaign`, `catalogItem`, `slotLayout`, `ruleSet`, `release` … */
export const ruleSetSchemas = () => (zods ??= zodOf(ruleSetChecks()));

export type SlotLayout = Infer<G['slotLayout']>;
export type CatalogItem = Infer<G['catalogItem']>;
export type Pin = Infer<G['pin']>;
export type TagAudience = Infer<G['tagAudience']>;
export type ScoreAudience = Infer<G['scoreAudience']>;
export type Campaign = Infer<G['campaign']>;
export type TraitCondition = Infer<G['traitCondition']>;
export type CalendarWindow = Infer<G['calendarWindow']>;
export type RuleSet = Infer<G['ruleSet']>;
export type Release = Infer<G['release']>;

/** The stable id of an entity of `collection`: a tag rule's `name`, everything else's `id`. */
export function idOf(collection: Collection, entity: { id?: string; name?: string }): string {
  return (collection === 'tags' ? entity.name : entity.id) ?? '';
}

/** Which items a slot kind may hold: ads only in `ad` slots, reminders only in `reminder` slots. */
export function slotHolds(slot: SlotKind, item: ItemKind): boolean {
  const pool = (k: string) => (k === 'ad' || k === 'reminder' ? k : 'product');
  return pool(slot) === pool(item);
}

const p = (code: string, path: (string | number)[], why: string): Problem => {
  const at = path.join('.');
  return { code, message: `${at}: ${why}`, path: at };
};

/**
 * The semantic problems of a rule set that passed `ruleSetSchemas().ruleSet`, each naming its
 * field: duplicate ids, unknown items in pins, boosts and reminders, a pin to a slot that cannot
 * hold its item, a window that ends before it starts, a trigger whose `unless` can never match,
 * a fund or wealth item without its risk level, a score audience with neither or both bounds.
 * Empty when the rule set may be published.
 * @example checkRuleSet(rules).map((x) => x.path) // ['items.4.risk', 'campaigns.0.pins.1.itemId']
 */
export function checkRuleSet(rules: RuleSet): Problem[] {
  const out: Problem[] = [];
  for (const col of COLLECTIONS) {
    const seen = new Map<string, number>();
    (rules[col] as { id?: string; name?: string }[]).forEach((e, i) => {
      const id = idOf(col, e);
      const first = seen.get(id);
      if (first !== undefined) out.push(p('duplicate_id', [col, i, col === 'tags' ? 'name' : 'id'], `"${id}" is also ${col}.${first}`));
      else seen.set(id, i);
    });
  }

  const items = new Map(rules.items.map((x) => [x.id, x]));
  const slotKinds = new Map<string, SlotKind>();
  for (const layout of rules.slots) for (const s of layout.slots) if (!slotKinds.has(s.id)) slotKinds.set(s.id, s.kind);
  const known = (id: string, path: (string | number)[]) => {
    const item = items.get(id);
    if (!item) out.push(p('unknown_item', path, `no item "${id}" in the rule set`));
    return item;
  };

  rules.items.forEach((item, i) => {
    if ((item.kind === 'fund' || item.kind === 'wealth') && !item.risk)
      out.push(p('missing_risk', ['items', i, 'risk'], `a ${item.kind} item needs its risk level (R1–R5)`));
    window(out, ['items', i], item);
  });

  rules.campaigns.forEach((cmp, i) => {
    window(out, ['campaigns', i], cmp);
    cmp.pins?.forEach((pin, j) => {
      const at = ['campaigns', i, 'pins', j];
      const item = known(pin.itemId, [...at, 'itemId']);
      const kind = pin.slotId ? slotKinds.get(pin.slotId) : pin.slotKind;
      // a pin to a slot id no layout names may target a page's own slot: only its kind is unknown
      if (item && kind && !slotHolds(kind, item.kind))
        out.push(p('pin_slot_kind', [...at, pin.slotId ? 'slotId' : 'slotKind'], `a ${kind} slot cannot hold ${item.kind} item "${item.id}"`));
      if (pin.slotId && pin.slotKind && kind !== pin.slotKind && slotKinds.has(pin.slotId))
        out.push(p('pin_slot_kind', [...at, 'slotKind'], `slot "${pin.slotId}" is a ${kind} slot, not ${pin.slotKind}`));
    });
    cmp.boost?.itemIds.forEach((id, j) => known(id, ['campaigns', i, 'boost', 'itemIds', j]));
    const a = cmp.audience;
    if (a && (a.minScore === undefined) === (a.topPercent === undefined))
      out.push(p('bad_audience', ['campaigns', i, 'audience'], 'give exactly one of minScore or topPercent'));
    if (a?.topPercent !== undefined && !(a.topPercent > 0 && a.topPercent <= 100))
      out.push(p('bad_audience', ['campaigns', i, 'audience', 'topPercent'], 'must be more than 0 and at most 100'));
    cmp.traits?.forEach((t, j) => traitProblem(out, ['campaigns', i, 'traits', j], t));
  });

  rules.tags.forEach((tag, i) => {
    if ((tag.agg === 'sum' || tag.agg === 'last') && !tag.property)
      out.push(p('missing_property', ['tags', i, 'property'], `a "${tag.agg}" tag needs the property it reads`));
    never(out, ['tags', i, 'match'], tag.match, 'the tag can never hold');
  });

  rules.triggers.forEach((t, i) => {
    never(out, ['triggers', i, 'when'], t.when, 'the trigger can never fire');
    if (t.unless) never(out, ['triggers', i, 'unless'], t.unless, 'the "unless" can never match, so it never cancels');
    if (t.reminder.itemId) known(t.reminder.itemId, ['triggers', i, 'reminder', 'itemId']);
    if (t.reminder.url && !SAFE_URL.test(t.reminder.url)) out.push(p('invalid_field', ['triggers', i, 'reminder', 'url'], URL_MSG));
  });

  return out;
}

function traitProblem(out: Problem[], at: (string | number)[], t: TraitCondition) {
  if (DATE_TRAIT_OPS.includes(t.op)) {
    if (t.min === undefined || t.max === undefined) out.push(p('bad_condition', [...at, t.min === undefined ? 'min' : 'max'], `"${t.op}" needs min and max (days from today)`));
    else if (t.max < t.min) out.push(p('bad_condition', [...at, 'max'], 'is below min'));
  } else if (t.op === 'in' ? !Array.isArray(t.value) : t.op !== 'exists' && (t.value === undefined || Array.isArray(t.value)))
    out.push(p('bad_condition', [...at, 'value'], t.op === 'in' ? '"in" needs a list of values' : `"${t.op}" needs one value`));
  else if (['gt', 'gte', 'lt', 'lte'].includes(t.op) && typeof t.value !== 'number') out.push(p('bad_condition', [...at, 'value'], `"${t.op}" compares with a number`));
}

function window(out: Problem[], at: (string | number)[], w: { start?: number; end?: number }) {
  if (w.start !== undefined && w.end !== undefined && w.end <= w.start) out.push(p('bad_window', [...at, 'end'], 'ends before it starts'));
}

/** Reports at `at.where.<i>` the first filter that contradicts the ones before it on the same property. */
function never(out: Problem[], at: (string | number)[], m: Matcher, why: string) {
  const i = contradiction(m.where ?? []);
  if (i >= 0) out.push(p('never_matches', [...at, 'where', i], why));
}

/**
 * The index of the first filter no event can satisfy together with the filters before it on the
 * same property, or -1. Filters match as sdk/rules.ts matches them: `eq`/`in` compare values
 * (a number also matches its numeric string), `gt…lte` hold only for a number bound, `exists`
 * with `value: false` asks for absence.
 */
export function contradiction(where: readonly Filter[]): number {
  type State = { lo: number; loOpen: boolean; hi: number; hiOpen: boolean; only?: unknown[]; not: unknown[]; absent?: boolean; present?: boolean };
  const props = new Map<string, State>();
  // "2" and 2 may both match the event value "2": compared as text, a contradiction is never claimed wrongly
  const same = (a: unknown, b: unknown) => String(a) === String(b);
  const inRange = (s: State, v: unknown) => {
    if (s.lo === -Infinity && s.hi === Infinity) return true;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? +v : NaN;
    return !Number.isNaN(n) && (s.loOpen ? n > s.lo : n >= s.lo) && (s.hiOpen ? n < s.hi : n <= s.hi);
  };
  for (let i = 0; i < where.length; i++) {
    const f = where[i]!;
    let s = props.get(f.prop);
    if (!s) props.set(f.prop, (s = { lo: -Infinity, loOpen: false, hi: Infinity, hiOpen: false, not: [] }));
    const v = f.value;
    switch (f.op) {
      case 'exists':
        if (v === false) s.absent = true;
        else s.present = true;
        break;
      case 'eq':
        s.only = s.only ? s.only.filter((x) => same(x, v)) : [v];
        s.present = true;
        break;
      case 'in':
        if (!Array.isArray(v)) return i;
        s.only = s.only ? s.only.filter((x) => v.some((y) => same(x, y))) : [...v];
        s.present = true;
        break;
      case 'neq':
        s.not.push(v);
        break;
      default: {
        // a comparison with anything but a number matches nothing (rules.ts)
        if (typeof v !== 'number') return i;
        s.present = true;
        if (f.op === 'gt' || f.op === 'gte') {
          if (v > s.lo || (v === s.lo && f.op === 'gt')) Object.assign(s, { lo: v, loOpen: f.op === 'gt' });
        } else if (v < s.hi || (v === s.hi && f.op === 'lt')) Object.assign(s, { hi: v, hiOpen: f.op === 'lt' });
      }
    }
    const emptyRange = s.lo > s.hi || (s.lo === s.hi && (s.loOpen || s.hiOpen));
    const noValue = s.only !== undefined && !s.only.some((x) => !s!.not.some((y) => y === x) && inRange(s!, x));
    if ((s.absent && s.present) || emptyRange || noValue) return i;
  }
  return -1;
}

// ——— The admin API (/admin/v1/): requests and answers ———————————————————————————————————————————
//
// Conventions every answer keeps, so the console can rely on them: lists are `{ items: [...] }`
// (plus `next` when paged), times are ISO 8601 strings in UTC, records carry their `id` (users their
// `username`, releases their `version`), errors are `{ error: { code, message, path } }`.
// README "The admin API" has an example per call.

export const ROLES = ['viewer', 'editor', 'publisher', 'admin'] as const;
/** Each role may do what the ones before it may: viewer < editor < publisher < admin. */
export type Role = (typeof ROLES)[number];

/** One rule or item of any collection, as the contract's schema for it keeps it. */
export type RuleEntity = Record<string, unknown>;

/** `live`: in the live release, unchanged; `draft`: new or edited; `deleted`: live, deletion pending. */
export type EntryStatus = 'live' | 'draft' | 'deleted';

/** One entry of `GET /admin/v1/apps/:app/<kind>`. */
export interface DraftEntry {
  /** the rule's id (a tag rule's `name`) */
  id: string;
  status: EntryStatus;
  /** send back as `If-Match` on PUT/DELETE; changes whenever the entry's status or value does */
  rev: string;
  /** the rule as it would be published (for `deleted`: as it is live) */
  value: RuleEntity;
  updatedAt?: string;
  updatedBy?: string;
}

/**
 * pending (waits for a second publisher) → scheduled (waits for `goLiveAt`) → live → superseded;
 * or rejected (not approved), cancelled (a scheduled one withdrawn, or whose base moved), failed
 * (the engine refused it after it was stored; the previous release was put back).
 */
export const RELEASE_STATUSES = ['pending', 'scheduled', 'live', 'superseded', 'rejected', 'cancelled', 'failed'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export interface ReleaseAnswer {
  version: number;
  status: ReleaseStatus;
  /** the live version the release was made against (its diff's "before") */
  base: number | null;
  note: string;
  createdBy: string;
  createdAt: string;
  approvedBy?: string;
  approvedAt?: string;
  goLiveAt?: string;
  liveAt?: string;
  /** set on a rollback: the version whose rules this release repeats */
  rollbackOf?: number;
  /** why a release was rejected or cancelled */
  reason?: string;
  /** rules per kind */
  counts: Record<Collection, number>;
  /** only on `GET …/releases/:version` */
  rules?: RuleSet;
}

export type ChangeKind = 'added' | 'changed' | 'removed';
export interface Change {
  kind: Collection;
  id: string;
  change: ChangeKind;
  before?: RuleEntity;
  after?: RuleEntity;
}

export interface AuditAnswer {
  id: number;
  at: string;
  actor: string;
  app: string | null;
  action: string;
  target: string;
  ip: string;
  userAgent: string;
  diff: unknown;
}

export interface UserAnswer {
  username: string;
  role: Role;
  apps: string[];
  disabled: boolean;
  createdAt: string;
}

export interface TokenAnswer {
  id: string;
  username: string;
  name: string;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
  /** only in the answer that creates it: shown once, stored hashed */
  token?: string;
}

export interface AppAnswer {
  id: string;
  name: string;
  fourEyes: boolean;
  /** the live release's version, null before the first */
  live: number | null;
  createdAt: string;
}

export interface KeyAnswer {
  key: string;
  app: string;
  /** `config`: from keys.json or the built-in demo key (not revocable here); `admin`: made here */
  source: 'config' | 'admin';
  createdAt?: string;
  createdBy?: string;
}

const APP_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

function buildAdmin() {
  const username = () => c.string(64, 1, USERNAME, 'expected 1–64 letters, digits, or . _ @ -');
  const appId = () => c.string(63, 1, APP_ID, 'expected 1–63 lowercase letters, digits, _ or -, starting with a letter or digit');
  const role = () => c.oneOf(ROLES);
  const apps = () => c.array(c.union(c.literal('*'), appId()), 1000, 1);
  const text = (max: number) => c.string(max);
  const sampleEvents = () =>
    c.array(
      c.object({ type: c.optional(c.oneOf(EVENT_TYPES)), name: c.string(LIMITS.id, 1), ts: c.int(0), properties: c.optional(c.record(c.string(LIMITS.id), c.unknown())) }),
      1000,
    );
  const isoTime = () => c.custom<string>((v) => typeof v === 'string' && v.length <= 64 && !Number.isNaN(Date.parse(v)), 'expected an ISO 8601 time');
  return {
    login: c.object({ username: text(LIMITS.id), password: text(1024) }),
    createUser: c.object({ username: username(), role: role(), apps: c.optional(apps()), password: text(1024) }),
    updateUser: c.object({ role: c.optional(role()), apps: c.optional(apps()), disabled: c.optional(c.boolean()), password: c.optional(text(1024)) }),
    createToken: c.object({ username: c.optional(username()), name: c.string(LIMITS.id, 1), expiresAt: c.optional(isoTime()) }),
    createApp: c.object({ id: appId(), name: c.optional(text(LIMITS.id)), fourEyes: c.optional(c.boolean()) }),
    updateApp: c.object({ name: c.optional(text(LIMITS.id)), fourEyes: c.optional(c.boolean()) }),
    publish: c.object({ note: c.optional(text(LIMITS.text)), goLiveAt: c.optional(isoTime()) }),
    reject: c.object({ reason: c.optional(text(LIMITS.text)) }),
    rollback: c.object({ note: c.optional(text(LIMITS.text)) }),
    /** POST …/preview: a sample customer's page (server-stub/rules/preview.ts `PreviewSample`) */
    previewSample: c.object({
      userId: c.optional(c.string(LIMITS.id, 1)),
      traits: c.optional(c.object({ riskTolerance: c.optional(c.oneOf(RISK_TOLERANCES)) })),
      tags: c.optional(c.record(c.string(LIMITS.id, 1), c.union(c.string(256), c.number(), c.boolean()))),
      events: c.optional(sampleEvents()),
      page: c.string(LIMITS.text, 1),
      slots: c.array(ruleSetChecks().slotRequest, LIMITS.slots, 1),
      locale: c.optional(c.string(16, 2)),
      now: c.optional(c.int(0)),
    }),
    /** POST …/triggers/dry-run: a typed event sequence, oldest first */
    dryRun: c.object({ events: sampleEvents() }),
  };
}

type A = ReturnType<typeof buildAdmin>;
let adminChecks: A | undefined;
let adminZods: Zod<A> | undefined;
/** The admin API's request schemas as lean schemas (the console checks its forms with these). */
export const adminRequestChecks = () => (adminChecks ??= buildAdmin());
/** The same in zod/mini, for the server. */
export const adminRequests = () => (adminZods ??= zodOf(adminRequestChecks()));
export type LoginRequest = Infer<A['login']>;
export type CreateUserRequest = Infer<A['createUser']>;
export type UpdateUserRequest = Infer<A['updateUser']>;
export type CreateTokenRequest = Infer<A['createToken']>;
export type CreateAppRequest = Infer<A['createApp']>;
export type UpdateAppRequest = Infer<A['updateApp']>;
export type PublishRequest = Infer<A['publish']>;

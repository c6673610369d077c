/**
 * The built-in templates are data the contract accepts; every one instantiates with its defaults
 * into drafts the contract accepts; a bad parameter is reported at the parameter; placeholders fill
 * values and convert only as declared. The trait conditions' date arithmetic, in China time.
 */
import { describe, expect, it } from 'vitest';
import { checkRuleSet, type CatalogItem, type RuleSet, type TraitCondition } from '../../sdk/contract-admin';
import { templateSchemas, TEMPLATE_FAMILIES, type Template } from '../../sdk/contract-templates';
import { contractChecks } from '../../server-stub/admin/rules';
import { inCalendar, traitHolds, chinaDay } from '../../server-stub/engine/traits';
import { seedRuleSet } from '../../server-stub/rules/seed';
import { BUILTIN_TEMPLATES } from '../../server-stub/templates/builtin';
import { fill, sourceOf } from '../../server-stub/templates/fill';
import { instantiate } from '../../server-stub/templates/instantiate';
import { fittingSample, liveWindows } from '../../server-stub/templates/preview';
import { HttpError } from '../../server-stub/wire/errors';
import { activeCampaigns } from '../../server-stub/engine/strategies/campaigns';

const NOW = Date.parse('2026-12-07T10:00:00+08:00');
const catalog = new Map(seedRuleSet({ now: NOW }).items.map((i) => [i.id, i]));
const item = (id: string) => {
  const hit = catalog.get(id);
  return hit && { item: hit as CatalogItem, inRules: false };
};
const make = (t: Template, given: Record<string, unknown> = {}) => instantiate({ template: t, given, now: NOW, checks: contractChecks(), item });
const error = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof HttpError) return { status: e.status, code: e.code, path: e.path };
    throw e;
  }
  throw new Error('no error');
};

describe('built-in templates', () => {
  it('are at least 15, at least 4 per family, with unique ids, each valid by the contract', () => {
    expect(BUILTIN_TEMPLATES.length).toBeGreaterThanOrEqual(15);
    for (const f of TEMPLATE_FAMILIES) expect(BUILTIN_TEMPLATES.filter((t) => t.family === f).length, f).toBeGreaterThanOrEqual(4);
    expect(new Set(BUILTIN_TEMPLATES.map((t) => t.id)).size).toBe(BUILTIN_TEMPLATES.length);
    for (const t of BUILTIN_TEMPLATES) {
      const r = templateSchemas().template.safeParse(t);
      expect(r.success, `${t.id}: ${JSON.stringify(!r.success && r.error.issues[0])}`).toBe(true);
    }
  });

  it.each(BUILTIN_TEMPLATES.map((t) => [t.id, t] as const))('%s: its defaults make drafts that form a valid rule set', (_id, t) => {
    const drafts = make(t);
    const rules: RuleSet = { campaigns: [], tags: [], triggers: [], slots: [], items: [] };
    for (const d of drafts) (rules[d.collection] as unknown[]).push(d.value);
    expect(checkRuleSet(rules)).toEqual([]);
    const campaign = rules.campaigns[0]!;
    expect(campaign.template).toEqual({ id: t.id, version: 1 });
    // the item it pins is in the drafts, copied from the catalog
    for (const pin of campaign.pins ?? []) expect(rules.items.map((i) => i.id)).toContain(pin.itemId);
    // the sample customer the preview builds fits it somewhere in the next 400 days
    expect(liveWindows(campaign, fittingSample(campaign, chinaDay(NOW)).traits, NOW).length, t.id).toBeGreaterThan(0);
  });

  it('names the parameter behind every kind of bad value', () => {
    const t = BUILTIN_TEMPLATES.find((x) => x.id === 'term-deposit-maturing')!;
    expect(error(() => make(t, { days: 400 }))).toEqual({ status: 400, code: 'invalid_param', path: 'params.days' });
    expect(error(() => make(t, { days: 'soon' }))).toEqual({ status: 400, code: 'invalid_param', path: 'params.days' });
    expect(error(() => make(t, { item: 'no-such-item' }))).toEqual({ status: 400, code: 'unknown_item', path: 'params.item' });
    expect(error(() => make(t, { slot: 'ad' }))).toEqual({ status: 400, code: 'pin_slot_kind', path: 'params.slot' });
    expect(error(() => make(t, { id: 'bad id!' }))).toEqual({ status: 400, code: 'invalid_param', path: 'params.id' });
    expect(error(() => make(t, { colour: 'red' }))).toEqual({ status: 400, code: 'unknown_param', path: 'params.colour' });
    const festival = BUILTIN_TEMPLATES.find((x) => x.id === 'spring-festival')!;
    expect(error(() => make(festival, { holiday: 'christmas' }))).toEqual({ status: 400, code: 'unknown_holiday', path: 'params.holiday' });
  });

  it('fills the calendar window with the festival\'s next dates and the maturity window with the days', () => {
    const festival = make(BUILTIN_TEMPLATES.find((x) => x.id === 'spring-festival')!, { holiday: 'mid-autumn', before: 3 });
    expect(festival.at(-1)!.value.calendar).toEqual({ dates: ['2027-09-15', '2028-10-03', '2029-09-22'], before: 3, after: 5, day: 'mid-autumn' });
    const maturing = make(BUILTIN_TEMPLATES.find((x) => x.id === 'term-deposit-maturing')!, { days: 10, id: 'mature10' });
    expect(maturing.at(-1)!.value).toMatchObject({ id: 'mature10', traits: [{ name: 'termDepositMaturesOn', op: 'date_in_days', min: 0, max: 10 }] });
    const deposit = make(BUILTIN_TEMPLATES.find((x) => x.id === 'large-deposit')!, { amount: 20000 });
    expect(deposit.find((d) => d.collection === 'tags')!.value).toMatchObject({ name: 'large_deposit_deposit', windowMs: 7 * 86_400_000 });
  });
});

describe('placeholders', () => {
  const ctx = { values: { days: 3, id: 'x', holiday: 'double-11' }, template: { id: 't', version: 2 }, today: '2026-12-07', years: 2 };
  it('replace whole strings by typed values, inner ones by text, and convert only as declared', () => {
    const { value, sources } = fill({ a: '{{days}}', b: '{{days:ms}}', c: '{{days:neg}}', d: 'tag_{{id}}', e: '{{holiday:dates}}', f: '{{$template}}', g: ['{{days}}'], h: '{{days:end}}' }, ctx);
    expect(value).toEqual({ a: 3, b: 259_200_000, c: -3, d: 'tag_x', e: ['2027-11-11', '2028-11-11'], f: { id: 't', version: 2 }, g: [3], h: Date.parse('2026-12-11T00:00:00+08:00') });
    expect(sourceOf(sources, 'g.0')).toBe('days');
    expect(sourceOf(sources, 'e.1')).toBe('holiday');
  });
  it('never evaluates anything else', () => {
    expect(fill({ a: '{{days * 2}}', b: '${process.exit()}', c: '{{constructor}}x' }, { ...ctx, values: { ...ctx.values, constructor: 'k' } }).value).toEqual({ a: '{{days * 2}}', b: '${process.exit()}', c: 'kx' });
    expect(() => fill({ a: '{{nope}}' }, ctx)).toThrow(/no parameter "nope"/);
  });
});

describe('trait conditions, in China days', () => {
  const today = chinaDay(Date.parse('2026-12-07T23:30:00+08:00'));
  const holds = (t: Partial<TraitCondition>, v: unknown) => traitHolds({ name: 'x', op: 'eq', ...t } as TraitCondition, v === undefined ? {} : { x: v as string }, today);
  it('counts a date by the Beijing calendar, not UTC (23:30 in Beijing is still 7 December)', () => {
    expect(today).toBe(Date.UTC(2026, 11, 7) / 86_400_000);
    expect(chinaDay(Date.parse('2026-12-07T16:00:00Z'))).toBe(today + 1);
  });
  it('date_in_days: inside the range, at both ends, not outside; not a date: no', () => {
    const op = { op: 'date_in_days' as const, min: 0, max: 7 };
    expect(holds(op, '2026-12-07')).toBe(true);
    expect(holds(op, '2026-12-14')).toBe(true);
    expect(holds(op, '2026-12-15')).toBe(false);
    expect(holds(op, '2026-12-06')).toBe(false);
    expect(holds(op, '2026-02-30')).toBe(false);
    expect(holds(op, undefined)).toBe(false);
  });
  it('anniversary_in_days across the year end, and 29 February in a common year', () => {
    expect(holds({ op: 'anniversary_in_days', min: 0, max: 3 }, '1990-12-09')).toBe(true);
    expect(holds({ op: 'anniversary_in_days', min: 0, max: 3 }, '1990-12-06')).toBe(false);
    const newYear = chinaDay(Date.parse('2026-12-30T12:00:00+08:00'));
    expect(traitHolds({ name: 'b', op: 'anniversary_in_days', min: 0, max: 3 }, { b: '1985-01-02' }, newYear)).toBe(true);
    const feb28 = chinaDay(Date.parse('2027-02-28T12:00:00+08:00'));
    expect(traitHolds({ name: 'b', op: 'anniversary_in_days', min: 0, max: 0 }, { b: '2000-02-29' }, feb28)).toBe(true);
  });
  it('day_of_month_in_days: this month, across a month end, and day 31 in a 30-day month', () => {
    expect(holds({ op: 'day_of_month_in_days', min: -2, max: 0 }, 5)).toBe(true);
    expect(holds({ op: 'day_of_month_in_days', min: -2, max: 0 }, 8)).toBe(false);
    const dec1 = chinaDay(Date.parse('2026-12-01T12:00:00+08:00'));
    expect(traitHolds({ name: 'p', op: 'day_of_month_in_days', min: -2, max: 0 }, { p: 30 }, dec1)).toBe(true);
    const nov30 = chinaDay(Date.parse('2026-11-30T12:00:00+08:00'));
    expect(traitHolds({ name: 'p', op: 'day_of_month_in_days', min: 0, max: 0 }, { p: 31 }, nov30)).toBe(true);
  });
  it('value ops compare as a device filter does', () => {
    expect(holds({ op: 'gte', value: 500000 }, 600000)).toBe(true);
    expect(holds({ op: 'gte', value: 500000 }, '600000')).toBe(true);
    expect(holds({ op: 'gte', value: 500000 }, 1)).toBe(false);
    expect(holds({ op: 'exists', value: false }, undefined)).toBe(true);
    expect(holds({ op: 'exists', value: false }, '2026-01-01')).toBe(false);
    expect(holds({ op: 'in', value: ['a', 'b'] }, 'b')).toBe(true);
  });
  it('a calendar window runs from `before` days before to `after` days after any of its dates', () => {
    const w = { dates: ['2027-02-06'], before: 2, after: 1 };
    expect(inCalendar(w, Date.parse('2027-02-04T00:00:00+08:00'))).toBe(true);
    expect(inCalendar(w, Date.parse('2027-02-03T23:59:00+08:00'))).toBe(false);
    expect(inCalendar(w, Date.parse('2027-02-07T23:59:00+08:00'))).toBe(true);
    expect(inCalendar(w, Date.parse('2027-02-08T00:00:00+08:00'))).toBe(false);
  });
});

describe('campaign eligibility with traits and a calendar window', () => {
  const c = { id: 'm', label: { 'zh-CN': 'm', en: 'm' }, priority: 1, traits: [{ name: 'termDepositMaturesOn', op: 'date_in_days' as const, min: 0, max: 7 }] };
  const festive = { id: 'f', label: { 'zh-CN': 'f', en: 'f' }, priority: 1, calendar: { dates: ['2026-12-12'], before: 2, after: 0 } };
  const at = Date.parse('2026-12-10T09:00:00+08:00');
  it('holds trait conditions for a personalised request only: personalisation off reads no traits', () => {
    const traits = { termDepositMaturesOn: '2026-12-12' };
    expect(activeCampaigns([c], { now: at, page: 'home', segment: 'active', traits }).map((x) => x.id)).toEqual(['m']);
    expect(activeCampaigns([c], { now: at, page: 'home', segment: 'active', traits: { termDepositMaturesOn: '2027-01-12' } })).toEqual([]);
    expect(activeCampaigns([c], { now: at, page: 'home', segment: undefined, traits })).toEqual([]);
  });
  it('holds a calendar window for everyone, personalised or not', () => {
    expect(activeCampaigns([festive], { now: at, page: 'home' }).map((x) => x.id)).toEqual(['f']);
    expect(activeCampaigns([festive], { now: at - 86_400_000, page: 'home' })).toEqual([]);
  });
});

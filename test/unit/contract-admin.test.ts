import { describe, expect, it } from 'vitest';
import { firstProblem } from '../../sdk/contract';
import { check } from '../../sdk/contract-check';
import { checkRuleSet, contradiction, idOf, ruleSetChecks, ruleSetSchemas, type RuleSet } from '../../sdk/contract-admin';

const loc = (s: string) => ({ 'zh-CN': s, en: s });

/** a small valid rule set every test edits a copy of */
function rules(): RuleSet {
  return {
    campaigns: [
      { id: 'welcome', label: loc('Welcome'), segments: ['new'], pages: ['home'], priority: 30, pins: [{ itemId: 'fund-1', slotKind: 'picks' }, { itemId: 'ad-1', slotId: 'home.ad' }] },
      { id: 'boosted', label: loc('Boost'), priority: 1, start: 100, end: 200, boost: { itemIds: ['card-1'], by: 1.5 }, audience: { model: 'loan', topPercent: 10 } },
    ],
    tags: [{ name: 'fund_interest', match: { type: 'track', name: 'item_view', where: [{ prop: 'kind', op: 'eq', value: 'fund' }] }, agg: 'count', windowMs: 1000, op: 'gte', threshold: 3 }],
    triggers: [
      {
        id: 'loan_stalled',
        when: { type: 'track', name: 'loan_apply_step' },
        unless: { type: 'track', name: 'loan_apply_submit', withinMs: 60_000 },
        delayMs: 0,
        reminder: { title: loc('t'), body: loc('b'), itemId: 'rem-1', url: '/loans.html#apply' },
      },
    ],
    slots: [{ id: 'home', page: 'home', slots: [{ id: 'home.today', kind: 'picks', count: 4 }, { id: 'home.ad', kind: 'ad', count: 1 }] }],
    items: [
      { id: 'fund-1', kind: 'fund', category: 'money_market', risk: 'R1', title: loc('Cash'), tags: ['low_risk'], url: 'https://bank.example/fund-1' },
      { id: 'ad-1', kind: 'ad', category: 'ad_brand', title: loc('Ad'), tags: [] },
      { id: 'card-1', kind: 'card', category: 'credit_card', title: loc('Card'), tags: [], start: 0, end: 10 },
      { id: 'rem-1', kind: 'reminder', category: 'reminder_account', title: loc('Rem'), tags: [], condition: 'holds:fund' },
    ],
  };
}

const parse = (v: unknown) => ruleSetSchemas().ruleSet.safeParse(v);
const problemOf = (v: unknown) => {
  const r = parse(v);
  return r.success ? undefined : firstProblem(r.error);
};

describe('rule set schemas', () => {
  it('accepts a valid rule set, and the lean check agrees with zod', () => {
    const r = parse(rules());
    expect(r.success).toBe(true);
    expect(check(ruleSetChecks().ruleSet, rules()).success).toBe(true);
    expect(checkRuleSet(rules())).toEqual([]);
  });

  it('accepts a release and refuses version 0', () => {
    const { release } = ruleSetSchemas();
    expect(release.safeParse({ version: 3, publishedAt: 1, rules: rules() }).success).toBe(true);
    const bad = release.safeParse({ version: 0, publishedAt: 1, rules: rules() });
    expect(bad.success || firstProblem(bad.error).path).toBe('version');
  });

  it('names the field of a bad item', () => {
    const r = rules();
    (r.items[0] as { url: string }).url = 'javascript:alert(1)';
    expect(problemOf(r)?.path).toBe('items.0.url');
    r.items[0]!.url = '//evil.example/x';
    expect(problemOf(r)?.path).toBe('items.0.url');
    r.items[0]!.url = 'http://bank.example/ok';
    expect(problemOf(r)).toBeUndefined();
    (r.items[1] as { kind: string }).kind = 'crypto';
    expect(problemOf(r)?.path).toBe('items.1.kind');
  });

  it('refuses an id that cannot travel in a URL, and a title in one language only', () => {
    const r = rules();
    r.items[0]!.id = 'a/b';
    expect(problemOf(r)?.path).toBe('items.0.id');
    const s = rules();
    (s.items[0] as { title: unknown }).title = { en: 'only' };
    expect(problemOf(s)?.path).toBe('items.0.title.zh-CN');
  });

  it('names the field of a bad campaign, tag, trigger and layout', () => {
    const r = rules();
    (r.campaigns[0] as { segments: unknown }).segments = ['vip'];
    expect(problemOf(r)?.path).toBe('campaigns.0.segments.0');
    const t = rules();
    (t.tags[0] as { agg: string }).agg = 'avg';
    expect(problemOf(t)?.path).toBe('tags.0.agg');
    const g = rules();
    (g.triggers[0] as { delayMs: number }).delayMs = -1;
    expect(problemOf(g)?.path).toBe('triggers.0.delayMs');
    const l = rules();
    l.slots[0]!.slots = [];
    expect(problemOf(l)?.path).toBe('slots.0.slots');
  });

  it('takes a score audience as optional', () => {
    const r = rules();
    delete r.campaigns[1]!.audience;
    expect(parse(r).success).toBe(true);
    (r.campaigns[1] as { audience: unknown }).audience = { minScore: 0.5 };
    expect(problemOf(r)?.path).toBe('campaigns.1.audience.model');
  });

  it('idOf reads a tag by name and the rest by id', () => {
    expect(idOf('tags', rules().tags[0]!)).toBe('fund_interest');
    expect(idOf('items', rules().items[0]!)).toBe('fund-1');
  });
});

describe('checkRuleSet', () => {
  const paths = (r: RuleSet) => checkRuleSet(r).map((x) => `${x.code} ${x.path}`);

  it('finds duplicate ids in every collection', () => {
    const r = rules();
    r.items.push({ ...r.items[1]! });
    r.tags.push({ ...r.tags[0]! });
    r.campaigns.push({ ...r.campaigns[1]! });
    expect(paths(r)).toEqual(['duplicate_id campaigns.2.id', 'duplicate_id tags.1.name', 'duplicate_id items.4.id']);
  });

  it('finds unknown items in pins, boosts and reminders', () => {
    const r = rules();
    r.campaigns[0]!.pins![0]!.itemId = 'nope';
    r.campaigns[1]!.boost!.itemIds = ['card-1', 'gone'];
    r.triggers[0]!.reminder.itemId = 'lost';
    const found = checkRuleSet(r);
    expect(found.map((x) => `${x.code} ${x.path}`)).toEqual([
      'unknown_item campaigns.0.pins.0.itemId',
      'unknown_item campaigns.1.boost.itemIds.1',
      'unknown_item triggers.0.reminder.itemId',
    ]);
    expect(found[0]!.message).toBe('campaigns.0.pins.0.itemId: no item "nope" in the rule set');
  });

  it('finds a pin to a slot kind that cannot hold the item, by kind and by slot id', () => {
    const r = rules();
    r.campaigns[0]!.pins![0]!.slotKind = 'ad';
    r.campaigns[0]!.pins![1]!.slotId = 'home.today';
    expect(paths(r)).toEqual(['pin_slot_kind campaigns.0.pins.0.slotKind', 'pin_slot_kind campaigns.0.pins.1.slotId']);
    // a slot id no layout names is a page's own slot: not judged
    const s = rules();
    s.campaigns[0]!.pins![1]!.slotId = 'promo.banner';
    expect(paths(s)).toEqual([]);
  });

  it('finds a window that ends before it starts, on campaigns and items', () => {
    const r = rules();
    r.campaigns[1]!.end = 100;
    r.items[2]!.end = 0;
    expect(paths(r)).toEqual(['bad_window items.2.end', 'bad_window campaigns.1.end']);
  });

  it('finds a fund or wealth item without its risk level', () => {
    const r = rules();
    delete r.items[0]!.risk;
    r.items.push({ id: 'w-1', kind: 'wealth', category: 'wealth', title: loc('W'), tags: [] });
    r.items.push({ id: 'd-1', kind: 'deposit', category: 'term', title: loc('D'), tags: [] });
    expect(paths(r)).toEqual(['missing_risk items.0.risk', 'missing_risk items.4.risk']);
  });

  it('finds a trigger whose unless can never match, and names the filter', () => {
    const r = rules();
    r.triggers[0]!.unless!.where = [
      { prop: 'step', op: 'gte', value: 4 },
      { prop: 'step', op: 'lt', value: 2 },
    ];
    const found = checkRuleSet(r);
    expect(found.map((x) => `${x.code} ${x.path}`)).toEqual(['never_matches triggers.0.unless.where.1']);
    expect(found[0]!.message).toMatch(/unless.*never match/);
  });

  it('finds a score audience with neither or both bounds', () => {
    const r = rules();
    r.campaigns[1]!.audience = { model: 'm' };
    expect(paths(r)).toEqual(['bad_audience campaigns.1.audience']);
    r.campaigns[1]!.audience = { model: 'm', topPercent: 120 };
    expect(paths(r)).toEqual(['bad_audience campaigns.1.audience.topPercent']);
  });

  it('finds a sum or last tag without its property', () => {
    const r = rules();
    r.tags[0]!.agg = 'sum';
    expect(paths(r)).toEqual(['missing_property tags.0.property']);
  });
});

describe('contradiction', () => {
  const f = (prop: string, op: string, value?: unknown) => ({ prop, op, value }) as never;
  it('sees empty numeric ranges, disjoint values and absence', () => {
    expect(contradiction([f('a', 'gt', 3), f('a', 'lt', 3)])).toBe(1);
    expect(contradiction([f('a', 'gte', 3), f('a', 'lte', 3)])).toBe(-1);
    expect(contradiction([f('a', 'eq', 'x'), f('a', 'eq', 'y')])).toBe(1);
    expect(contradiction([f('a', 'in', [1, 2]), f('a', 'neq', 1), f('a', 'neq', 2)])).toBe(2);
    expect(contradiction([f('a', 'in', [])])).toBe(0);
    expect(contradiction([f('a', 'exists', false), f('a', 'eq', 1)])).toBe(1);
    expect(contradiction([f('a', 'eq', 5), f('a', 'lt', 5)])).toBe(1);
    expect(contradiction([f('a', 'gt', 'x')])).toBe(0);
  });
  it('never claims one that some event satisfies', () => {
    // "2" matches both eq 2 and in ["2"] (sdk/rules.ts compares numbers with numeric strings)
    expect(contradiction([f('a', 'eq', 2), f('a', 'in', ['2'])])).toBe(-1);
    expect(contradiction([f('a', 'gt', 1), f('b', 'lt', 0)])).toBe(-1);
    expect(contradiction([f('a', 'eq', 'x'), f('a', 'neq', 'y'), f('a', 'exists')])).toBe(-1);
  });
});

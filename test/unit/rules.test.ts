import { describe, expect, it } from 'vitest';
import type { SlotwiseEvent, TagRule } from '../../sdk/contract';
import { ruleChecks } from '../../sdk/contract';
import { compare, localize, matches, personal, validRules } from '../../sdk/rules';
import { fakeCore } from './fake-core';

const ev = (over: Partial<SlotwiseEvent> = {}): SlotwiseEvent => ({
  id: 'e1',
  type: 'track',
  name: 'loan_apply_step',
  ts: 1,
  anonymousId: 'a',
  sessionId: 's',
  properties: { step: 2, kind: 'fund', amount: '1500', flag: false },
  context: { channel: 'web', sdk: { name: 'slotwise', version: 't' } },
  ...over,
});

describe('matches', () => {
  it('checks type and name', () => {
    expect(matches({ name: 'loan_apply_step' }, ev())).toBe(true);
    expect(matches({ name: 'loan_apply_submit' }, ev())).toBe(false);
    expect(matches({ type: 'track' }, ev())).toBe(true);
    expect(matches({ type: 'click' }, ev())).toBe(false);
    expect(matches({}, ev())).toBe(true);
  });

  it('applies every filter operator', () => {
    const f = (prop: string, op: never, value?: unknown) => matches({ where: [{ prop, op, value } as never] }, ev());
    expect(f('step', 'eq' as never, 2)).toBe(true);
    expect(f('step', 'eq' as never, 3)).toBe(false);
    expect(f('kind', 'neq' as never, 'loan')).toBe(true);
    expect(f('kind', 'in' as never, ['fund', 'deposit'])).toBe(true);
    expect(f('kind', 'in' as never, ['loan'])).toBe(false);
    expect(f('step', 'gt' as never, 1)).toBe(true);
    expect(f('step', 'gte' as never, 2)).toBe(true);
    expect(f('step', 'lt' as never, 2)).toBe(false);
    expect(f('step', 'lte' as never, 2)).toBe(true);
    expect(f('step', 'exists' as never)).toBe(true);
    expect(f('nope', 'exists' as never)).toBe(false);
    expect(f('nope', 'exists' as never, false)).toBe(true);
    expect(f('flag', 'exists' as never)).toBe(true);
  });

  it('reads numeric strings (autocaptured data-sw-* values) as numbers', () => {
    expect(matches({ where: [{ prop: 'amount', op: 'gte', value: 1000 }] }, ev())).toBe(true);
    expect(matches({ where: [{ prop: 'amount', op: 'eq', value: 1500 }] }, ev())).toBe(true);
    expect(matches({ where: [{ prop: 'kind', op: 'gt', value: 0 }] }, ev())).toBe(false);
  });

  it('falls back to envelope fields so attribution events match by item', () => {
    const click = ev({ type: 'click', name: 'click', itemId: 'f7', properties: {} });
    expect(matches({ type: 'click', where: [{ prop: 'itemId', op: 'eq', value: 'f7' }] }, click)).toBe(true);
    expect(matches({ type: 'click', where: [{ prop: 'itemId', op: 'eq', value: 'f8' }] }, click)).toBe(false);
  });

  it('needs every filter to hold', () => {
    const where = [
      { prop: 'step', op: 'eq', value: 2 },
      { prop: 'kind', op: 'eq', value: 'loan' },
    ] as const;
    expect(matches({ where: [...where] }, ev())).toBe(false);
    expect(matches({ where: [where[0]] }, ev())).toBe(true);
  });
});

describe('compare', () => {
  it('compares', () => {
    expect([compare('gt', 2, 1), compare('gte', 1, 1), compare('lt', 1, 2), compare('lte', 2, 2), compare('eq', 1, 1)]).toEqual([true, true, true, true, true]);
    expect(compare('gt', 1, 1)).toBe(false);
  });
});

describe('validRules', () => {
  const good: TagRule = { name: 'fund_fan', match: { name: 'item_view' }, agg: 'count', windowMs: 1000 };

  it('skips and reports each bad rule, keeps the good ones in order', () => {
    const core = fakeCore({ idb: false });
    const list = [good, { name: 'broken', agg: 'median' }, { ...good, name: 'second' }, { ...good }];
    const rules = validRules(core, 'tags', list, ruleChecks().tagRule, (r) => r.name, true);
    expect(rules.map((r) => r.name)).toEqual(['fund_fan', 'second']);
    expect(core.errors.map((e) => e.code)).toEqual(['bad_rule', 'bad_rule']);
    expect(core.errors[0].message).toMatch(/^tags\.1\./);
    expect(core.errors[1].message).toMatch(/duplicate "fund_fan"/);
  });

  it('stays quiet when told not to report', () => {
    const core = fakeCore({ idb: false });
    validRules(core, 'tags', [{}], ruleChecks().tagRule, (r) => r.name, false);
    expect(core.errors).toEqual([]);
  });
});

describe('localize', () => {
  const t = { en: 'Hello', 'zh-CN': '你好' };
  it('picks the locale, zh-* as zh-CN, else en', () => {
    expect(localize(t, 'zh-CN')).toBe('你好');
    expect(localize(t, 'zh-TW')).toBe('你好');
    expect(localize(t, 'fr')).toBe('Hello');
    expect(localize({ 'zh-CN': '只有中文' }, 'en')).toBe('只有中文');
    expect(localize(undefined, 'en')).toBeUndefined();
  });
});

describe('personal', () => {
  it('needs personalisation and granted consent', () => {
    const core = fakeCore({ idb: false });
    expect(personal(core)).toBe(true);
    core.set({ consent: 'pending' });
    expect(personal(core)).toBe(false);
    core.set({ consent: 'granted', personalized: false });
    expect(personal(core)).toBe(false);
  });
});

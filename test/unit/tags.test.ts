import { describe, expect, it, vi } from 'vitest';
import type { TagRule } from '../../sdk/contract';
import { createTags } from '../../sdk/tags';
import { fakeCore, fakeCoreLifecycle, freshIdb, settle } from './fake-core';

const HOUR = 3600_000;
const rules: TagRule[] = [
  {
    name: 'fund_fan',
    label: { en: 'Interested in funds', 'zh-CN': '关注基金' },
    match: { name: 'item_view', where: [{ prop: 'kind', op: 'eq', value: 'fund' }] },
    agg: 'count',
    windowMs: 24 * HOUR,
    threshold: 3,
  },
  { name: 'big_buyer', match: { name: 'purchase' }, agg: 'sum', property: 'amount', windowMs: 7 * 24 * HOUR, op: 'gt', threshold: 10_000 },
  { name: 'last_step', match: { name: 'loan_apply_step' }, agg: 'last', property: 'step', windowMs: HOUR },
  { name: 'saw_deposit', match: { name: 'deposit_view' }, agg: 'exists', windowMs: HOUR },
];

const keep = fakeCoreLifecycle();
const open = (o: Parameters<typeof fakeCore>[0] = {}) => {
  const core = keep(fakeCore(o));
  return { core, tags: createTags(core) };
};

describe('tags', () => {
  it('count over a sliding window with a property filter and a threshold', () => {
    const { core, tags } = open({ idb: false });
    tags.setRules(rules);
    core.track('item_view', { kind: 'fund' });
    core.track('item_view', { kind: 'deposit' });
    core.track('item_view', { kind: 'fund' });
    expect(tags.values()).toEqual({});
    vi.advanceTimersByTime(20 * HOUR);
    core.track('item_view', { kind: 'fund' });
    expect(tags.values()).toEqual({ fund_fan: 3 });
    expect(tags.list()).toEqual([{ name: 'fund_fan', value: 3, label: 'Interested in funds', updatedAt: Date.now() }]);
    // the first two fund views leave the 24 h window
    vi.advanceTimersByTime(5 * HOUR);
    expect(tags.values()).toEqual({});
  });

  it('sum, last and exists', () => {
    const { core, tags } = open({ idb: false, locale: 'zh-CN' });
    tags.setRules(rules);
    core.track('purchase', { itemId: 'f1', amount: 6000 });
    expect(tags.values().big_buyer).toBeUndefined();
    core.track('purchase', { itemId: 'f2', amount: '5000' });
    core.track('loan_apply_step', { step: 1 });
    core.track('loan_apply_step', { step: 3 });
    core.track('deposit_view', { itemId: 'd1', daysToMaturity: 5 });
    expect(tags.values()).toEqual({ big_buyer: 11_000, last_step: 3, saw_deposit: true });
    vi.advanceTimersByTime(HOUR + 1);
    expect(tags.values()).toEqual({ big_buyer: 11_000 });
    expect(tags.list()[0].label).toBeUndefined();
  });

  it('localizes labels by the core locale', () => {
    const { core, tags } = open({ idb: false, locale: 'zh-CN' });
    tags.setRules(rules);
    for (let i = 0; i < 3; i++) core.track('item_view', { kind: 'fund' });
    expect(tags.list()[0].label).toBe('关注基金');
  });

  it('replays the events that came before the rules', () => {
    const { core, tags } = open({ idb: false });
    core.track('deposit_view', { itemId: 'd1' });
    expect(tags.values()).toEqual({});
    tags.setRules(rules);
    expect(tags.values()).toEqual({ saw_deposit: true });
  });

  it('survives a reload, and a deleted tag stays deleted with its history', async () => {
    const idb = freshIdb();
    const a = open({ idb });
    a.tags.setRules(rules);
    for (let i = 0; i < 3; i++) a.core.track('item_view', { kind: 'fund' });
    a.core.track('deposit_view', {});
    await settle();
    a.tags.close();

    const b = open({ idb });
    b.tags.setRules(rules);
    await settle();
    expect(b.tags.values()).toEqual({ fund_fan: 3, saw_deposit: true });
    b.tags.remove('fund_fan');
    expect(b.tags.values()).toEqual({ saw_deposit: true });
    // one more view does not bring it back: the old views went with it
    b.core.track('item_view', { kind: 'fund' });
    expect(b.tags.values()).toEqual({ saw_deposit: true });
    await settle();

    const c = open({ idb });
    c.tags.setRules(rules);
    await settle();
    expect(c.tags.values()).toEqual({ saw_deposit: true });
    expect(c.tags.list().map((t) => t.name)).toEqual(['saw_deposit']);
  });

  it('keeps the history bounded per rule', async () => {
    const idb = freshIdb();
    const a = open({ idb });
    a.tags.setRules(rules);
    for (let i = 0; i < 5000; i++) a.core.track('item_view', { kind: 'fund' });
    await settle();
    const stored = await a.core.kv.get<Record<string, unknown[]>>('tags');
    expect(stored!.fund_fan.length).toBe(200);
    expect(a.tags.values()).toEqual({ fund_fan: 200 });
  });

  it('does not evaluate, send or list anything with personalisation off', () => {
    const { core, tags } = open({ idb: false });
    tags.setRules(rules);
    core.track('deposit_view', {});
    core.set({ personalized: false });
    expect(tags.values()).toEqual({});
    expect(tags.list()).toEqual([]);
    core.track('purchase', { amount: 50_000 });
    core.set({ personalized: true });
    expect(tags.values()).toEqual({ saw_deposit: true });
  });

  it('stores nothing on the device before consent', async () => {
    const { core, tags } = open({ consent: 'pending' });
    tags.setRules(rules);
    core.track('deposit_view', {});
    await settle();
    expect(await core.kv.get('tags')).toBeUndefined();
  });

  it('clear() forgets everything, stored and in memory', async () => {
    const idb = freshIdb();
    const a = open({ idb });
    a.tags.setRules(rules);
    a.core.track('deposit_view', {});
    await settle();
    await a.tags.clear();
    expect(a.tags.values()).toEqual({});
    const b = open({ idb });
    b.tags.setRules(rules);
    await settle();
    expect(b.tags.values()).toEqual({});
  });
});

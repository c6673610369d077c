import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TriggerRule } from '../../sdk/contract';
import { createTriggers, type Triggers } from '../../sdk/triggers';
import { FAKE_TIMERS, fakeCore, freshIdb, settle, type FakeCore } from './fake-core';

const MIN = 60_000;
const text = (en: string, zh: string) => ({ en, 'zh-CN': zh });

const loanExit: TriggerRule = {
  id: 'loan_abandon',
  when: { name: 'loan_apply_exit', where: [{ prop: 'step', op: 'gte', value: 2 }] },
  unless: { name: 'loan_apply_submit', withinMs: 10 * MIN },
  delayMs: 0,
  caps: { perDay: 1, lifetime: 3 },
  reminder: { title: text('Finish your application', '继续完成申请'), body: text('You were nearly done.', '只差一步了。'), url: '/loan.html' },
};
const depositNow: TriggerRule = {
  id: 'deposit_maturing',
  when: { name: 'deposit_view', where: [{ prop: 'daysToMaturity', op: 'lte', value: 7 }] },
  delayMs: 0,
  caps: { perDay: 2 },
  reminder: { title: { en: 'Your deposit matures soon' }, body: { en: 'Renew or move it.' }, itemId: 'd1' },
};
const later = (over: Partial<TriggerRule> = {}): TriggerRule => ({
  id: 'fund_followup',
  when: { name: 'item_view', where: [{ prop: 'kind', op: 'eq', value: 'fund' }] },
  delayMs: 30 * MIN,
  reminder: { title: { en: 'Still thinking about it?' }, body: { en: 'Here is the fund again.' } },
  ...over,
});

let open: { core: FakeCore; triggers: Triggers }[] = [];
const tab = async (rules: TriggerRule[], o: Parameters<typeof fakeCore>[0] = {}) => {
  const core = fakeCore(o);
  const triggers = createTriggers(core);
  triggers.setRules(rules);
  await settle();
  const t = { core, triggers };
  open.push(t);
  return t;
};
const titles = (core: FakeCore) => core.emitted.reminder.map((r) => r.title);

beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
  vi.setSystemTime(new Date('2025-03-03T10:00:00'));
});
afterEach(async () => {
  vi.useRealTimers();
  for (const t of open) {
    t.triggers.close();
    await t.core.close();
  }
  open = [];
});

describe('triggers', () => {
  it('fires a due-at-once rule synchronously in the event path, localized', async () => {
    const { core } = await tab([depositNow], { locale: 'zh-CN' });
    core.track('deposit_view', { itemId: 'd1', daysToMaturity: 30 });
    expect(core.emitted.reminder).toEqual([]);
    core.track('deposit_view', { itemId: 'd1', daysToMaturity: 5 });
    // no await in between: the reminder is out before track() returns
    expect(core.emitted.reminder).toHaveLength(1);
    expect(core.emitted.reminder[0]).toMatchObject({
      ruleId: 'deposit_maturing',
      title: 'Your deposit matures soon', // no zh-CN text: en
      body: 'Renew or move it.',
      itemId: 'd1',
      source: 'trigger',
      ts: Date.now(),
    });
  });

  it('waits out the unless window, and an unless event cancels', async () => {
    const { core } = await tab([loanExit], { locale: 'zh-CN' });
    core.track('loan_apply_exit', { step: 2 });
    vi.advanceTimersByTime(5 * MIN);
    core.track('loan_apply_submit');
    vi.advanceTimersByTime(10 * MIN);
    await settle();
    expect(core.emitted.reminder).toEqual([]);

    vi.setSystemTime(new Date('2025-03-04T10:00:00'));
    core.track('loan_apply_exit', { step: 3 });
    vi.advanceTimersByTime(10 * MIN - 1);
    await settle();
    expect(core.emitted.reminder).toEqual([]);
    vi.advanceTimersByTime(1);
    await settle();
    expect(titles(core)).toEqual(['继续完成申请']);
    expect(core.emitted.reminder[0].url).toBe('/loan.html');
  });

  it('an unless event after the window does not cancel', async () => {
    const { core } = await tab([{ ...loanExit, delayMs: 20 * MIN }]);
    core.track('loan_apply_exit', { step: 2 });
    vi.advanceTimersByTime(11 * MIN);
    core.track('loan_apply_submit');
    vi.advanceTimersByTime(9 * MIN);
    await settle();
    expect(titles(core)).toEqual(['Finish your application']);
  });

  it('fires after the delay, once per burst of `when` events', async () => {
    const { core } = await tab([later()]);
    core.track('item_view', { kind: 'fund' });
    vi.advanceTimersByTime(20 * MIN);
    core.track('item_view', { kind: 'fund' }); // restarts it
    vi.advanceTimersByTime(29 * MIN);
    await settle();
    expect(core.emitted.reminder).toEqual([]);
    vi.advanceTimersByTime(MIN);
    await settle();
    expect(titles(core)).toEqual(['Still thinking about it?']);
    vi.advanceTimersByTime(60 * MIN);
    await settle();
    expect(core.emitted.reminder).toHaveLength(1);
  });

  it('caps per day and lifetime, persisted across reloads', async () => {
    const idb = freshIdb();
    const rule = { ...depositNow, caps: { perDay: 2, lifetime: 3 } };
    const a = await tab([rule], { idb });
    for (let i = 0; i < 4; i++) a.core.track('deposit_view', { daysToMaturity: 3 });
    expect(a.core.emitted.reminder).toHaveLength(2);
    await settle();

    const b = await tab([rule], { idb });
    b.core.track('deposit_view', { daysToMaturity: 3 });
    expect(b.core.emitted.reminder).toHaveLength(0);
    vi.setSystemTime(new Date('2025-03-04T09:00:00'));
    b.core.track('deposit_view', { daysToMaturity: 3 });
    b.core.track('deposit_view', { daysToMaturity: 3 });
    // a new day, but only one left of the lifetime three
    expect(b.core.emitted.reminder).toHaveLength(1);
    await settle();

    vi.setSystemTime(new Date('2025-03-09T09:00:00'));
    const c = await tab([rule], { idb });
    c.core.track('deposit_view', { daysToMaturity: 3 });
    expect(c.core.emitted.reminder).toHaveLength(0);
  });

  it('an event before the caps are read still respects them', async () => {
    const idb = freshIdb();
    const a = await tab([depositNow], { idb });
    a.core.track('deposit_view', { daysToMaturity: 3 });
    a.core.track('deposit_view', { daysToMaturity: 3 });
    await settle();
    const core = fakeCore({ idb });
    const triggers = createTriggers(core);
    open.push({ core, triggers });
    triggers.setRules([depositNow]);
    core.track('deposit_view', { daysToMaturity: 3 });
    await settle();
    expect(core.emitted.reminder).toHaveLength(0);
  });

  it('a trigger pending at reload fires when its rule says fire', async () => {
    const idb = freshIdb();
    const a = await tab([later()], { idb });
    a.core.track('item_view', { kind: 'fund' });
    await settle();
    // the page goes away 10 minutes in
    vi.advanceTimersByTime(10 * MIN);
    a.triggers.close();

    vi.advanceTimersByTime(5 * MIN);
    const b = await tab([later()], { idb });
    vi.advanceTimersByTime(15 * MIN - 1);
    await settle();
    expect(b.core.emitted.reminder).toEqual([]);
    vi.advanceTimersByTime(1);
    await settle();
    expect(titles(b.core)).toEqual(['Still thinking about it?']);
    expect(a.core.emitted.reminder).toEqual([]);
    // fired means gone: the next page does not fire it again
    const c = await tab([later()], { idb });
    vi.advanceTimersByTime(60 * MIN);
    await settle();
    expect(c.core.emitted.reminder).toEqual([]);
  });

  it('a trigger that came due while no page was open fires at the next start', async () => {
    const idb = freshIdb();
    const a = await tab([later()], { idb });
    a.core.track('item_view', { kind: 'fund' });
    await settle();
    a.triggers.close();
    vi.advanceTimersByTime(3 * 60 * MIN);
    const b = await tab([later()], { idb });
    vi.advanceTimersByTime(0);
    await settle();
    expect(b.core.emitted.reminder).toHaveLength(1);
  });

  it('a trigger pending at reload is dropped when its rule says drop', async () => {
    const idb = freshIdb();
    const rule = later({ onReload: 'drop' });
    const a = await tab([rule], { idb });
    a.core.track('item_view', { kind: 'fund' });
    await settle();
    a.triggers.close();
    const b = await tab([rule], { idb });
    vi.advanceTimersByTime(60 * MIN);
    await settle();
    expect(b.core.emitted.reminder).toEqual([]);
    expect(await b.core.kv.keys('trg:p:')).toEqual([]);
  });

  it('the same rule in a page that stays open fires even with onReload drop', async () => {
    const { core } = await tab([later({ onReload: 'drop' })]);
    core.track('item_view', { kind: 'fund' });
    vi.advanceTimersByTime(30 * MIN);
    await settle();
    expect(core.emitted.reminder).toHaveLength(1);
  });

  it('one tab fires a pending trigger, not every tab', async () => {
    const idb = freshIdb();
    const a = await tab([later()], { idb });
    a.core.track('item_view', { kind: 'fund' });
    await settle();
    // two more tabs open while the first is still there: all three know the pending trigger
    const b = await tab([later()], { idb });
    const c = await tab([later()], { idb });
    vi.advanceTimersByTime(30 * MIN);
    await settle(60);
    vi.advanceTimersByTime(2000); // a tab that found the lease taken looks again
    await settle(60);
    const fired = [a, b, c].map((t) => t.core.emitted.reminder.length);
    expect(fired.reduce((x, y) => x + y)).toBe(1);
    expect(await a.core.kv.keys('trg:')).toEqual(['trg:c:fund_followup']);
  });

  it('an unless event in another tab cancels the pending trigger of this one', async () => {
    const idb = freshIdb();
    const rule = { ...loanExit, onReload: 'fire' as const };
    const a = await tab([rule], { idb });
    const b = await tab([rule], { idb });
    a.core.track('loan_apply_exit', { step: 2 });
    vi.advanceTimersByTime(3 * MIN);
    b.core.track('loan_apply_submit');
    await settle();
    vi.advanceTimersByTime(10 * MIN);
    await settle(60);
    expect(a.core.emitted.reminder.length + b.core.emitted.reminder.length).toBe(0);
  });

  it('stays quiet with personalisation off, and clear() drops pending triggers', async () => {
    const idb = freshIdb();
    const a = await tab([later(), depositNow], { idb, personalized: false });
    a.core.track('deposit_view', { daysToMaturity: 1 });
    a.core.track('item_view', { kind: 'fund' });
    vi.advanceTimersByTime(60 * MIN);
    await settle();
    expect(a.core.emitted.reminder).toEqual([]);

    a.core.set({ personalized: true });
    a.core.track('item_view', { kind: 'fund' });
    await settle();
    expect(await a.core.kv.keys('trg:p:')).toHaveLength(1);
    await a.triggers.clear();
    expect(await a.core.kv.keys('trg:p:')).toEqual([]);
    vi.advanceTimersByTime(60 * MIN);
    await settle();
    expect(a.core.emitted.reminder).toEqual([]);
  });

  it('is on time: the storage work is done ahead, the deadline fires with no await', async () => {
    for (const onReload of ['fire', 'drop'] as const) {
      const { core } = await tab([{ ...loanExit, id: 'loan_' + onReload, onReload }]);
      core.track('loan_apply_exit', { step: 2 });
      vi.advanceTimersByTime(10 * MIN - 1);
      // lease, claim, caps and marks: read while the deadline is still ahead
      await settle();
      expect(core.emitted.reminder).toEqual([]);
      if (onReload == 'fire') expect(await core.kv.keys('trg:p:')).toEqual([]);
      // no settle: the timer for the deadline alone emits it
      vi.advanceTimersByTime(1);
      expect(titles(core)).toEqual(['Finish your application']);
      expect(core.emitted.reminder[0]!.ts).toBe(core.events[0]!.ts + 10 * MIN);
    }
  });

  it('an unless event in this tab cancels a trigger already claimed for its deadline', async () => {
    const { core } = await tab([{ ...loanExit, onReload: 'fire' }]);
    core.track('loan_apply_exit', { step: 2 });
    vi.advanceTimersByTime(10 * MIN - 100);
    await settle();
    expect(await core.kv.keys('trg:p:')).toEqual([]);
    core.track('loan_apply_submit');
    vi.advanceTimersByTime(MIN);
    await settle();
    expect(core.emitted.reminder).toEqual([]);
  });

  it('caps hold across tabs for triggers claimed ahead of their deadlines', async () => {
    const idb = freshIdb();
    const rule = later({ caps: { perDay: 1 } });
    const a = await tab([rule], { idb });
    const b = await tab([rule], { idb });
    a.core.track('item_view', { kind: 'fund' });
    vi.advanceTimersByTime(100);
    b.core.track('item_view', { kind: 'fund' });
    await settle();
    // a claims its trigger; then b claims its own, before a's deadline
    vi.advanceTimersByTime(30 * MIN - 600);
    await settle(60);
    vi.advanceTimersByTime(100);
    await settle(60);
    vi.advanceTimersByTime(MIN);
    await settle(60);
    expect(a.core.emitted.reminder.length + b.core.emitted.reminder.length).toBe(1);
  });

  it('delays longer than setTimeout can hold are waited for in steps', async () => {
    const { core } = await tab([later({ delayMs: 30 * 24 * 60 * MIN })]);
    core.track('item_view', { kind: 'fund' });
    vi.advanceTimersByTime(25 * 24 * 60 * MIN);
    await settle();
    expect(core.emitted.reminder).toEqual([]);
    vi.advanceTimersByTime(5 * 24 * 60 * MIN);
    await settle();
    expect(core.emitted.reminder).toHaveLength(1);
  });
});

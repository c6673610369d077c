// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { schemas, type TagRule, type TriggerRule } from '../../sdk/contract';
import { buildConfig, DEFAULT_TAGS } from '../../server-stub/engine/config';
import { memoryEngine } from './engine-fixtures';

describe('config', () => {
  const config = memoryEngine().engine.config('demo');

  it('validates against the contract, rule by rule', () => {
    expect(schemas().config.parse(config)).toEqual(config);
    for (const tag of config.tags) expect(schemas().tagRule.safeParse(tag).success).toBe(true);
    for (const trigger of config.triggers) expect(schemas().triggerRule.safeParse(trigger).success).toBe(true);
    for (const slot of config.slots) expect(schemas().slotRequest.safeParse(slot).success).toBe(true);
  });

  it('publishes the interest tags', () => {
    const tags = new Map((config.tags as TagRule[]).map((t) => [t.name, t]));
    expect(tags.get('fund_interest')).toMatchObject({
      match: { type: 'track', name: 'item_view', where: [{ prop: 'kind', op: 'eq', value: 'fund' }] },
      agg: 'count', windowMs: 86_400_000, op: 'gte', threshold: 3,
    });
    expect(tags.get('loan_interest')).toBeDefined();
    expect(tags.get('ad_loan_interest')).toMatchObject({ match: { name: 'loan_apply_exit' }, agg: 'exists' });
    expect(tags.get('deposit_interest')).toMatchObject({ match: { where: [{ prop: 'kind', value: 'deposit' }] } });
    for (const t of tags.values()) expect(Object.keys(t.label ?? {}).sort()).toEqual(['en', 'zh-CN']);
  });

  it('publishes the trailing-marketing triggers, with reminders in both locales', () => {
    const triggers = new Map((config.triggers as TriggerRule[]).map((t) => [t.id, t]));
    expect(triggers.get('loan_abandoned')).toMatchObject({
      when: { name: 'loan_apply_exit', where: [{ prop: 'step', op: 'lt', value: 4 }] },
      delayMs: 0,
      caps: { perDay: 1 },
    });
    // the application left unfinished follows the customer to the other pages
    expect(triggers.get('loan_resume')).toMatchObject({ when: { name: 'loan_apply_pending' }, delayMs: 0, onReload: 'drop' });
    expect(triggers.get('loan_stalled')).toMatchObject({ when: { name: 'loan_apply_step' }, unless: { name: 'loan_apply_submit', withinMs: 1_800_000 } });
    expect(triggers.get('deposit_maturing')).toMatchObject({ when: { name: 'deposit_view', where: [{ prop: 'daysToMaturity', op: 'lte', value: 7 }] }, delayMs: 0 });
    for (const t of triggers.values()) {
      for (const text of [t.reminder.title, t.reminder.body, t.reminder.cta!]) expect(Object.keys(text).sort()).toEqual(['en', 'zh-CN']);
    }
  });

  it('is versioned by content', () => {
    expect(buildConfig().version).toBe(config.version);
    expect(buildConfig({ tags: DEFAULT_TAGS.slice(1) }).version).not.toBe(config.version);
    expect(config.version).toMatch(/^cfg-[0-9a-z]+$/);
  });
});

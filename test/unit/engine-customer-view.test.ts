// @vitest-environment node
/**
 * The merged view in the real engine (engine/customer-view.ts): batch tags satisfy the same tag
 * audiences as real-time ones and the reasons say where the tag came from; batch holdings are
 * never offered; batch traits reach the profile as traits; an unverified request is the anonymous
 * visitor's, whatever user id it names.
 */
import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../server-stub/engine/strategies/campaigns';
import { mergedProfile } from '../../server-stub/engine/customer-view';
import { newProfile } from '../../server-stub/engine/profile';
import { memoryEngine, request, served, T0 } from './engine-fixtures';

const payrollOnly = (itemId: string): Campaign => ({
  id: 'payroll-offer',
  label: { en: 'For payroll customers', 'zh-CN': '代发客户专享' },
  tags: [{ name: 'payroll' }],
  priority: 100,
  pins: [{ itemId, slotId: 'home.today', position: 0 }],
});

describe('the merged view in decide', () => {
  it('a batch tag satisfies a tags campaign like a real-time tag, and the reason names its source', () => {
    const probe = memoryEngine({ policy: { epsilon: 0 } });
    const item = served(probe.engine.decide('demo', request({ user: 'x' })))[0]!.id;
    const { engine } = memoryEngine({ policy: { epsilon: 0 }, campaigns: [payrollOnly(item)] });
    const first = (r: ReturnType<typeof engine.decide>) => r.slots['home.today']!.items[0]!;

    // nobody told: not in the audience
    expect(first(engine.decide('demo', request({ user: 'u1' }), { identity: 'open' })).strategy).not.toBe('campaign');
    // the bank's tag
    const batch = first(engine.decide('demo', request({ user: 'u1' }), { identity: 'open', batch: { asOf: '2025-03-13', tags: { payroll: '2025-03-13' } } }));
    expect(batch).toMatchObject({ id: item, strategy: 'campaign' });
    expect(batch.reasons.map((r) => r.label)).toContain('tag payroll (bank data of 2025-03-13)');
    // the device's real-time tag
    const realtime = first(engine.decide('demo', request({ user: 'u1', tags: { payroll: true } }), { identity: 'open' }));
    expect(realtime).toMatchObject({ id: item, strategy: 'campaign' });
    expect(realtime.reasons.map((r) => r.label)).not.toContain('tag payroll (bank data of 2025-03-13)');
    // an unverified request carries no batch facts (the server gives none) and is the anonymous visitor's
    const anonymous = engine.decide('demo', request({ user: 'u1' }), { identity: 'unverified' });
    expect(anonymous.identity).toBe('unverified');
    expect(first(anonymous).strategy).not.toBe('campaign');
  });

  it('batch holdings are never offered', () => {
    const { engine } = memoryEngine({ policy: { epsilon: 0 } });
    const shown = served(engine.decide('demo', request({ user: 'h1' }), { identity: 'open' })).map((i) => i.id);
    const held = shown.slice(0, 3);
    const again = served(engine.decide('demo', request({ user: 'h1' }), { identity: 'open', batch: { asOf: '2025-03-13', holdings: held } })).map((i) => i.id);
    for (const id of held) expect(again).not.toContain(id);
  });

  it('batch columns become traits over the page\'s; the risk is the lower of bank and page; conservative is C1', () => {
    const page = { ...newProfile(T0), risk: 'C4' as const, traits: { city: 'page', age: 30 } };
    const p = mergedProfile(page, { identity: 'open', batch: { asOf: '2025-03-13', risk: 'C2', traits: { city: 'bank', termDepositMaturesOn: '2025-03-20' } } }, T0, () => newProfile(T0))!;
    expect(p.traits).toEqual({ city: 'bank', age: 30, termDepositMaturesOn: '2025-03-20' });
    expect(p.risk).toBe('C2');
    expect(page.traits).toEqual({ city: 'page', age: 30 }); // the stored profile is never written
    expect(mergedProfile({ ...page, risk: 'C1' }, { identity: 'open', batch: { risk: 'C5' } }, T0, () => newProfile(T0))!.risk).toBe('C1');
    expect(mergedProfile(page, { identity: 'open', riskPolicy: 'conservative' }, T0, () => newProfile(T0))!.risk).toBe('C1');
    expect(mergedProfile(page, { identity: 'open', riskPolicy: 'page' }, T0, () => newProfile(T0))).toBe(page);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SlotwiseEvent } from '../../sdk/contract';
import { applyEvent, mergeProfiles, newProfile } from '../../server-stub/engine/profile';
import { createScoreAudiences, inAudiences, seedModels } from '../../server-stub/engine/score-audiences';
import { bankSeedEntry } from '../../server-stub/models/bank-seed';
import { withReference } from '../../server-stub/models/reference';
import { createRegistry, fingerprint } from '../../server-stub/models/registry';
import { fitMains } from '../../server-stub/models/train-additive';
import { planted } from './models-synthetic';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'sw-audiences-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const identify = (properties: Record<string, unknown>): SlotwiseEvent => ({
  id: `e${Math.random()}`, type: 'identify', name: 'identify', ts: 1, anonymousId: 'a', userId: 'u', sessionId: 's', properties, context: {} as SlotwiseEvent['context'],
});

describe('identify traits in the profile', () => {
  it('keeps scalar traits by name; a null removes one; nested values, long strings and ID/mobile/card numbers are not kept', () => {
    const p = newProfile(0);
    applyEvent(p, identify({ riskTolerance: 'C3', age: 61, poutcome: 'success', vip: true, address: { city: 'x' }, note: 'x'.repeat(65), mobile: '138 0013 8000', card: 6222021234567890123, 'bad name': 1 }), undefined, 1);
    expect(p.risk).toBe('C3');
    expect(p.traits).toEqual({ riskTolerance: 'C3', age: 61, poutcome: 'success', vip: true });
    applyEvent(p, identify({ age: 62, vip: null }), undefined, 2);
    expect(p.traits).toEqual({ riskTolerance: 'C3', age: 62, poutcome: 'success' });
  });

  it('is bounded: past 64 names new ones are dropped, known ones still update; merging keeps the user\'s', () => {
    const p = newProfile(0);
    applyEvent(p, identify(Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`t${i}`, i]))), undefined, 1);
    expect(Object.keys(p.traits!)).toHaveLength(64);
    applyEvent(p, identify({ t0: 'again', t70: 1 }), undefined, 2);
    expect(p.traits!.t0).toBe('again');
    expect(p.traits!.t70).toBeUndefined();
    const anon = newProfile(0);
    anon.traits = { t0: 'anonymous', extra: 1 };
    expect(mergeProfiles(p, anon).traits).toMatchObject({ t0: 'again', extra: 1 });
  });
});

describe('score audiences against the registry', { timeout: 60_000 }, () => {
  const train = planted(3000, 1);
  const base = withReference(fitMains(train, planted(1000, 2), { seed: 3, epochs: 10 }).model, train);
  const HIGH = { x1: 1.57, x2: -2, level: 'd' };
  const LOW = { x1: -1.57, x2: 2, level: 'a' };

  it('checks a user against the live model; follows live changes by the history file; fails closed without a model', () => {
    const dir = tmp();
    const logs: string[] = [];
    const registry = createRegistry({ dir });
    const audiences = createScoreAudiences({ dir, log: (m) => logs.push(m) });
    const top = { model: 'y', topPercent: 20 };
    audiences.refresh();
    expect(audiences.check(top, HIGH, 'en')).toBeUndefined(); // nothing live yet
    const a = registry.register({ model: base, metrics: {}, creator: 't', fingerprint: fingerprint('a', train.n) });
    registry.markLive(a.id, 't');
    audiences.refresh();
    const hit = audiences.check(top, HIGH, 'en')!;
    expect(hit.score).toBeGreaterThan(0.5);
    expect(hit.reasons.length).toBeLessThanOrEqual(2);
    expect(hit.reasons[0]!.feature).toMatch(/^y\.(x1|x2|level)$/);
    expect(audiences.check(top, LOW, 'en')).toBeUndefined();
    expect(audiences.check({ model: 'y', minScore: 0 }, LOW, 'en')).toBeDefined();
    expect(audiences.check({ model: 'other', minScore: 0 }, HIGH, 'en')).toBeUndefined();

    // a model without a reference population cannot cut "top N %": no one, said once
    const bare = registry.register({ model: { ...base, reference: undefined }, metrics: {}, creator: 't', fingerprint: fingerprint('b', train.n) });
    registry.markLive(bare.id, 't');
    audiences.refresh();
    expect(audiences.liveId('y')).toBe(bare.id);
    expect(audiences.check(top, HIGH, 'en')).toBeUndefined();
    expect(audiences.check(top, HIGH, 'en')).toBeUndefined();
    expect(logs.filter((l) => /no reference population/.test(l))).toHaveLength(1);
    expect(audiences.check({ model: 'y', minScore: 0.5 }, HIGH, 'en')).toBeDefined();

    // a damaged model file: no one, said once; the rollback to a good one works at once
    writeFileSync(join(dir, `${bare.id}.json`), '{"broken":');
    const again = createScoreAudiences({ dir, log: (m) => logs.push(m) });
    again.refresh();
    expect(again.check({ model: 'y', minScore: 0 }, HIGH, 'en')).toBeUndefined();
    expect(logs.filter((l) => l.includes(`live model "${bare.id}" does not load`))).toHaveLength(1);
    registry.rollback('y', 't', a.id);
    again.refresh();
    expect(again.check(top, HIGH, 'en')).toBeDefined();
  });

  it('inAudiences keeps campaigns without an audience, drops those the user is not in, and carries the reasons', () => {
    const dir = tmp();
    const registry = createRegistry({ dir });
    registry.markLive(registry.register({ model: base, metrics: {}, creator: 't', fingerprint: fingerprint('a', train.n) }).id, 't');
    const audiences = createScoreAudiences({ dir, log: () => {} });
    type C = { id: string; audience?: { model: string; topPercent: number } };
    const plain: C = { id: 'plain' };
    const top: C = { id: 'top', audience: { model: 'y', topPercent: 20 } };
    const high = inAudiences(audiences, [plain, top], HIGH, 'zh-CN');
    expect(high.campaigns).toEqual([plain, top]);
    expect(high.reasons!.get(top)!.length).toBeGreaterThan(0);
    expect(high.reasons!.get(top)![0]!.label).toContain('：');
    expect(inAudiences(audiences, [plain, top], LOW, 'en').campaigns).toEqual([plain]);
    expect(inAudiences(audiences, [plain, top], undefined, 'en').campaigns).toEqual([plain]);
    expect(inAudiences(undefined, [plain, top], HIGH, 'en').campaigns).toEqual([plain]);
  });

  it('seeds the demo model once, and never over an operator\'s choice', () => {
    const dir = tmp();
    expect(seedModels(dir, () => [bankSeedEntry()])).toEqual([bankSeedEntry().id]);
    expect(seedModels(dir, () => [bankSeedEntry()])).toEqual([]);
    const registry = createRegistry({ dir });
    expect(registry.live('subscribed')?.id).toBe(bankSeedEntry().id);
    expect(registry.history().map((c) => c.by)).toEqual(['slotwise seed']);
  });
});

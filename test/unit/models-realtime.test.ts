import { describe, expect, it } from 'vitest';
import { bankSeedEntry } from '../../server-stub/models/bank-seed';
import { checkModel } from '../../server-stub/models/check';
import { audienceCutoff, createProfileScorer, parseAudience } from '../../server-stub/models/realtime';
import { quantileAt, referenceOf, topPercentCutoff, withReference } from '../../server-stub/models/reference';
import { createScorer } from '../../server-stub/models/score';
import { fitMains } from '../../server-stub/models/train-additive';
import { planted } from './models-synthetic';

describe('real-time scoring and score audiences', { timeout: 60_000 }, () => {
  const model = fitMains(planted(6000, 1), planted(2000, 2), { seed: 3 }).model;

  it('scores a profile record like the batch scorer scores its row; thin or odd profiles still score', () => {
    const score = createProfileScorer(model);
    const a = score({ x1: 1.5, x2: '-1', x3: 0, level: 'd' });
    const b = createScorer(model).score([1.5, -1, 0, 3]);
    expect(a.score).toBeCloseTo(b.score, 12);
    expect(a.reasons.map((r) => r.label).sort()).toEqual(['level is d', 'x1 is 1.5', 'x2 is -1']);
    const thin = score({});
    expect(thin.score).toBeGreaterThan(0);
    expect(thin.reasons).toEqual([]);
    expect(Number.isFinite(score({ x1: 'abc', level: 'nope', x2: null }).score)).toBe(true);
  });

  it('words reasons for a customer in both locales from the spec; a feature without words shows its name', () => {
    const labelled = { ...model, spec: { ...model.spec, features: model.spec.features.map((f) => (f.name === 'level' ? { ...f, label: { en: 'Tier', 'zh-CN': '等级' }, levelLabels: { d: { en: 'gold', 'zh-CN': '金卡' } } } : f)) } };
    const score = createProfileScorer(labelled);
    const profile = { x1: 1.5, x2: -1, level: 'd' };
    expect(score(profile, 'en').reasons.map((r) => r.label)).toContain('Tier: gold');
    expect(score(profile, 'zh-CN').reasons.map((r) => r.label)).toContain('等级：金卡');
    expect(score(profile, 'en').reasons.map((r) => r.label)).toContain('x1: 1.5');
    expect(score(profile, 'en').score).toBe(score(profile).score);
  });

  it('the bank seed model: a previous success ranks high and its reasons say so in plain words', () => {
    const entry = bankSeedEntry();
    checkModel(entry.model);
    const score = createProfileScorer(entry.model);
    const keen = score({ age: 63, job: 'retired', housing: 'no', loan: 'no', poutcome: 'success', previous: 3, pdays: 90, balance: 4000, contact: 'cellular' }, 'en');
    const cold = score({ age: 38, job: 'blue-collar', housing: 'yes', loan: 'yes', poutcome: 'unknown', previous: 0, pdays: -1, balance: 100, contact: 'unknown' }, 'zh-CN');
    expect(keen.score).toBeGreaterThan(topPercentCutoff(entry.model.reference!, 5));
    expect(cold.score).toBeLessThan(topPercentCutoff(entry.model.reference!, 20));
    expect(keen.reasons.map((r) => r.label)).toContain('Previous campaign: succeeded');
    expect(cold.reasons.every((r) => /[\u4e00-\u9fff]/.test(r.label))).toBe(true);
  });

  it('the reference population: type-7 quantiles, exact at the stored points; top p % cuts at q(1 − p/100)', () => {
    const scores = Array.from({ length: 11 }, (_, i) => i / 10); // 0, 0.1, … 1
    const ref = referenceOf(scores);
    expect(ref.rows).toBe(11);
    expect(ref.quantiles).toHaveLength(1001);
    expect(quantileAt(ref, 0.5)).toBeCloseTo(0.5, 12);
    expect(quantileAt(ref, 0.25)).toBeCloseTo(0.25, 12); // h = 2.5 → between 0.2 and 0.3
    expect(topPercentCutoff(ref, 20)).toBeCloseTo(0.8, 12);
    // by hand, type 7 on [1, 2, 2, 10]: u = 0.5 → h = 1.5 → 2; u = 0.9 → h = 2.7 → 2 + 0.7·8 = 7.6
    const odd = referenceOf([10, 2, 1, 2].map((x) => x / 10));
    expect(quantileAt(odd, 0.5)).toBeCloseTo(0.2, 12);
    expect(quantileAt(odd, 0.9)).toBeCloseTo(0.76, 12);
    // on the training rows themselves, about p % score at or above the cut
    const withRef = withReference(model, planted(6000, 1));
    const score = createScorer(withRef);
    const table = planted(6000, 1);
    const cut = topPercentCutoff(withRef.reference!, 20);
    let inside = 0;
    for (let i = 0; i < table.n; i++) if (score.score(table.cols.map((c) => c[i]!)).score >= cut) inside++;
    expect(inside / table.n).toBeGreaterThan(0.19);
    expect(inside / table.n).toBeLessThan(0.21);
    expect(() => checkModel({ ...withRef, reference: { rows: 3, quantiles: [0.2, 0.1] } })).toThrow(/reference.quantiles/);
  });

  it('audiences: validated as the rule-set contract has them (exactly one bound); top % needs the model\'s reference', () => {
    expect(parseAudience({ model: 'm', topPercent: 10 })).toEqual({ model: 'm', topPercent: 10 });
    expect(() => parseAudience({ model: 'm', topPercent: 0 })).toThrow('audience.topPercent: must be more than 0 and at most 100');
    expect(() => parseAudience({ model: 'm', minScore: 2 })).toThrow(/audience\.minScore: a score is a probability/);
    expect(() => parseAudience({ model: 'm' })).toThrow('audience: give exactly one of minScore or topPercent');
    expect(() => parseAudience({ model: 'm', minScore: 0.5, topPercent: 10 })).toThrow(/exactly one/);
    expect(() => parseAudience({ model: '', topPercent: 10 })).toThrow(/audience\.model/);
    const ref = referenceOf(Array.from({ length: 101 }, (_, i) => i / 100));
    expect(audienceCutoff({ model: 'm', topPercent: 20 }, { reference: ref })).toBeCloseTo(0.8, 12);
    expect(audienceCutoff({ model: 'm', minScore: 0.25 }, {})).toBe(0.25);
    expect(() => audienceCutoff({ model: 'm', topPercent: 5 }, {})).toThrow(/no reference population/);
  });
});

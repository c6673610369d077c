import { describe, expect, it } from 'vitest';
import { compile, numericAt, scoreRow, subnet, sigmoid } from '../../server-stub/models/additive';
import { choosePairs, screenPairs } from '../../server-stub/models/interactions';
import { auc } from '../../server-stub/models/metrics';
import { fitMains, probabilities } from '../../server-stub/models/train-additive';
import { CAT_EFFECT, correlation, f1, f2, planted } from './models-synthetic';

describe('the additive scorer recovers a planted additive truth', { timeout: 60_000 }, () => {
  const train = planted(12_000, 1);
  const valid = planted(3_000, 2);
  const test = planted(5_000, 3);
  const fit = fitMains(train, valid, { seed: 5 });
  const m = compile(fit.model);

  it('numeric shapes follow the planted functions; the noise feature stays flat', () => {
    const grid = Array.from({ length: 41 }, (_, i) => -2.8 + (i * 5.6) / 40);
    expect(correlation(grid.map((x) => numericAt(m.num[0]!, x)), grid.map(f1))).toBeGreaterThan(0.97);
    const g2 = grid.map((x) => x / 1.5);
    expect(correlation(g2.map((x) => numericAt(m.num[1]!, x)), g2.map(f2))).toBeGreaterThan(0.97);
    const flat = grid.map((x) => numericAt(m.num[2]!, x / 1.5));
    expect(Math.max(...flat) - Math.min(...flat)).toBeLessThan(0.4);
    const amp = grid.map((x) => numericAt(m.num[0]!, x));
    expect(Math.max(...amp) - Math.min(...amp)).toBeGreaterThan(2); // truth: 3
  });

  it('level values keep the planted gaps', () => {
    const values = Array.from(m.cat[3]!);
    for (let l = 1; l < 4; l++) expect(values[l]! - values[0]!).toBeCloseTo(CAT_EFFECT[l]! - CAT_EFFECT[0]!, 0);
  });

  it('ranks held-out rows almost as well as the truth does', () => {
    const truth = Array.from({ length: test.n }, (_, i) => {
      const x2 = test.cols[1]![i]!;
      return -1 + f1(test.cols[0]![i]!) + (Number.isNaN(x2) ? 0 : f2(x2)) + CAT_EFFECT[test.cols[3]![i]!]!;
    });
    expect(auc(probabilities(fit.model, test), test.y)).toBeGreaterThan(auc(truth, test.y) - 0.01);
  });

  it('a missing value contributes 0; the subnetwork formula is the shared one; terms are centred', () => {
    const out = new Float64Array(4);
    const logit = scoreRow(m, [0.5, NaN, 0, 2], out);
    expect(out[1]).toBe(0);
    expect(logit).toBeCloseTo(fit.model.bias + out[0]! + out[2]! + out[3]!, 12);
    const t0 = fit.model.terms[0]!;
    if (t0.kind !== 'numeric') throw new Error('x1 is numeric');
    expect(numericAt(m.num[0]!, 0.5)).toBeCloseTo(subnet(t0, 0.5) - t0.center, 4);
    let s = 0;
    for (let i = 0; i < train.n; i++) s += numericAt(m.num[0]!, train.cols[0]![i]!);
    expect(Math.abs(s / train.n)).toBeLessThan(1e-3);
    expect(sigmoid(0)).toBe(0.5);
  });

  it('is deterministic for a seed', () => {
    expect(fitMains(train.n > 0 ? planted(2000, 9) : train, undefined, { epochs: 3, seed: 4 }).model).toEqual(fitMains(planted(2000, 9), undefined, { epochs: 3, seed: 4 }).model);
  });
});

describe('pair terms earn their keep or stay out', { timeout: 60_000 }, () => {
  it('a planted interaction is screened first and kept; it lifts held-out AUC', () => {
    const train = planted(12_000, 11, { xor: 1 });
    const valid = planted(3_000, 12, { xor: 1 });
    const test = planted(5_000, 13, { xor: 1 });
    const mains = fitMains(train, valid, { seed: 2 });
    const ranked = screenPairs(mains.model, train, valid);
    expect([ranked[0]!.a, ranked[0]!.b]).toEqual([0, 2]);
    const { model, pairs } = choosePairs(mains.model, train, valid);
    expect(pairs[0]).toEqual({ a: 0, b: 2 });
    expect(auc(probabilities(model, test), test.y)).toBeGreaterThan(auc(probabilities(mains.model, test), test.y) + 0.02);
  });

  it('without an interaction in the truth, no pair is kept', () => {
    const train = planted(12_000, 21);
    const valid = planted(3_000, 22);
    const mains = fitMains(train, valid, { seed: 2 });
    expect(choosePairs(mains.model, train, valid, { minGain: 1e-3 }).pairs).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { evaluate, KINDS, meanOf } from '../../server-stub/models/evaluate';
import { planted } from './models-synthetic';

describe('the evaluation on a planted truth', { timeout: 180_000 }, () => {
  const t = planted(4000, 77);
  const { evaluation, outOfFold, temporalTest } = evaluate(t);

  it('has the shape eval/bank.json promises, for both protocols and every model', () => {
    expect(Object.keys(evaluation)).toEqual(['temporal', 'fold5']);
    for (const kind of KINDS) {
      for (const m of [evaluation.temporal[kind], evaluation.fold5[kind]]) {
        expect(Object.keys(m).slice(0, 7)).toEqual(['auc', 'logLoss', 'brier', 'liftTop10', 'rows', 'positives', 'trainSeconds']);
      }
      expect(evaluation.temporal[kind].rows).toBe(800);
      expect(evaluation.fold5[kind].folds).toHaveLength(5);
      expect(evaluation.fold5[kind].rows).toBe(4000); // every row tested once
      expect(evaluation.fold5[kind].auc).toBeCloseTo(evaluation.fold5[kind].folds.reduce((s, f) => s + f.auc, 0) / 5, 12);
    }
    expect(temporalTest.y).toHaveLength(800);
    expect(outOfFold.additive).toHaveLength(4000);
  });

  it('ranks as expected on a non-linear additive truth: prior 0.5 < logistic < additive', () => {
    for (const p of ['temporal', 'fold5'] as const) {
      expect(evaluation[p].prior.auc).toBe(0.5);
      expect(evaluation[p].logistic.auc).toBeGreaterThan(0.6);
      expect(evaluation[p].additive.auc).toBeGreaterThan(evaluation[p].logistic.auc + 0.02);
      expect(evaluation[p].trees.auc).toBeGreaterThan(evaluation[p].logistic.auc);
      expect(evaluation[p].additive.logLoss).toBeLessThan(evaluation[p].prior.logLoss);
    }
  });

  it('fold means sum rows and positives, average the rest', () => {
    const m = meanOf([
      { auc: 0.6, logLoss: 0.3, brier: 0.1, liftTop10: 2, rows: 10, positives: 2, trainSeconds: 1 },
      { auc: 0.8, logLoss: 0.5, brier: 0.2, liftTop10: 4, rows: 11, positives: 3, trainSeconds: 2 },
    ]);
    expect(m).toMatchObject({ auc: 0.7, logLoss: 0.4, liftTop10: 3, rows: 21, positives: 5, trainSeconds: 1.5 });
    expect(m.brier).toBeCloseTo(0.15, 12);
  });
});

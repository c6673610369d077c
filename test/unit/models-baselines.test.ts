import { describe, expect, it } from 'vitest';
import { fitLogistic, predictLogistic } from '../../server-stub/models/logistic';
import { auc } from '../../server-stub/models/metrics';
import { fitTrees, predictTrees } from '../../server-stub/models/trees';
import { fitMains, probabilities } from '../../server-stub/models/train-additive';
import { prng } from '../../server-stub/models/random';
import type { Table } from '../../server-stub/models/table';
import { planted, plantedSpec } from './models-synthetic';

function linear(n: number, seed: number): Table {
  const r = prng(seed);
  const cols = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Int32Array(n)];
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) cols[j]![i] = r() * 2 - 1;
    cols[3]![i] = Math.floor(r() * 4);
    const z = 0.5 + 2 * cols[0]![i]! - 1 * cols[1]![i]! + [0, 1, -1, 0][cols[3]![i]!]!;
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { spec: plantedSpec(), n, y, cols, levels: [undefined, undefined, undefined, ['a', 'b', 'c', 'd']] };
}

describe('logistic regression', { timeout: 60_000 }, () => {
  it('recovers planted coefficients when the truth is linear (weak L2), converging', () => {
    const t = linear(40_000, 3);
    const m = fitLogistic(t, { l2: 1e-3 });
    expect(m.iterations).toBeLessThan(20);
    const sd = 2 / Math.sqrt(12); // U(−1, 1)
    expect(m.weights[0]! / m.scale[0]!.sd).toBeCloseTo(2, 0);
    expect(Math.abs(m.weights[0]! / sd - 2)).toBeLessThan(0.15);
    expect(Math.abs(m.weights[1]! / sd + 1)).toBeLessThan(0.15);
    expect(Math.abs(m.weights[2]! / sd)).toBeLessThan(0.1);
    const w = m.weights.slice(m.firstColumn[3]!, m.firstColumn[3]! + 4);
    expect(Math.abs(w[1]! - w[0]! - 1)).toBeLessThan(0.15);
    expect(Math.abs(w[2]! - w[0]! + 1)).toBeLessThan(0.15);
  });

  it('a missing value gets its own column; predictions are probabilities', () => {
    const t = planted(3000, 4);
    const m = fitLogistic(t, { l2: 1 });
    expect(m.columns).toContain('x2 (missing)');
    const p = predictLogistic(m, t);
    expect(Math.min(...p)).toBeGreaterThan(0);
    expect(Math.max(...p)).toBeLessThan(1);
  });
});

describe('gradient-boosted trees', { timeout: 60_000 }, () => {
  it('learn an interaction the additive scorer cannot', () => {
    const train = planted(10_000, 31, { xor: 2 });
    const valid = planted(3_000, 32, { xor: 2 });
    const test = planted(5_000, 33, { xor: 2 });
    const trees = fitTrees(train, valid, { depth: 3 });
    expect(trees.rounds).toBeGreaterThan(10);
    const gam = fitMains(train, valid, { seed: 1 });
    expect(auc(predictTrees(trees.model, test), test.y)).toBeGreaterThan(auc(probabilities(gam.model, test), test.y) + 0.05);
  });

  it('split categoricals by level, and a fixed number of rounds is honoured', () => {
    const t = linear(5000, 5);
    const r = fitTrees(t, undefined, { rounds: 7, depth: 2 });
    expect(r.model.trees).toHaveLength(7);
    expect(r.model.trees.some((tree) => tree.left.some((l) => l !== null))).toBe(true);
    expect(auc(predictTrees(r.model, t), t.y)).toBeGreaterThan(0.7);
  });
});

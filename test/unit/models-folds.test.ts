import { describe, expect, it } from 'vitest';
import { innerSplit, stratifiedKFold, temporalSplit } from '../../server-stub/models/folds';

describe('protocol splits', () => {
  const y = Array.from({ length: 1003 }, (_, i) => (i % 9 === 0 || i % 13 === 0 ? 1 : 0));
  const positives = y.reduce<number>((a, b) => a + b, 0);

  it('5-fold: disjoint, covering every row once, stratified by y, same for the same seed', () => {
    const folds = stratifiedKFold(y, 5, 42);
    const seen = new Uint8Array(y.length);
    for (const f of folds) {
      for (const i of f.test) seen[i]!++;
      expect(f.train.length + f.test.length).toBe(y.length);
      const test = new Set(f.test);
      expect(Array.from(f.train).some((i) => test.has(i))).toBe(false);
      const pos = Array.from(f.test).reduce((a, i) => a + y[i]!, 0);
      expect(Math.abs(pos - positives / 5)).toBeLessThanOrEqual(1);
      expect(Math.abs(f.test.length - y.length / 5)).toBeLessThanOrEqual(1);
    }
    expect(Array.from(seen).every((c) => c === 1)).toBe(true);
    expect(stratifiedKFold(y, 5, 42)).toEqual(folds);
    expect(stratifiedKFold(y, 5, 43)[0]!.test).not.toEqual(folds[0]!.test);
  });

  it('temporal: the first 80 % train, the rest test, in order', () => {
    const s = temporalSplit(10);
    expect(Array.from(s.train)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(s.test)).toEqual([8, 9]);
  });

  it('inner validation stays inside the training part: the tail when temporal', () => {
    const s = innerSplit(y.slice(0, 100), true, 1);
    expect(Array.from(s.test)).toEqual(Array.from({ length: 20 }, (_, i) => 80 + i));
    const r = innerSplit(y.slice(0, 100), false, 1);
    expect(r.test.length + r.train.length).toBe(100);
    expect(Math.max(...Array.from(r.test), ...Array.from(r.train))).toBeLessThan(100);
  });
});

import { describe, expect, it } from 'vitest';
import { auc, brier, liftTop10, logLoss, metrics, reliability } from '../../server-stub/models/metrics';

describe('metrics', () => {
  it('AUC matches a hand count with ties (ties count half)', () => {
    // positives 0.4, 0.8, 0.4 against negatives 0.1, 0.4:
    // (0.4>0.1)=1 (0.4=0.4)=½ (0.8>0.1)=1 (0.8>0.4)=1 (0.4>0.1)=1 (0.4=0.4)=½ → 5 of 6
    expect(auc([0.1, 0.4, 0.4, 0.8, 0.4], [0, 0, 1, 1, 1])).toBeCloseTo(5 / 6, 12);
    expect(auc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(auc([1, 2, 3, 4], [1, 1, 0, 0])).toBe(0);
    expect(auc([5, 5, 5, 5], [0, 1, 0, 1])).toBe(0.5);
    expect(auc([1, 2], [1, 1])).toBe(0.5); // one class only
  });

  it('AUC equals the pairwise count on random data with many ties', () => {
    let seed = 7;
    const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const s = Array.from({ length: 300 }, () => Math.floor(r() * 10));
    const y = s.map((v) => (r() < 0.2 + v / 20 ? 1 : 0));
    let wins = 0, pairs = 0;
    for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) if (y[i] && !y[j]) {
      pairs++;
      wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
    expect(auc(s, y)).toBeCloseTo(wins / pairs, 12);
  });

  it('log-loss, Brier and lift by hand', () => {
    expect(logLoss([0.5, 0.5], [0, 1])).toBeCloseTo(Math.log(2), 12);
    expect(logLoss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    expect(Number.isFinite(logLoss([0, 1], [1, 0]))).toBe(true); // clipped, not infinite
    expect(brier([0.9, 0.2], [1, 0])).toBeCloseTo((0.01 + 0.04) / 2, 12);
    // 20 rows, 4 positives (rate 0.2); the top 2 by score are both positive → lift 1 / 0.2 = 5
    const p = Array.from({ length: 20 }, (_, i) => 1 - i / 20);
    const y = p.map((_, i) => (i < 2 || i === 10 || i === 19 ? 1 : 0));
    expect(liftTop10(p, y)).toBeCloseTo(5, 12);
    const m = metrics(p, y, 1.5);
    expect(m).toMatchObject({ rows: 20, positives: 4, trainSeconds: 1.5 });
  });

  it('reliability bins average predictions and outcomes', () => {
    const bins = reliability([0.05, 0.05, 0.95, 0.91], [0, 1, 1, 1], 10);
    expect(bins.map((b) => b.count)).toEqual([2, 2]);
    expect(bins[0]!.predicted).toBeCloseTo(0.05, 12);
    expect(bins[0]!.observed).toBe(0.5);
    expect(bins[1]!.predicted).toBeCloseTo(0.93, 12);
    expect(bins[1]!.observed).toBe(1);
  });
});

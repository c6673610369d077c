import { describe, expect, it } from 'vitest';
import { audienceCutoff, createProfileScorer, parseAudience } from '../../server-stub/models/realtime';
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

  it('audiences: validated; top N % cuts at the population quantile (ties in); score ≥ t is t', () => {
    expect(parseAudience({ model: 'm', topPercent: 10 })).toEqual({ model: 'm', topPercent: 10 });
    expect(() => parseAudience({ model: 'm', topPercent: 0 })).toThrow(/audience: topPercent/);
    expect(() => parseAudience({ model: 'm', minScore: 2 })).toThrow(/audience/);
    const scores = [0.1, 0.9, 0.5, 0.7, 0.7, 0.3, 0.2, 0.8, 0.6, 0.4];
    expect(audienceCutoff({ model: 'm', topPercent: 20 }, scores)).toBe(0.8);
    expect(audienceCutoff({ model: 'm', topPercent: 35 }, scores)).toBe(0.7);
    expect(scores.filter((s) => s >= audienceCutoff({ model: 'm', topPercent: 35 }, scores))).toHaveLength(4);
    expect(audienceCutoff({ model: 'm', minScore: 0.25 })).toBe(0.25);
    expect(() => audienceCutoff({ model: 'm', topPercent: 5 })).toThrow(/population/);
  });
});

/**
 * Real-time scoring of one customer profile, and score audiences ("top N % by model M",
 * "score ≥ t"): the pieces a campaign targets with. A profile is a plain record of the model's
 * feature names to raw values (as a CSV cell would hold them); absent or unreadable values are
 * missing and contribute 0, so a thin profile still scores — never throws.
 */
import * as z from 'zod/mini';
import { firstProblem } from '../../sdk/contract';
import type { AdditiveModel } from './additive';
import { createScorer, type Reason } from './score';
import { applyTransform } from './spec';

export type Profile = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * @example
 * const score = createProfileScorer(registry.live('subscribed')!.model);
 * score({ age: 61, poutcome: 'success', housing: 'no' }); // { score: 0.41, reasons: [{ label: 'poutcome is success', … }] }
 */
export function createProfileScorer(model: AdditiveModel): (profile: Profile) => { score: number; reasons: Reason[] } {
  const scorer = createScorer(model);
  const features = model.spec.features;
  const missing = features.map((f) => new Set(['', ...(f.missing ?? [])]));
  const codes = model.levels.map((ls) => (ls ? new Map(ls.map((l, c) => [l, c])) : undefined));
  const values = new Float64Array(features.length);
  const raw: string[] = new Array(features.length).fill('');
  return (profile) => {
    for (let j = 0; j < features.length; j++) {
      const f = features[j]!;
      const v = profile[f.name];
      const text = v === undefined || v === null ? '' : String(v).trim();
      raw[j] = text;
      const codeMap = codes[j];
      if (missing[j]!.has(text)) values[j] = codeMap ? -1 : NaN;
      else if (codeMap) values[j] = codeMap.get(text) ?? -1;
      else {
        const x = Number(text);
        values[j] = Number.isFinite(x) ? applyTransform(f.type === 'numeric' ? f.transform : undefined, x) : NaN;
      }
    }
    return scorer.score(values, raw);
  };
}

/** Who a campaign targets by score: the top `topPercent` of a population, or everyone at or above `minScore`. */
export type ScoreAudience = { model: string; topPercent: number } | { model: string; minScore: number };

export function parseAudience(value: unknown): ScoreAudience {
  const model = z.string().check(z.minLength(1), z.maxLength(120));
  const schema = z.union([
    z.object({ model, topPercent: z.number().check(z.gt(0), z.lte(100)) }),
    z.object({ model, minScore: z.number().check(z.gte(0), z.lte(1)) }),
  ]);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`audience: ${firstProblem(parsed.error).message}`);
  return parsed.data;
}

/**
 * The smallest score in the audience. For `topPercent`, from the scores of the population (e.g. a
 * batch-scored customer file): the score of the ⌈N % · n⌉-th best row, so ties at the cut are in.
 */
export function audienceCutoff(a: ScoreAudience, population?: ArrayLike<number>): number {
  if ('minScore' in a) return a.minScore;
  if (!population?.length) throw new Error('audience: a "top N %" audience needs the scores of its population');
  const sorted = Float64Array.from(population).sort().reverse();
  return sorted[Math.max(0, Math.ceil((a.topPercent / 100) * sorted.length) - 1)]!;
}

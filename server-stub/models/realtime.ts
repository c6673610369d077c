/**
 * Real-time scoring of one customer profile, and score audiences ("top N % by model M",
 * "score ≥ t"): the pieces a campaign targets with. A profile is a plain record of the model's
 * feature names to raw values (as a CSV cell would hold them); absent or unreadable values are
 * missing and contribute 0, so a thin profile still scores — never throws.
 */
import { firstProblem, type Problem } from '../../sdk/contract';
import { ruleSetSchemas, type ScoreAudience } from '../../sdk/contract-admin';
import type { AdditiveModel } from './additive';
import type { Locale } from './labels';
import { topPercentCutoff } from './reference';
import { createScorer, type Reason } from './score';
import { applyTransform } from './spec';

export type { ScoreAudience } from '../../sdk/contract-admin';
export type Profile = Readonly<Record<string, string | number | boolean | null | undefined>>;
export type ProfileScorer = (profile: Profile, locale?: Locale) => { score: number; reasons: Reason[] };

/**
 * Reuses its buffers between calls: one scorer per model, called from one thread.
 * @example
 * const score = createProfileScorer(registry.live('subscribed')!.model);
 * score({ age: 61, poutcome: 'success', housing: 'no' }, 'en'); // { score: 0.41, reasons: [{ label: 'Previous campaign: succeeded', … }] }
 */
export function createProfileScorer(model: AdditiveModel): ProfileScorer {
  const scorer = createScorer(model);
  const features = model.spec.features;
  const missing = features.map((f) => new Set(['', ...(f.missing ?? [])]));
  const codes = model.levels.map((ls) => (ls ? new Map(ls.map((l, c) => [l, c])) : undefined));
  const transforms = features.map((f) => (f.type === 'numeric' ? f.transform : undefined));
  const values = new Float64Array(features.length);
  const raw: string[] = new Array(features.length).fill('');
  return (profile, locale) => {
    for (let j = 0; j < features.length; j++) {
      const v = profile[features[j]!.name];
      const text = v === undefined || v === null ? '' : typeof v === 'string' ? v.trim() : String(v);
      raw[j] = text;
      const codeMap = codes[j];
      if (missing[j]!.has(text)) values[j] = codeMap ? -1 : NaN;
      else if (codeMap) values[j] = codeMap.get(text) ?? -1;
      else {
        const x = Number(text);
        values[j] = Number.isFinite(x) ? applyTransform(transforms[j], x) : NaN;
      }
    }
    return scorer.score(values, raw, locale);
  };
}

/**
 * The problem with a score audience (parsed JSON), or undefined: its shape by the rule-set contract
 * (`scoreAudience` in sdk/contract-admin.ts), then the rules `checkRuleSet` applies to it there
 * (exactly one of `minScore` or `topPercent`; 0 < topPercent ≤ 100), and 0 ≤ minScore ≤ 1 (a score
 * is a probability). `path` prefixes the fields, e.g. `campaigns.3.audience`.
 */
export function audienceShapeProblem(value: unknown, path = 'audience'): Problem | undefined {
  const parsed = ruleSetSchemas().scoreAudience.safeParse(value);
  if (!parsed.success) return firstProblem(parsed.error, path);
  const a = parsed.data;
  const problem = (field: string, why: string): Problem => ({ code: 'bad_audience', message: `${path}${field}: ${why}`, path: `${path}${field}` });
  if ((a.minScore === undefined) === (a.topPercent === undefined)) return problem('', 'give exactly one of minScore or topPercent');
  if (a.topPercent !== undefined && !(a.topPercent > 0 && a.topPercent <= 100)) return problem('.topPercent', 'must be more than 0 and at most 100');
  if (a.minScore !== undefined && !(a.minScore >= 0 && a.minScore <= 1)) return problem('.minScore', 'a score is a probability: at least 0 and at most 1');
  return undefined;
}

/** Checks an audience (parsed JSON); throws naming the field at fault. */
export function parseAudience(value: unknown): ScoreAudience {
  const problem = audienceShapeProblem(value);
  if (problem) throw new Error(problem.message);
  return value as ScoreAudience;
}

/**
 * The smallest score in the audience: `minScore`, or the top-`topPercent` cut of the model's
 * reference population (reference.ts). A "top N %" audience of a model saved without a reference
 * cannot be cut: it throws, saying so.
 */
export function audienceCutoff(a: ScoreAudience, model: Pick<AdditiveModel, 'reference'>): number {
  let cut = a.minScore ?? 0;
  if (a.topPercent !== undefined) {
    if (!model.reference) throw new Error(`audience: the "${a.model}" model has no reference population to take the top ${a.topPercent} % of; retrain it with \`npm run models -- train\``);
    cut = Math.max(cut, topPercentCutoff(model.reference, a.topPercent));
  }
  return cut;
}

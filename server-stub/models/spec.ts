/**
 * Feature specs: what a response model reads, as data. A spec names the binary target, each input
 * column with its type (numeric or categorical), an optional transform and declared levels, the
 * values that mean "missing", and the columns that must never be inputs (leaks: known only after
 * the outcome) with the reason why. The spec is saved inside every trained model, so scoring reads
 * a file exactly the way training did.
 */
import * as z from 'zod/mini';
import { firstProblem } from '../../sdk/contract';

export type Transform = 'none' | 'log1p' | 'signed-log1p';

export interface NumericSpec {
  name: string;
  type: 'numeric';
  /** applied before standardising; `log1p` for counts, `signed-log1p` for money that can be negative */
  transform?: Transform;
  /** raw cell texts that mean "missing" (besides the empty cell), e.g. `["-1"]` for "never contacted" */
  missing?: string[];
}

export interface CategoricalSpec {
  name: string;
  type: 'categorical';
  /** the levels, in display order; a level not listed is treated as missing. Omitted: learned from the data. */
  levels?: string[];
  missing?: string[];
}

export type FeatureSpec = NumericSpec | CategoricalSpec;

export interface ModelSpec {
  /** the binary response: `column` is positive when its cell is one of `positive` */
  target: { name: string; column: string; positive: string[] };
  features: FeatureSpec[];
  /** columns that must never be inputs, each with why (shown when a spec or a caller asks for one) */
  mustNotUse: { column: string; why: string }[];
  /** the CSV delimiter; default `,` */
  delimiter?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

function schema() {
  const name = z.string().check(z.regex(NAME, { message: 'a name is letters, digits, _ . - (≤ 64)' }));
  const missing = z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(32)));
  return z.object({
    target: z.object({ name, column: name, positive: z.array(z.string().check(z.maxLength(64))).check(z.minLength(1), z.maxLength(32)) }),
    features: z
      .array(
        z.union([
          z.object({ name, type: z.literal('numeric'), transform: z.optional(z.enum(['none', 'log1p', 'signed-log1p'])), missing }),
          z.object({ name, type: z.literal('categorical'), levels: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.minLength(1), z.maxLength(1000))), missing }),
        ]),
      )
      .check(z.minLength(1), z.maxLength(256)),
    mustNotUse: z.array(z.object({ column: name, why: z.string().check(z.minLength(1), z.maxLength(500)) })).check(z.maxLength(256)),
    delimiter: z.optional(z.string().check(z.minLength(1), z.maxLength(1))),
  });
}

/** Checks a spec (parsed JSON); throws naming the field at fault. A feature on its own leak list is refused here too. */
export function parseSpec(value: unknown): ModelSpec {
  const parsed = schema().safeParse(value);
  if (!parsed.success) {
    throw new Error(`spec: ${firstProblem(parsed.error).message}`);
  }
  const spec = parsed.data as ModelSpec;
  const seen = new Set<string>();
  for (const f of spec.features) {
    if (seen.has(f.name)) throw new Error(`spec.features: "${f.name}" appears twice`);
    seen.add(f.name);
    if (f.name === spec.target.column) throw new Error(`spec.features: "${f.name}" is the target`);
  }
  return spec;
}

/**
 * Bank Marketing (UCI): the 15 inputs known before a call is made. `duration` (the call's length)
 * is known only after it, so it is on the leak list; `pdays` = -1 means "no earlier campaign".
 */
export function bankSpec(): ModelSpec {
  const cat = (name: string, levels?: string[]): CategoricalSpec => ({ name, type: 'categorical', ...(levels ? { levels } : {}) });
  return {
    target: { name: 'subscribed', column: 'y', positive: ['yes'] },
    delimiter: ';',
    features: [
      { name: 'age', type: 'numeric' },
      cat('job'),
      cat('marital'),
      cat('education'),
      cat('default', ['no', 'yes']),
      { name: 'balance', type: 'numeric', transform: 'signed-log1p' },
      cat('housing', ['no', 'yes']),
      cat('loan', ['no', 'yes']),
      cat('contact'),
      { name: 'day', type: 'numeric' },
      cat('month', ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']),
      { name: 'campaign', type: 'numeric', transform: 'log1p' },
      { name: 'pdays', type: 'numeric', transform: 'log1p', missing: ['-1'] },
      { name: 'previous', type: 'numeric', transform: 'log1p' },
      cat('poutcome'),
    ],
    mustNotUse: [
      { column: 'duration', why: 'the last call\'s duration is known only after the call is made; a model that decides whom to call cannot have it, and with it every model looks far better than it can be' },
    ],
  };
}

export function applyTransform(t: Transform | undefined, x: number): number {
  if (t === 'log1p') return Math.log1p(Math.max(0, x));
  if (t === 'signed-log1p') return Math.sign(x) * Math.log1p(Math.abs(x));
  return x;
}

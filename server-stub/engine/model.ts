/**
 * The scorer: an additive neural model in the spirit of GAMxNN — the click-model instance of the
 * general additive scorer in server-stub/models/ (same subnetwork formula, same tabulation).
 *
 *   logit = bias + Σ_j c_j(x_j)
 *   numeric j:     c_j(x) = Σ_k w2[k]·tanh(w1[k]·(x − mu)/sd + b1[k]) − center   (a 1→H tanh→1 net)
 *   categorical j: c_j(l) = values[l] − center
 *
 * Each `center` is the mean of that feature's raw output over a reference sample, so c_j is
 * feature j's contribution relative to a typical case: the served reasons are the largest c_j.
 * An absent feature (personalisation off, no rate, unknown level) contributes exactly 0.
 *
 * Model files live in `<dataDir>/models/model-<version>.json`; versions sort by time, the newest
 * valid one is loaded, and with none the default parameters below score sensibly from cold.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { firstProblem } from '../../sdk/contract';
import { subnet, tabulate, type SubnetParams } from '../models/additive';
import { CATEGORICAL, NUMERIC, type Vector } from './features';

export const MODEL_FORMAT = 'slotwise-gam/1';
export const HIDDEN = 8;

export interface NumericParams {
  mu: number;
  sd: number;
  w1: number[];
  b1: number[];
  w2: number[];
  center: number;
}
export interface CategoricalParams {
  values: Record<string, number>;
  center: number;
}
export interface Metrics {
  rows: number;
  positives: number;
  heldOut: number;
  auc: number;
  baselineAuc: number;
}
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: string;
  createdAt: number;
  hidden: number;
  bias: number;
  numeric: Record<string, NumericParams>;
  categorical: Record<string, CategoricalParams>;
  metrics?: Metrics;
}

interface CompiledNumeric {
  mu: number;
  sd: number;
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  center: number;
  /** c(z) tabulated on z ∈ [−LUT_Z, LUT_Z]: scoring interpolates instead of evaluating H tanh */
  lut: Float64Array;
}

/** A model ready to score: parameters in typed arrays, categorical values already centred. */
export interface Model {
  version: string;
  file: ModelFile;
  bias: number;
  num: (CompiledNumeric | undefined)[];
  cat: (Map<string, number> | undefined)[];
}

const LUT_Z = 8;
const LUT_N = 4096;
const LUT_STEP = (2 * LUT_Z) / LUT_N;

/** f_j(x) before centring: the subnetwork every additive model shares (server-stub/models/additive.ts). */
export const rawNumeric: (p: SubnetParams, x: number) => number = subnet;

export function compile(file: ModelFile): Model {
  return {
    version: file.version,
    file,
    bias: file.bias,
    num: NUMERIC.map((name) => {
      const p = file.numeric[name];
      if (!p) return undefined;
      const lut = tabulate(p, LUT_Z, LUT_N);
      return { mu: p.mu, sd: p.sd, w1: Float64Array.from(p.w1), b1: Float64Array.from(p.b1), w2: Float64Array.from(p.w2), center: p.center, lut };
    }),
    cat: CATEGORICAL.map((name) => {
      const p = file.categorical[name];
      return p && new Map(Object.entries(p.values).map(([level, v]) => [level, v - p.center]));
    }),
  };
}

/** c_j(x): linear interpolation in the table (error well under 1e-4 for these smooth nets), exact outside it. */
export function numericContribution(p: CompiledNumeric, x: number): number {
  const u = ((x - p.mu) / p.sd + LUT_Z) / LUT_STEP;
  if (!(u >= 0 && u < LUT_N)) return rawNumeric(p, x) - p.center;
  const i = u | 0;
  const f = u - i;
  return p.lut[i]! + (p.lut[i + 1]! - p.lut[i]!) * f;
}

/**
 * Writes each feature's contribution into `out` (numeric first, then categorical, in
 * NUMERIC / CATEGORICAL order) and returns the logit.
 */
export function contributions(m: Model, v: Vector, out?: Float64Array): number {
  let logit = m.bias;
  const nn = NUMERIC.length;
  for (let j = 0; j < nn; j++) {
    const p = m.num[j];
    const x = v.num[j]!;
    const c = p && !Number.isNaN(x) ? numericContribution(p, x) : 0;
    if (out) out[j] = c;
    logit += c;
  }
  for (let j = 0; j < CATEGORICAL.length; j++) {
    const level = v.cat[j]!;
    const c = level ? (m.cat[j]?.get(level) ?? 0) : 0;
    if (out) out[nn + j] = c;
    logit += c;
  }
  return logit;
}

export { sigmoid } from '../models/additive';

/** Sets every center to the mean raw output over `sample` (features absent in a row are skipped). */
export function recenter(file: ModelFile, sample: Vector[]): ModelFile {
  const numeric = { ...file.numeric };
  NUMERIC.forEach((name, j) => {
    const p = numeric[name];
    if (!p) return;
    let sum = 0;
    let count = 0;
    for (const v of sample) {
      const x = v.num[j]!;
      if (Number.isNaN(x)) continue;
      sum += rawNumeric(p, x);
      count++;
    }
    numeric[name] = { ...p, center: count ? sum / count : rawNumeric(p, p.mu) };
  });
  const categorical = { ...file.categorical };
  CATEGORICAL.forEach((name, j) => {
    const p = categorical[name];
    if (!p) return;
    let sum = 0;
    let count = 0;
    for (const v of sample) {
      const value = p.values[v.cat[j]!];
      if (value === undefined) continue;
      sum += value;
      count++;
    }
    categorical[name] = { ...p, center: count ? sum / count : 0 };
  });
  return { ...file, numeric, categorical };
}

/** [mu, sd, a, b]: the cold-start shape a·tanh(b·(x − mu)/sd), a monotone, saturating effect. */
const SHAPES: Record<(typeof NUMERIC)[number], [number, number, number, number]> = {
  popularity: [1, 1, 0.9, 0.8],
  ctr: [1, 0.5, 0.5, 0.8],
  freshness: [3, 1.5, -0.35, 1],
  yield: [2.5, 2, 0.35, 0.8],
  category_affinity: [0, 1, 1.3, 0.9],
  kind_affinity: [0, 1, 0.5, 0.8],
  tag_affinity: [0, 1, 0.6, 0.8],
  item_interest: [0, 1, 0.5, 1],
  fatigue: [0, 1, -0.9, 0.5],
  co_viewed: [0, 0.2, 0.8, 1],
  device_tags: [0, 1, 0.7, 0.8],
  risk_fit: [0.5, 0.25, 0.3, 1],
};

const LEVELS: Record<(typeof CATEGORICAL)[number], Record<string, number>> = {
  kind: { fund: 0.15, deposit: 0.1, wealth: 0.1, loan: 0, card: 0, insurance: -0.05, article: -0.2, ad: 0, reminder: 0 },
  risk: { R1: 0.05, R2: 0.05, R3: 0, R4: -0.05, R5: -0.1, none: 0 },
  page_kind: {
    'wealth:fund': 0.6, 'wealth:wealth': 0.6, 'wealth:deposit': 0.4, 'wealth:article': 0.1, 'wealth:loan': -0.4, 'wealth:card': -0.3,
    'loans:loan': 0.8, 'loans:card': 0.5, 'loans:fund': -0.3, 'loans:wealth': -0.3,
  },
  slot_kind: { 'picks:article': -0.6, 'feed:article': 0.1, 'picks:fund': 0.1, 'picks:wealth': 0.1 },
  segment_kind: {
    'new:deposit': 0.3, 'new:fund': 0.1, 'new:card': 0.3, 'active:fund': 0.2, 'active:wealth': 0.1,
    'dormant:deposit': 0.2, 'dormant:wealth': 0.2, 'churn_risk:deposit': 0.4, 'churn_risk:card': 0.2,
  },
};

/** Hand-set parameters that rank sensibly before any training; centres come from `recenter`. */
export function defaultModel(): ModelFile {
  const zeros = () => new Array<number>(HIDDEN).fill(0);
  const numeric: Record<string, NumericParams> = {};
  for (const name of NUMERIC) {
    const [mu, sd, a, b] = SHAPES[name];
    const w1 = zeros();
    const w2 = zeros();
    w1[0] = b;
    w2[0] = a;
    numeric[name] = { mu, sd, w1, b1: zeros(), w2, center: 0 };
  }
  const categorical: Record<string, CategoricalParams> = {};
  for (const name of CATEGORICAL) categorical[name] = { values: { ...LEVELS[name] }, center: 0 };
  return { format: MODEL_FORMAT, version: 'default', createdAt: 0, hidden: HIDDEN, bias: -3, numeric, categorical };
}

/** A sortable version: the UTC time, to the millisecond. */
export function newVersion(now: number): string {
  return new Date(now).toISOString().replace(/[-:.]/g, '');
}

function fileSchema() {
  const finite = () => z.number().check(z.refine(Number.isFinite, { message: 'expected a finite number' }));
  const vec = z.array(finite()).check(z.minLength(1), z.maxLength(64));
  return z.object({
    format: z.literal(MODEL_FORMAT),
    version: z.string().check(z.regex(/^[0-9A-Za-z_-]{1,64}$/)),
    createdAt: finite(),
    hidden: z.int().check(z.minimum(1), z.maximum(64)),
    bias: finite(),
    numeric: z.record(z.string(), z.object({ mu: finite(), sd: finite().check(z.positive()), w1: vec, b1: vec, w2: vec, center: finite() })),
    categorical: z.record(z.string(), z.object({ values: z.record(z.string(), finite()), center: finite() })),
    metrics: z.optional(z.object({ rows: finite(), positives: finite(), heldOut: finite(), auc: finite(), baselineAuc: finite() })),
  });
}

/** Parses and checks a model file's text; throws naming the field at fault. */
export function parseModel(text: string): ModelFile {
  const parsed = fileSchema().safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(firstProblem(parsed.error).message);
  const file = parsed.data as ModelFile;
  for (const [name, p] of Object.entries(file.numeric)) {
    if (p.w1.length !== file.hidden || p.b1.length !== file.hidden || p.w2.length !== file.hidden) {
      throw new Error(`numeric.${name}: expected ${file.hidden} hidden units`);
    }
  }
  return file;
}

/** The newest valid `model-<version>.json` in `dir`; a bad file is reported and skipped. */
export function loadNewestModel(dir: string, log: (message: string) => void = () => {}): ModelFile | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /^model-[0-9A-Za-z_-]+\.json$/.test(f));
  } catch {
    return undefined;
  }
  for (const name of names.sort().reverse()) {
    try {
      const file = parseModel(readFileSync(join(dir, name), 'utf8'));
      const known = new Set<string>([...NUMERIC, ...CATEGORICAL]);
      const unknown = [...Object.keys(file.numeric), ...Object.keys(file.categorical)].filter((f) => !known.has(f));
      if (unknown.length) log(`model ${name}: ignoring unknown features ${unknown.join(', ')}`);
      return file;
    } catch (error) {
      log(`model ${name} skipped: ${(error as Error).message}`);
    }
  }
  return undefined;
}

/** Writes `model-<version>.json` atomically (temp file, then rename) and returns its path. */
export function saveModel(dir: string, file: ModelFile): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `model-${file.version}.json`);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file, null, 1));
  renameSync(tmp, path);
  return path;
}

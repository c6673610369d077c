/**
 * The additive scorer, the model every response model and the engine's click model share:
 *
 *   logit = bias + Σ_j c_j(x_j) + Σ_(a,b) c_ab(x_a, x_b)
 *   numeric j:       c_j(x) = Σ_k w2[k]·tanh(w1[k]·(x − mu)/sd + b1[k]) − center   (a 1→H tanh→1 subnetwork)
 *   categorical j:   c_j(l) = values[l]                                            (centred at training)
 *   pair (a, b):     c_ab = table[bin_a · B + bin_b]                                (a few, GAMI-Net style)
 *
 * Each term is centred (its mean over the training rows is 0), so c_j is feature j's contribution
 * against a typical row and the plain-language reasons are the largest c_j. A missing value
 * contributes exactly 0. Numeric inputs are clamped to the range seen in training: outside it a
 * shape says nothing it learned.
 */
import type { ModelSpec } from './spec';
import type { Table } from './table';

export const ADDITIVE_FORMAT = 'slotwise-additive/1';

/** The parameters of one 1→H tanh→1 subnetwork on a standardised input. */
export interface SubnetParams {
  mu: number;
  sd: number;
  w1: ArrayLike<number>;
  b1: ArrayLike<number>;
  w2: ArrayLike<number>;
}

/**
 * f(x) = Σ_k w2[k]·tanh(w1[k]·(x − mu)/sd + b1[k]), before centring. The one shape-function
 * formula of the project: the engine's click model evaluates its numeric features with it too.
 */
export function subnet(p: SubnetParams, x: number): number {
  const zx = (x - p.mu) / p.sd;
  let s = 0;
  for (let k = 0; k < p.w1.length; k++) s += p.w2[k]! * Math.tanh(p.w1[k]! * zx + p.b1[k]!);
  return s;
}

/** Tabulates `f(mu + z·sd) − center` on z ∈ [−zMax, zMax] in `steps` steps, for interpolated scoring. */
export function tabulate(p: SubnetParams & { center: number }, zMax: number, steps: number): Float64Array {
  const lut = new Float64Array(steps + 1);
  const step = (2 * zMax) / steps;
  for (let i = 0; i <= steps; i++) lut[i] = subnet(p, p.mu + (i * step - zMax) * p.sd) - p.center;
  return lut;
}

export interface NumericTerm extends SubnetParams {
  kind: 'numeric';
  feature: string;
  w1: number[];
  b1: number[];
  w2: number[];
  center: number;
  /** the transformed range seen in training; inputs are clamped to it */
  lo: number;
  hi: number;
}
export interface CategoricalTerm {
  kind: 'categorical';
  feature: string;
  /** by level code (the model's `levels`) */
  values: number[];
}
export interface PairTerm {
  kind: 'pair';
  features: [string, string];
  /** per feature: the numeric bin edges (bin = number of edges ≤ x), or null for a categorical's level codes */
  edges: [number[] | null, number[] | null];
  /** bins of each feature */
  sizes: [number, number];
  /** row-major [bin_a · sizes[1] + bin_b] */
  table: number[];
}
export type Term = NumericTerm | CategoricalTerm | PairTerm;

/** The scores of a model's training rows, summarised for "top N %" cuts (reference.ts says how). */
export interface Reference {
  /** training rows the quantiles summarise */
  rows: number;
  /** q(k/1000) for k = 0 … 1000, ascending */
  quantiles: number[];
}

export interface AdditiveModel {
  format: typeof ADDITIVE_FORMAT;
  spec: ModelSpec;
  /** per spec feature: its levels (categorical) or null */
  levels: (string[] | null)[];
  hidden: number;
  bias: number;
  /** one main term per spec feature, in spec order, then the pair terms */
  terms: Term[];
  /** the scores of the training rows as quantiles (reference.ts): what "top N %" audiences cut against */
  reference?: Reference;
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const LUT_Z = 8;
const LUT_N = 2048;
const LUT_STEP = (2 * LUT_Z) / LUT_N;

interface CompiledNumeric {
  p: NumericTerm;
  lut: Float64Array;
}

/** A model ready to score rows: tables for the subnetworks, feature positions resolved. */
export interface Compiled {
  model: AdditiveModel;
  /** per spec feature */
  num: (CompiledNumeric | undefined)[];
  cat: (Float64Array | undefined)[];
  pairs: { a: number; b: number; ea: Float64Array | null; eb: Float64Array | null; nb: number; table: Float64Array }[];
}

export function compile(model: AdditiveModel): Compiled {
  const names = model.spec.features.map((f) => f.name);
  const main = model.terms.slice(0, names.length);
  return {
    model,
    num: main.map((t) => (t.kind === 'numeric' ? { p: t, lut: tabulate(t, LUT_Z, LUT_N) } : undefined)),
    cat: main.map((t) => (t.kind === 'categorical' ? Float64Array.from(t.values) : undefined)),
    pairs: model.terms
      .slice(names.length)
      .filter((t): t is PairTerm => t.kind === 'pair')
      .map((t) => ({
        a: names.indexOf(t.features[0]),
        b: names.indexOf(t.features[1]),
        ea: t.edges[0] && Float64Array.from(t.edges[0]),
        eb: t.edges[1] && Float64Array.from(t.edges[1]),
        nb: t.sizes[1],
        table: Float64Array.from(t.table),
      })),
  };
}

/** c(x) of a compiled numeric term: clamped, then interpolated in its table (error far below 1e-4 for these smooth nets). */
export function numericAt(c: CompiledNumeric, x: number): number {
  const p = c.p;
  const v = x < p.lo ? p.lo : x > p.hi ? p.hi : x;
  const u = ((v - p.mu) / p.sd + LUT_Z) / LUT_STEP;
  if (!(u >= 0 && u < LUT_N)) return subnet(p, v) - p.center;
  const i = u | 0;
  return c.lut[i]! + (c.lut[i + 1]! - c.lut[i]!) * (u - i);
}

/** The bin of `x` under `edges` (number of edges ≤ x); −1 for NaN. */
export function binOf(edges: ArrayLike<number>, x: number): number {
  if (Number.isNaN(x)) return -1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The logit of one row given as per-feature values (numeric: transformed value or NaN;
 * categorical: level code or −1). With `out`, writes each main term's contribution (spec order)
 * and then each pair's.
 */
export function scoreRow(m: Compiled, values: ArrayLike<number>, out?: Float64Array): number {
  let logit = m.model.bias;
  const nf = m.num.length;
  for (let j = 0; j < nf; j++) {
    const v = values[j]!;
    const n = m.num[j];
    let c = 0;
    if (n) c = Number.isNaN(v) ? 0 : numericAt(n, v);
    else if (v >= 0) c = m.cat[j]![v] ?? 0;
    if (out) out[j] = c;
    logit += c;
  }
  for (let q = 0; q < m.pairs.length; q++) {
    const p = m.pairs[q]!;
    const ba = p.ea ? binOf(p.ea, values[p.a]!) : values[p.a]!;
    const bb = p.eb ? binOf(p.eb, values[p.b]!) : values[p.b]!;
    const c = ba >= 0 && bb >= 0 ? (p.table[ba * p.nb + bb] ?? 0) : 0;
    if (out) out[nf + q] = c;
    logit += c;
  }
  return logit;
}

/** Logits of every row of a table. */
export function scoreTable(m: Compiled, t: Table): Float64Array {
  const nf = t.cols.length;
  const row = new Float64Array(nf);
  const out = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    for (let j = 0; j < nf; j++) row[j] = t.cols[j]![i]!;
    out[i] = scoreRow(m, row);
  }
  return out;
}

/** Names of the terms, in `scoreRow`'s `out` order: features, then "a × b" pairs. */
export function termNames(model: AdditiveModel): string[] {
  return model.terms.map((t) => (t.kind === 'pair' ? `${t.features[0]} × ${t.features[1]}` : t.feature));
}

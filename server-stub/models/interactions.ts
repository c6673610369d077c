/**
 * Pairwise interaction terms, GAMI-Net's second stage: with the main terms fitted and frozen, a
 * few pairs (a, b) get a table c_ab(bin_a, bin_b) on the residual. Each pair is still a picture
 * (a heat map).
 *
 * The screening rule (fixed, so the choice is reproducible and never looks at test rows):
 *   1. bin each feature: a categorical by its levels, a numeric by ≤ 32 quantile bins of the
 *      training rows (missing = no bin: the pair contributes 0);
 *   2. for every pair, one Newton step per cell on the training rows' residual, shrunk by
 *      `lambda` (cell = −ΣG / (ΣH + lambda)), is scored by the log-likelihood it gains on the
 *      validation rows, per validation row;
 *   3. the pairs are taken best first, at most `maxPairs`, each kept only if, fitted jointly with
 *      the pairs already kept (backfitting), it lowers the validation loss by at least `minGain`.
 * A pair that does not earn its keep on held-out rows is not in the model.
 */
import { binOf, compile, scoreTable, sigmoid, type AdditiveModel, type PairTerm } from './additive';
import { validationLoss, type Criterion } from './metrics';
import { refitBias } from './train-additive';
import type { Table } from './table';

export interface PairOptions {
  /** @default 3 */
  maxPairs?: number;
  /** L2 shrinkage of every cell, in hessian units. @default 10 */
  lambda?: number;
  /** smallest validation improvement for a pair to stay. @default 1e-4 */
  minGain?: number;
  /** @default 'logLoss' */
  criterion?: Criterion;
  /** backfitting passes. @default 4 */
  passes?: number;
}

const MAX_BINS = 32;

function edgesOf(col: Float64Array): number[] {
  const xs = Array.from(col).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let q = 1; q < MAX_BINS; q++) {
    const x = xs[Math.floor((q * xs.length) / MAX_BINS)];
    if (x !== undefined && x > (edges.length ? edges[edges.length - 1]! : xs[0]!)) edges.push(x);
  }
  return edges;
}

interface Binned {
  edges: (number[] | null)[];
  sizes: number[];
}

function binning(t: Table): Binned {
  const edges = t.spec.features.map((f, j) => (f.type === 'numeric' ? edgesOf(t.cols[j] as Float64Array) : null));
  return { edges, sizes: edges.map((e, j) => (e ? e.length + 1 : t.levels[j]!.length)) };
}

/** Cell index of every row for the pair (a, b), −1 when either value is missing. */
function cells(t: Table, b: Binned, fa: number, fb: number): Int32Array {
  const out = new Int32Array(t.n);
  const ea = b.edges[fa], eb = b.edges[fb];
  const nb = b.sizes[fb]!;
  for (let i = 0; i < t.n; i++) {
    const xa = t.cols[fa]![i]!, xb = t.cols[fb]![i]!;
    const ba = ea ? binOf(ea, xa) : xa;
    const bb = eb ? binOf(eb, xb) : xb;
    out[i] = ba >= 0 && bb >= 0 ? ba * nb + bb : -1;
  }
  return out;
}

/** Newton cell values on the residual of `logit`, centred on the rows' cell counts. */
function cellValues(cell: Int32Array, size: number, logit: Float64Array, y: Uint8Array, lambda: number): Float64Array {
  const G = new Float64Array(size);
  const H = new Float64Array(size);
  const count = new Float64Array(size);
  for (let i = 0; i < cell.length; i++) {
    const c = cell[i]!;
    if (c < 0) continue;
    const p = sigmoid(logit[i]!);
    G[c]! += p - y[i]!;
    H[c]! += p * (1 - p);
    count[c]!++;
  }
  const v = new Float64Array(size);
  let s = 0, n = 0;
  for (let c = 0; c < size; c++) {
    v[c] = -G[c]! / (H[c]! + lambda);
    s += v[c]! * count[c]!;
    n += count[c]!;
  }
  if (n) for (let c = 0; c < size; c++) v[c]! -= s / n;
  return v;
}

const add = (logit: Float64Array, cell: Int32Array, v: Float64Array, sign: number) => {
  for (let i = 0; i < logit.length; i++) if (cell[i]! >= 0) logit[i]! += sign * v[cell[i]!]!;
};

const probs = (logit: Float64Array) => logit.map(sigmoid);

/** The candidate pairs ranked by validated one-step gain (best first, gains > 0 only). */
export function screenPairs(model: AdditiveModel, train: Table, valid: Table, lambda = 10): { a: number; b: number; gain: number }[] {
  const bt = binning(train);
  const lt = scoreTable(compile(model), train);
  const lv = scoreTable(compile(model), valid);
  const base = validationLoss('logLoss', probs(lv), valid.y);
  const out: { a: number; b: number; gain: number }[] = [];
  const nf = train.cols.length;
  for (let a = 0; a < nf; a++) {
    for (let b = a + 1; b < nf; b++) {
      const v = cellValues(cells(train, bt, a, b), bt.sizes[a]! * bt.sizes[b]!, lt, train.y, lambda);
      const cv = cells(valid, bt, a, b);
      const l = Float64Array.from(lv);
      add(l, cv, v, 1);
      const gain = base - validationLoss('logLoss', probs(l), valid.y);
      if (gain > 0) out.push({ a, b, gain });
    }
  }
  return out.sort((x, y) => y.gain - x.gain);
}

/** Fits the given pairs jointly on `t` by backfitting on the frozen main terms; returns the model with them. */
export function fitPairs(model: AdditiveModel, t: Table, pairs: { a: number; b: number }[], o: PairOptions = {}): AdditiveModel {
  const { lambda = 10, passes = 4 } = o;
  const mains = model.terms.slice(0, t.cols.length);
  if (!pairs.length) return { ...model, terms: mains };
  const bt = binning(t);
  const logit = scoreTable(compile({ ...model, terms: mains }), t);
  const cs = pairs.map((p) => cells(t, bt, p.a, p.b));
  const vs: Float64Array[] = pairs.map((p) => new Float64Array(bt.sizes[p.a]! * bt.sizes[p.b]!));
  for (let pass = 0; pass < passes; pass++) {
    pairs.forEach((p, q) => {
      add(logit, cs[q]!, vs[q]!, -1);
      vs[q] = cellValues(cs[q]!, vs[q]!.length, logit, t.y, lambda);
      add(logit, cs[q]!, vs[q]!, 1);
    });
  }
  const names = t.spec.features.map((f) => f.name);
  const terms: PairTerm[] = pairs.map((p, q) => ({
    kind: 'pair',
    features: [names[p.a]!, names[p.b]!],
    edges: [bt.edges[p.a]!, bt.edges[p.b]!],
    sizes: [bt.sizes[p.a]!, bt.sizes[p.b]!],
    table: Array.from(vs[q]!),
  }));
  return refitBias({ ...model, terms: [...mains, ...terms] }, t);
}

/**
 * Screens pairs on (train, valid) and keeps those that earn their keep on valid; returns the
 * model fitted on `train` with them and the kept pairs (feature indices).
 */
export function choosePairs(model: AdditiveModel, train: Table, valid: Table, o: PairOptions = {}): { model: AdditiveModel; pairs: { a: number; b: number }[] } {
  const { maxPairs = 3, minGain = 1e-4, criterion = 'logLoss', lambda = 10 } = o;
  const pv = (m: AdditiveModel) => validationLoss(criterion, probs(scoreTable(compile(m), valid)), valid.y);
  let kept: { a: number; b: number }[] = [];
  let best = { model, loss: pv(model) };
  for (const cand of screenPairs(model, train, valid, lambda)) {
    if (kept.length >= maxPairs) break;
    const trial = [...kept, { a: cand.a, b: cand.b }];
    const m = fitPairs(model, train, trial, o);
    const loss = pv(m);
    if (best.loss - loss >= minGain) {
      kept = trial;
      best = { model: m, loss };
    }
  }
  return { model: best.model, pairs: kept };
}

/**
 * Logistic regression, the linear baseline: numeric features standardised (after the spec's
 * transform; a missing value is 0 with its own indicator column), categorical ones one-hot (every
 * level its own column; the L2 penalty makes that identifiable), an L2 penalty on every weight
 * but the intercept, fitted by Newton's method (IRLS) to convergence.
 */
import { sigmoid } from './additive';
import type { Table } from './table';

export interface LogisticModel {
  format: 'slotwise-logistic/1';
  /** column names, for pictures: "age", "age (missing)", "job=admin." … */
  columns: string[];
  intercept: number;
  weights: number[];
  /** per spec feature: standardisation (numeric) */
  scale: ({ mu: number; sd: number; missingColumn: number } | null)[];
  /** per spec feature: first one-hot column (categorical) */
  firstColumn: number[];
  l2: number;
  iterations: number;
}

interface Design {
  columns: string[];
  scale: LogisticModel['scale'];
  firstColumn: number[];
}

function design(t: Table): Design {
  const columns: string[] = [];
  const scale: LogisticModel['scale'] = [];
  const firstColumn: number[] = [];
  t.spec.features.forEach((f, j) => {
    firstColumn.push(columns.length);
    if (f.type === 'numeric') {
      const col = t.cols[j] as Float64Array;
      let s = 0, s2 = 0, c = 0;
      for (let i = 0; i < t.n; i++) {
        const x = col[i]!;
        if (Number.isNaN(x)) continue;
        s += x;
        s2 += x * x;
        c++;
      }
      const mu = c ? s / c : 0;
      const sd = c ? Math.sqrt(Math.max(0, s2 / c - mu * mu)) || 1 : 1;
      columns.push(f.name);
      let missingColumn = -1;
      if (c < t.n) {
        missingColumn = columns.length;
        columns.push(`${f.name} (missing)`);
      }
      scale.push({ mu, sd, missingColumn });
    } else {
      scale.push(null);
      for (const level of t.levels[j]!) columns.push(`${f.name}=${level}`);
    }
  });
  return { columns, scale, firstColumn };
}

/** Row i's sparse encoding: indices and values of its non-zero columns. */
function encodeRow(t: Table, d: Design, i: number, idx: Int32Array, val: Float64Array): number {
  let k = 0;
  for (let j = 0; j < t.cols.length; j++) {
    const x = t.cols[j]![i]!;
    const s = d.scale[j];
    if (s) {
      if (Number.isNaN(x)) {
        if (s.missingColumn >= 0) {
          idx[k] = s.missingColumn;
          val[k++] = 1;
        }
      } else {
        idx[k] = d.firstColumn[j]!;
        val[k++] = (x - s.mu) / s.sd;
      }
    } else if (x >= 0) {
      idx[k] = d.firstColumn[j]! + x;
      val[k++] = 1;
    }
  }
  return k;
}

/** Solves A·x = b for a symmetric positive-definite A (Cholesky, in place). */
function solve(A: Float64Array, b: Float64Array, p: number): Float64Array {
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j]!;
    for (let k = 0; k < j; k++) d -= A[j * p + k]! ** 2;
    d = Math.sqrt(Math.max(d, 1e-12));
    A[j * p + j] = d;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j]!;
      for (let k = 0; k < j; k++) s -= A[i * p + k]! * A[j * p + k]!;
      A[i * p + j] = s / d;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < i; k++) x[i]! -= A[i * p + k]! * x[k]!;
    x[i]! /= A[i * p + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    for (let k = i + 1; k < p; k++) x[i]! -= A[k * p + i]! * x[k]!;
    x[i]! /= A[i * p + i]!;
  }
  return x;
}

/**
 * Minimises Σ log-loss + l2/2·‖w‖² by Newton steps until the largest step is below `tol`.
 *
 * @example
 * const model = fitLogistic(train, { l2: 1 });
 */
export function fitLogistic(t: Table, o: { l2?: number; tol?: number; maxIterations?: number } = {}): LogisticModel {
  const { l2 = 1, tol = 1e-8, maxIterations = 100 } = o;
  const d = design(t);
  const p = d.columns.length + 1; // column 0 is the intercept
  const nf = t.cols.length + 1;
  const idx = new Int32Array(nf * t.n);
  const val = new Float64Array(nf * t.n);
  const len = new Uint8Array(t.n);
  const ri = new Int32Array(nf);
  const rv = new Float64Array(nf);
  for (let i = 0; i < t.n; i++) {
    const k = encodeRow(t, d, i, ri, rv);
    len[i] = k + 1;
    idx[i * nf] = 0;
    val[i * nf] = 1;
    for (let q = 0; q < k; q++) {
      idx[i * nf + q + 1] = ri[q]! + 1;
      val[i * nf + q + 1] = rv[q]!;
    }
  }
  const w = new Float64Array(p);
  const A = new Float64Array(p * p);
  const g = new Float64Array(p);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    A.fill(0);
    g.fill(0);
    for (let i = 0; i < t.n; i++) {
      const o = i * nf;
      let z = 0;
      for (let q = 0; q < len[i]!; q++) z += w[idx[o + q]!]! * val[o + q]!;
      const pr = sigmoid(z);
      const r = pr - t.y[i]!;
      const h = pr * (1 - pr);
      for (let q = 0; q < len[i]!; q++) {
        const a = idx[o + q]!;
        const va = val[o + q]!;
        g[a]! += r * va;
        const hv = h * va;
        for (let s = 0; s <= q; s++) {
          const b = idx[o + s]!;
          // fill one triangle by (max, min) so order of a row's entries does not matter
          if (a >= b) A[a * p + b]! += hv * val[o + s]!;
          else A[b * p + a]! += hv * val[o + s]!;
        }
      }
    }
    for (let a = 1; a < p; a++) {
      g[a]! += l2 * w[a]!;
      A[a * p + a]! += l2;
    }
    A[0]! += 1e-9;
    const step = solve(A, g, p);
    let largest = 0;
    for (let a = 0; a < p; a++) {
      w[a]! -= step[a]!;
      largest = Math.max(largest, Math.abs(step[a]!));
    }
    if (largest < tol) {
      iterations++;
      break;
    }
  }
  return { format: 'slotwise-logistic/1', columns: d.columns, intercept: w[0]!, weights: Array.from(w.subarray(1)), scale: d.scale, firstColumn: d.firstColumn, l2, iterations };
}

/** Probabilities for every row of `t` (same spec and levels as training). */
export function predictLogistic(m: LogisticModel, t: Table): Float64Array {
  const d: Design = { columns: m.columns, scale: m.scale, firstColumn: m.firstColumn };
  const idx = new Int32Array(t.cols.length);
  const val = new Float64Array(t.cols.length);
  const out = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    const k = encodeRow(t, d, i, idx, val);
    let z = m.intercept;
    for (let q = 0; q < k; q++) z += m.weights[idx[q]!]! * val[q]!;
    out[i] = sigmoid(z);
  }
  return out;
}

/**
 * Every feature's shape function, for any of the models, as data to draw: a numeric feature's
 * contribution over a grid of its (transformed) values, a categorical feature's contribution per
 * level, each centred over the rows given, and the feature's importance (mean |contribution| over
 * those rows). For the additive scorer and logistic regression the shape is the model's own term;
 * for the tree ensemble, whose trees mix features, it is the partial dependence on a row sample.
 */
import { compile, numericAt, type AdditiveModel } from './additive';
import type { Fitted } from './evaluate';
import { predictTrees } from './trees';
import type { Table } from './table';

export type Shape =
  | { feature: string; kind: 'numeric'; transform: string; xs: number[]; ys: number[]; values: Float64Array; importance: number }
  | { feature: string; kind: 'categorical'; levels: string[]; ys: number[]; counts: number[]; importance: number };

const GRID = 60;

function grid(col: Float64Array): number[] {
  const xs = Array.from(col).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!xs.length) return [];
  const lo = xs[Math.floor(xs.length * 0.001)]!;
  const hi = xs[Math.ceil(xs.length * 0.999) - 1]!;
  const uniq = [...new Set(xs)];
  if (uniq.length <= GRID) return uniq;
  return Array.from({ length: GRID }, (_, i) => lo + ((hi - lo) * i) / (GRID - 1));
}

/** Shape of feature j given f(value) → contribution; centred and weighted by the rows' values. */
function shapeOf(t: Table, j: number, f: (x: number) => number): Shape {
  const spec = t.spec.features[j]!;
  const col = t.cols[j]!;
  if (spec.type === 'numeric') {
    const c = col as Float64Array;
    const xs = grid(c);
    let s = 0, n = 0;
    const memo = new Map<number, number>();
    const at = (x: number) => {
      let v = memo.get(x);
      if (v === undefined) memo.set(x, (v = f(x)));
      return v;
    };
    const sample = Math.max(1, Math.floor(t.n / 4000));
    const vals: number[] = [];
    for (let i = 0; i < t.n; i += sample) {
      if (Number.isNaN(c[i]!)) continue;
      const v = at(c[i]!);
      vals.push(v);
      s += v;
      n++;
    }
    const mean = n ? s / n : 0;
    return {
      feature: spec.name, kind: 'numeric', transform: spec.transform ?? 'none', xs, ys: xs.map((x) => f(x) - mean), values: c,
      importance: n ? vals.reduce((a, v) => a + Math.abs(v - mean), 0) / n : 0,
    };
  }
  const levels = t.levels[j]!;
  const counts = levels.map(() => 0);
  for (let i = 0; i < t.n; i++) if (col[i]! >= 0) counts[col[i]!]!++;
  const raw = levels.map((_, l) => f(l));
  const total = counts.reduce((a, b) => a + b, 0);
  const mean = total ? raw.reduce((a, v, l) => a + v * counts[l]!, 0) / total : 0;
  const ys = raw.map((v) => v - mean);
  return { feature: spec.name, kind: 'categorical', levels, ys, counts, importance: total ? ys.reduce((a, v, l) => a + Math.abs(v) * counts[l]!, 0) / total : 0 };
}

export function additiveShapes(model: AdditiveModel, t: Table): Shape[] {
  const m = compile(model);
  return t.spec.features.map((_, j) => shapeOf(t, j, (x) => (m.num[j] ? numericAt(m.num[j]!, x) : (m.cat[j]![x] ?? 0))));
}

/** Shapes of any fitted model on the rows of `t` (the additive one's pairs are drawn by `pairSvg`). */
export function shapes(f: Fitted, t: Table): Shape[] {
  if (f.kind === 'additive') return additiveShapes(f.model, t);
  if (f.kind === 'prior') return t.spec.features.map((_, j) => shapeOf(t, j, () => 0));
  if (f.kind === 'logistic') {
    const m = f.model;
    return t.spec.features.map((_, j) => {
      const s = m.scale[j];
      return shapeOf(t, j, (x) => (s ? (m.weights[m.firstColumn[j]!]! * (x - s.mu)) / s.sd : m.weights[m.firstColumn[j]! + x]!));
    });
  }
  // partial dependence: the mean logit over a fixed row sample with feature j set to x
  const sample = Math.min(300, t.n);
  const step = t.n / sample;
  const rows = Array.from({ length: sample }, (_, i) => Math.floor(i * step));
  const base: Table = { ...t, n: sample, y: new Uint8Array(sample), cols: t.cols.map((c) => (c instanceof Float64Array ? Float64Array.from(rows, (i) => c[i]!) : Int32Array.from(rows, (i) => c[i]!))) };
  return t.spec.features.map((_, j) =>
    shapeOf(t, j, (x) => {
      const cols = base.cols.slice();
      cols[j] = cols[j] instanceof Float64Array ? new Float64Array(sample).fill(x) : new Int32Array(sample).fill(x);
      const p = predictTrees(f.model, { ...base, cols });
      let s = 0;
      for (const q of p) s += Math.log(q / (1 - q));
      return s / sample;
    }),
  );
}

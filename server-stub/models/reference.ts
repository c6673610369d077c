/**
 * A model's reference population: the distribution of its scores over the rows it was trained on,
 * saved with the model as 1001 quantiles. It gives "top p % by model M" a fixed score cut that is
 * known at decide time, with no scan of the app's customers.
 *
 * Definition: with s_(1) ≤ … ≤ s_(n) the training rows' scores, q(u) is their linear-interpolation
 * quantile (Hyndman–Fan type 7: h = (n − 1)·u, q = s_(⌊h⌋+1) + (h − ⌊h⌋)·(s_(⌊h⌋+2) − s_(⌊h⌋+1))).
 * A profile is in the top p % when its score ≥ q(1 − p/100): a cut tied with the score is in. The
 * 1001 stored points are q(k/1000) exactly; between them q is interpolated linearly, so a cut is
 * exact for any p that is a multiple of 0.1.
 */
import { compile, scoreTable, sigmoid, type AdditiveModel, type Reference } from './additive';
import type { Table } from './table';

export type { Reference } from './additive';

export const REFERENCE_POINTS = 1001;

/** The reference of a set of scores (probabilities). */
export function referenceOf(scores: ArrayLike<number>): Reference {
  const n = scores.length;
  if (!n) throw new Error('a reference population needs at least one score');
  const sorted = Float64Array.from(scores).sort();
  const quantiles: number[] = [];
  for (let k = 0; k < REFERENCE_POINTS; k++) {
    const h = ((n - 1) * k) / (REFERENCE_POINTS - 1);
    const i = Math.floor(h);
    const a = sorted[i]!;
    quantiles.push(i + 1 < n ? a + (h - i) * (sorted[i + 1]! - a) : a);
  }
  return { rows: n, quantiles };
}

/** The model with its reference population: its scores on `table` (the rows it was trained on). */
export function withReference(model: AdditiveModel, table: Table): AdditiveModel {
  const logits = scoreTable(compile(model), table);
  for (let i = 0; i < logits.length; i++) logits[i] = sigmoid(logits[i]!);
  return { ...model, reference: referenceOf(logits) };
}

/** q(u) for u in [0, 1], from the stored points. */
export function quantileAt(ref: Reference, u: number): number {
  const q = ref.quantiles;
  const h = Math.min(1, Math.max(0, u)) * (q.length - 1);
  const i = Math.floor(h);
  return i + 1 < q.length ? q[i]! + (h - i) * (q[i + 1]! - q[i]!) : q[i]!;
}

/**
 * The smallest score in the top `percent` % (0 < percent ≤ 100) of the reference population.
 * @example
 * topPercentCutoff(entry.model.reference!, 20); // 0.18: a score ≥ 0.18 is in the top 20 %
 */
export function topPercentCutoff(ref: Reference, percent: number): number {
  return quantileAt(ref, 1 - percent / 100);
}

/** Checks a stored reference; returns a problem or undefined. */
export function referenceProblem(ref: unknown): string | undefined {
  const r = ref as Reference;
  if (!r || typeof r !== 'object' || !Number.isInteger(r.rows) || r.rows < 1) return 'reference.rows must be a positive integer';
  const q = r.quantiles;
  if (!Array.isArray(q) || q.length !== REFERENCE_POINTS) return `reference.quantiles needs ${REFERENCE_POINTS} numbers`;
  for (let k = 0; k < q.length; k++) {
    const v = q[k];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1) || (k > 0 && v < q[k - 1]!)) return `reference.quantiles[${k}] is not a score in [0, 1] in ascending order`;
  }
  return undefined;
}

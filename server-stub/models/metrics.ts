/** Held-out metrics of a probability score against binary labels. */

export interface Metrics {
  /** area under the ROC curve; tied scores count half */
  auc: number;
  /** mean negative log-likelihood (natural log), probabilities clipped to [1e-15, 1 − 1e-15] */
  logLoss: number;
  /** mean squared error of the probability */
  brier: number;
  /** positive rate among the top 10 % by score over the overall positive rate (ties broken by row order) */
  liftTop10: number;
  rows: number;
  positives: number;
  trainSeconds: number;
}

/** AUC by the rank-sum (Mann–Whitney) statistic with mid-ranks for ties; 0.5 when a class is absent. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]) {
        rankSum += rank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (!positives || !negatives) return 0.5;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function logLoss(p: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]!));
    s -= labels[i] ? Math.log(q) : Math.log(1 - q);
  }
  return s / Math.max(1, p.length);
}

export function brier(p: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - labels[i]!) ** 2;
  return s / Math.max(1, p.length);
}

/** Positive rate of the ceil(10 %) highest-scored rows over the overall rate; a stable sort keeps row order among ties. */
export function liftTop10(p: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = p.length;
  if (!n) return 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b]! - p[a]!);
  const k = Math.ceil(n / 10);
  let top = 0;
  let all = 0;
  for (let i = 0; i < n; i++) all += labels[i]!;
  for (let i = 0; i < k; i++) top += labels[order[i]!]!;
  return all ? top / k / (all / n) : 0;
}

export function metrics(p: ArrayLike<number>, labels: ArrayLike<number>, trainSeconds: number): Metrics {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  return { auc: auc(p, labels), logLoss: logLoss(p, labels), brier: brier(p, labels), liftTop10: liftTop10(p, labels), rows: p.length, positives, trainSeconds };
}

/** Reliability: `bins` equal-width probability bins, each with its mean prediction, observed rate and count. */
export function reliability(p: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): { predicted: number; observed: number; count: number }[] {
  const sp = new Float64Array(bins);
  const sy = new Float64Array(bins);
  const c = new Float64Array(bins);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.floor(p[i]! * bins));
    sp[b]! += p[i]!;
    sy[b]! += labels[i]!;
    c[b]!++;
  }
  const out = [];
  for (let b = 0; b < bins; b++) if (c[b]) out.push({ predicted: sp[b]! / c[b]!, observed: sy[b]! / c[b]!, count: c[b]! });
  return out;
}

/** How inner validation compares candidates: lower is better. */
export type Criterion = 'logLoss' | 'auc';

export function validationLoss(c: Criterion, p: ArrayLike<number>, labels: ArrayLike<number>): number {
  return c === 'auc' ? 1 - auc(p, labels) : logLoss(p, labels);
}

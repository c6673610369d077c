/**
 * The evaluation: the four models side by side on the same features and the same splits, under
 * two protocols fixed in code.
 *
 *   temporal   rows are in date order: train on the first 80 %, test on the last 20 %;
 *   fold5      5-fold cross-validation stratified by y, seed 20140322 (fixed), mean and per fold.
 *
 * Every hyper-parameter is chosen by inner validation on the training part only (innerSplit: its
 * most recent 20 % under the temporal protocol, a stratified 20 % otherwise), judged by AUC — the
 * metric the protocols compare, and blind to the base-rate shift between a training part's past
 * and its recent tail. The chosen setting is then refitted on the whole training part; the test
 * part is scored once. `trainSeconds` covers the selection and the refit.
 */
import { performance } from 'node:perf_hooks';
import type { AdditiveModel } from './additive';
import { innerSplit, stratifiedKFold, temporalSplit, type Split } from './folds';
import { choosePairs, fitPairs } from './interactions';
import { fitLogistic, predictLogistic, type LogisticModel } from './logistic';
import { auc, metrics, type Metrics } from './metrics';
import { subset, type Table } from './table';
import { fitMains, probabilities } from './train-additive';
import { fitTrees, predictTrees, type TreeModel } from './trees';

export const KINDS = ['additive', 'logistic', 'trees', 'prior'] as const;
export type Kind = (typeof KINDS)[number];
export const FOLD_SEED = 20140322;

export type Fitted =
  | { kind: 'additive'; model: AdditiveModel; chosen: { epochs: number; pairs: string[] } }
  | { kind: 'logistic'; model: LogisticModel; chosen: { l2: number } }
  | { kind: 'trees'; model: TreeModel; chosen: { depth: number; rounds: number } }
  | { kind: 'prior'; rate: number; chosen: Record<string, never> };

export interface TrainOptions {
  /** the protocol's inner validation: the recent tail (true) or a stratified sample */
  temporal: boolean;
  seed?: number;
}

/** Trains one kind of model on `train`, choosing its hyper-parameters on an inner split of it. */
export function train(kind: Kind, t: Table, o: TrainOptions): Fitted {
  const seed = o.seed ?? 1;
  if (kind === 'prior') {
    let s = 0;
    for (let i = 0; i < t.n; i++) s += t.y[i]!;
    return { kind, rate: s / Math.max(1, t.n), chosen: {} };
  }
  const inner = innerSplit(t.y, o.temporal, seed);
  const it = subset(t, inner.train);
  const iv = subset(t, inner.test);
  if (kind === 'additive') {
    const mains = fitMains(it, iv, { criterion: 'auc', patience: 8, seed });
    const { pairs } = choosePairs(mains.model, it, iv, { criterion: 'auc' });
    const full = fitMains(t, undefined, { epochs: mains.epochs, seed });
    const names = t.spec.features.map((f) => f.name);
    return { kind, model: fitPairs(full.model, t, pairs), chosen: { epochs: mains.epochs, pairs: pairs.map((p) => `${names[p.a]} × ${names[p.b]}`) } };
  }
  if (kind === 'logistic') {
    let best = { l2: 1, auc: -1 };
    for (const l2 of [0.1, 1, 10, 100, 1000]) {
      const a = auc(predictLogistic(fitLogistic(it, { l2 }), iv), iv.y);
      if (a > best.auc) best = { l2, auc: a };
    }
    return { kind, model: fitLogistic(t, { l2: best.l2 }), chosen: { l2: best.l2 } };
  }
  let best = { depth: 3, rounds: 1, loss: Infinity };
  for (const depth of [3, 5]) {
    const r = fitTrees(it, iv, { depth, criterion: 'auc' });
    if (r.validLoss < best.loss) best = { depth, rounds: r.rounds, loss: r.validLoss };
  }
  return { kind, model: fitTrees(t, undefined, { depth: best.depth, rounds: best.rounds }).model, chosen: { depth: best.depth, rounds: best.rounds } };
}

export function predict(f: Fitted, t: Table): Float64Array {
  if (f.kind === 'additive') return probabilities(f.model, t);
  if (f.kind === 'logistic') return predictLogistic(f.model, t);
  if (f.kind === 'trees') return predictTrees(f.model, t);
  return new Float64Array(t.n).fill(f.rate);
}

export interface Run {
  metrics: Metrics;
  fitted: Fitted;
  /** test-part probabilities, in the split's test order */
  p: Float64Array;
}

export function runSplit(kind: Kind, t: Table, split: Split, o: TrainOptions): Run {
  const trainPart = subset(t, split.train);
  const testPart = subset(t, split.test);
  const start = performance.now();
  const fitted = train(kind, trainPart, o);
  const seconds = (performance.now() - start) / 1000;
  const p = predict(fitted, testPart);
  return { metrics: metrics(p, testPart.y, Math.round(seconds * 100) / 100), fitted, p };
}

export type FoldMetrics = Metrics & { folds: Metrics[] };

export interface Evaluation {
  temporal: Record<Kind, Metrics>;
  fold5: Record<Kind, FoldMetrics>;
}

/** Means of every metric over folds (rows and positives are summed: every row is tested once). */
export function meanOf(folds: Metrics[]): FoldMetrics {
  const mean = (k: keyof Metrics) => folds.reduce((s, m) => s + m[k], 0) / folds.length;
  return {
    auc: mean('auc'), logLoss: mean('logLoss'), brier: mean('brier'), liftTop10: mean('liftTop10'),
    rows: folds.reduce((s, m) => s + m.rows, 0), positives: folds.reduce((s, m) => s + m.positives, 0),
    trainSeconds: Math.round(mean('trainSeconds') * 100) / 100, folds,
  };
}

export interface EvaluateOptions {
  kinds?: readonly Kind[];
  /** called after each trained model, for progress */
  onRun?: (protocol: string, kind: Kind, m: Metrics) => void;
}

export interface EvaluationDetail {
  evaluation: Evaluation;
  /** temporal test labels and each kind's probabilities there; fold5 out-of-fold probabilities for every row */
  temporalTest: { y: Uint8Array; p: Record<string, Float64Array> };
  /** the models fitted on the temporal protocol's training part */
  temporalFitted: Partial<Record<Kind, Fitted>>;
  outOfFold: Record<string, Float64Array>;
}

export function evaluate(t: Table, o: EvaluateOptions = {}): EvaluationDetail {
  const kinds = o.kinds ?? KINDS;
  const temporal = {} as Record<Kind, Metrics>;
  const fold5 = {} as Record<Kind, FoldMetrics>;
  const ts = temporalSplit(t.n);
  const temporalTest = { y: subset(t, ts.test).y, p: {} as Record<string, Float64Array> };
  const temporalFitted: Partial<Record<Kind, Fitted>> = {};
  for (const kind of kinds) {
    const r = runSplit(kind, t, ts, { temporal: true });
    temporal[kind] = r.metrics;
    temporalTest.p[kind] = r.p;
    temporalFitted[kind] = r.fitted;
    o.onRun?.('temporal', kind, r.metrics);
  }
  const splits = stratifiedKFold(t.y, 5, FOLD_SEED);
  const outOfFold: Record<string, Float64Array> = {};
  for (const kind of kinds) {
    const oof = new Float64Array(t.n);
    const folds = splits.map((s, f) => {
      const r = runSplit(kind, t, s, { temporal: false, seed: f + 1 });
      s.test.forEach((i, q) => (oof[i] = r.p[q]!));
      o.onRun?.(`fold ${f + 1}`, kind, r.metrics);
      return r.metrics;
    });
    fold5[kind] = meanOf(folds);
    outOfFold[kind] = oof;
  }
  return { evaluation: { temporal, fold5 }, temporalTest, temporalFitted, outOfFold };
}

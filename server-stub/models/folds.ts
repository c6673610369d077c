/**
 * The two evaluation protocols' splits, fixed in code so every model sees the same rows:
 * temporal (the file is in date order: the first 80 % train, the last 20 % test) and stratified
 * k-fold (each class shuffled with a fixed seed and dealt round-robin, so every fold holds its
 * share of positives, and the folds are disjoint and cover every row).
 */
import { prng } from './random';

export interface Split {
  train: Uint32Array;
  test: Uint32Array;
}

const range = (from: number, to: number) => {
  const a = new Uint32Array(Math.max(0, to - from));
  for (let i = 0; i < a.length; i++) a[i] = from + i;
  return a;
};

/** The first `share` of rows train, the rest test. */
export function temporalSplit(n: number, share = 0.8): Split {
  const cut = Math.floor(n * share);
  return { train: range(0, cut), test: range(cut, n) };
}

export function shuffle(a: number[] | Uint32Array, random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** Fold number (0 … k−1) of every row, stratified by `y`. */
export function stratifiedFoldOf(y: ArrayLike<number>, k: number, seed: number): Uint8Array {
  const random = prng(seed);
  const fold = new Uint8Array(y.length);
  // the deal continues across classes, so fold sizes differ by at most one row too
  let dealt = 0;
  for (const cls of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if ((y[i] ? 1 : 0) === cls) rows.push(i);
    shuffle(rows, random);
    for (const i of rows) fold[i] = dealt++ % k;
  }
  return fold;
}

/** k train/test splits, stratified by `y`, rows ascending within each part. */
export function stratifiedKFold(y: ArrayLike<number>, k: number, seed: number): Split[] {
  const fold = stratifiedFoldOf(y, k, seed);
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < y.length; i++) (fold[i] === f ? test : train).push(i);
    return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
  });
}

/**
 * The inner validation split of a training part, for choosing hyper-parameters on training rows
 * only: the last `share` of rows when the protocol is temporal (validate on the most recent past),
 * a stratified random `share` otherwise. Indices are positions within the training part.
 */
export function innerSplit(y: ArrayLike<number>, temporal: boolean, seed: number, share = 0.2): Split {
  if (temporal) return temporalSplit(y.length, 1 - share);
  const k = Math.round(1 / share);
  return stratifiedKFold(y, k, seed)[0]!;
}

/**
 * A gradient-boosted tree ensemble (second-order, histogram-based, in the manner of XGBoost and
 * LightGBM), the strong non-additive reference. Numeric features are cut into at most 64 quantile
 * bins of the training rows (bin 0 = missing, so missing values always sort first); a categorical
 * feature's bins are its levels, and a split orders them by G/H and cuts that order (LightGBM's
 * rule for categoricals). Trees grow depth-first to `depth` with an L2 penalty `lambda` on leaf
 * values and a minimum hessian per child; each leaf is shrunk by `learningRate`.
 */
import { binOf, sigmoid } from './additive';
import { validationLoss, type Criterion } from './metrics';
import type { Table } from './table';

export interface TreeOptions {
  /** @default 4 */
  depth?: number;
  /** @default 0.1 */
  learningRate?: number;
  /** rounds at most (with validation, early stopping after `patience`) or exactly. @default 400 */
  rounds?: number;
  /** @default 1 */
  lambda?: number;
  /** @default 2 */
  minChildHessian?: number;
  /** @default 30 */
  patience?: number;
  /** @default 'logLoss' */
  criterion?: Criterion;
}

export interface Tree {
  /** per node: split feature, or −1 for a leaf */
  feature: number[];
  /** numeric: bins ≤ cut go left; categorical: unused */
  cut: number[];
  /** categorical: the bins that go left */
  left: (number[] | null)[];
  /** child indices (leaf: −1) */
  lo: number[];
  hi: number[];
  value: number[];
}

export interface TreeModel {
  format: 'slotwise-trees/1';
  base: number;
  /** per spec feature: numeric bin edges (bin = 1 + number of edges ≤ x), or null (categorical: bin = code + 1) */
  edges: (number[] | null)[];
  trees: Tree[];
  options: Required<TreeOptions>;
}

const MAX_BINS = 64;

function quantileEdges(col: Float64Array, bins: number): number[] {
  const xs = Array.from(col).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let q = 1; q < bins; q++) {
    const x = xs[Math.floor((q * xs.length) / bins)];
    if (x !== undefined && (!edges.length || x > edges[edges.length - 1]!)) edges.push(x);
  }
  return edges;
}

/** Bins of every row, feature-major: bins[j · n + i]. */
function binTable(t: Table, edges: (number[] | null)[]): Uint8Array {
  const n = t.n;
  const out = new Uint8Array(edges.length * n);
  edges.forEach((e, j) => {
    const col = t.cols[j]!;
    for (let i = 0; i < n; i++) {
      const x = col[i]!;
      if (!e) {
        out[j * n + i] = x >= 0 ? Math.min(255, x + 1) : 0;
        continue;
      }
      // bin 0 holds the missing values (binOf answers −1 for NaN)
      out[j * n + i] = binOf(e, x) + 1;
    }
  });
  return out;
}

function predictTree(tree: Tree, bins: Uint8Array, n: number, i: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node]!;
    if (f < 0) return tree.value[node]!;
    const b = bins[f * n + i]!;
    const left = tree.left[node];
    node = (left ? left.includes(b) : b <= tree.cut[node]!) ? tree.lo[node]! : tree.hi[node]!;
  }
}

/**
 * Boosts trees on `train`; with `valid`, stops `patience` rounds after the best validation
 * log-loss and keeps the trees up to it.
 *
 * @example
 * const model = fitTrees(train, valid, { depth: 4 });
 */
export function fitTrees(train: Table, valid: Table | undefined, o: TreeOptions = {}): { model: TreeModel; rounds: number; validLoss: number } {
  const opts: Required<TreeOptions> = { depth: 4, learningRate: 0.1, rounds: 400, lambda: 1, minChildHessian: 2, patience: 30, criterion: 'logLoss', ...o };
  const n = train.n;
  const nf = train.cols.length;
  const edges = train.spec.features.map((f, j) => (f.type === 'numeric' ? quantileEdges(train.cols[j] as Float64Array, MAX_BINS) : null));
  const nbins = edges.map((e, j) => (e ? e.length + 2 : train.levels[j]!.length + 1));
  const bins = binTable(train, edges);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += train.y[i]!;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / n));
  const base = Math.log(rate / (1 - rate));
  const F = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const vb = valid && binTable(valid, edges);
  const vF = valid && new Float64Array(valid.n).fill(base);
  const vp = valid && new Float64Array(valid.n);
  const model: TreeModel = { format: 'slotwise-trees/1', base, edges, trees: [], options: opts };
  let best = { loss: Infinity, rounds: 0 };
  const rows = new Uint32Array(n);
  const scratch = new Uint32Array(n);
  const maxBins = Math.max(...nbins);
  const G = new Float64Array(maxBins);
  const Hs = new Float64Array(maxBins);
  const order: number[] = [];

  for (let round = 1; round <= opts.rounds; round++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(F[i]!);
      g[i] = p - train.y[i]!;
      h[i] = p * (1 - p);
      rows[i] = i;
    }
    const tree: Tree = { feature: [], cut: [], left: [], lo: [], hi: [], value: [] };
    const grow = (from: number, to: number, depth: number): number => {
      const node = tree.feature.length;
      tree.feature.push(-1);
      tree.cut.push(0);
      tree.left.push(null);
      tree.lo.push(-1);
      tree.hi.push(-1);
      let sg = 0, sh = 0;
      for (let r = from; r < to; r++) {
        sg += g[rows[r]!]!;
        sh += h[rows[r]!]!;
      }
      tree.value.push((-sg / (sh + opts.lambda)) * opts.learningRate);
      if (depth >= opts.depth || to - from < 2) return node;
      const parent = (sg * sg) / (sh + opts.lambda);
      let bestGain = 1e-9, bestF = -1, bestCut = 0;
      let bestLeft: number[] | null = null;
      for (let j = 0; j < nf; j++) {
        const nb = nbins[j]!;
        G.fill(0, 0, nb);
        Hs.fill(0, 0, nb);
        const col = j * n;
        for (let r = from; r < to; r++) {
          const i = rows[r]!;
          const b = bins[col + i]!;
          G[b]! += g[i]!;
          Hs[b]! += h[i]!;
        }
        order.length = 0;
        for (let b = 0; b < nb; b++) if (Hs[b]! > 0) order.push(b);
        const categorical = !edges[j];
        if (categorical) order.sort((a, b) => G[a]! / Hs[a]! - G[b]! / Hs[b]!);
        let lg = 0, lh = 0;
        for (let q = 0; q < order.length - 1; q++) {
          const b = order[q]!;
          lg += G[b]!;
          lh += Hs[b]!;
          const rg = sg - lg, rh = sh - lh;
          if (lh < opts.minChildHessian || rh < opts.minChildHessian) continue;
          const gain = (lg * lg) / (lh + opts.lambda) + (rg * rg) / (rh + opts.lambda) - parent;
          if (gain > bestGain) {
            bestGain = gain;
            bestF = j;
            bestCut = b;
            bestLeft = categorical ? order.slice(0, q + 1) : null;
          }
        }
      }
      if (bestF < 0) return node;
      // partition rows[from, to) stably: left first
      let l = from;
      let s = 0;
      const col = bestF * n;
      const leftSet = bestLeft && new Set(bestLeft);
      for (let r = from; r < to; r++) {
        const i = rows[r]!;
        const b = bins[col + i]!;
        if (leftSet ? leftSet.has(b) : b <= bestCut) rows[l++] = i;
        else scratch[s++] = i;
      }
      rows.set(scratch.subarray(0, s), l);
      tree.feature[node] = bestF;
      tree.cut[node] = bestCut;
      tree.left[node] = bestLeft && bestLeft.sort((a, b) => a - b);
      tree.lo[node] = grow(from, l, depth + 1);
      tree.hi[node] = grow(l, to, depth + 1);
      return node;
    };
    grow(0, n, 0);
    model.trees.push(tree);
    for (let i = 0; i < n; i++) F[i]! += predictTree(tree, bins, n, i);
    if (!valid) continue;
    for (let i = 0; i < valid.n; i++) {
      vF![i]! += predictTree(tree, vb!, valid.n, i);
      vp![i] = sigmoid(vF![i]!);
    }
    const loss = validationLoss(opts.criterion, vp!, valid.y);
    if (loss < best.loss) best = { loss, rounds: round };
    else if (round - best.rounds >= opts.patience) break;
  }
  if (valid) model.trees.length = best.rounds;
  return { model, rounds: model.trees.length, validLoss: valid ? best.loss : NaN };
}

export function predictTrees(m: TreeModel, t: Table): Float64Array {
  const bins = binTable(t, m.edges);
  const out = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    let z = m.base;
    for (const tree of m.trees) z += predictTree(tree, bins, t.n, i);
    out[i] = sigmoid(z);
  }
  return out;
}

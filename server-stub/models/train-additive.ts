/**
 * Training the additive scorer on a feature table (GAMI-Net's first stage): every main term at
 * once, by Adam on the mean binary cross-entropy over shuffled mini-batches, with an L2 penalty.
 * Deterministic for a seed. Given validation rows, the epoch with the best validation log-loss
 * wins (early stopping, `patience` epochs without improvement end it); without them it runs
 * exactly `epochs` epochs (a refit with an epoch count chosen on validation).
 */
import { ADDITIVE_FORMAT, compile, scoreTable, sigmoid, subnet, type AdditiveModel, type Term } from './additive';
import { validationLoss, type Criterion } from './metrics';
import { shuffle } from './folds';
import { gaussian, prng } from './random';
import type { Table } from './table';
import { adamStep } from './adam';

export interface AdditiveOptions {
  /** hidden tanh units of each numeric subnetwork. @default 8 */
  hidden?: number;
  /** epochs at most (with validation) or exactly (without). @default 40 */
  epochs?: number;
  /** @default 256 */
  batch?: number;
  /** Adam step size. @default 0.01 */
  lr?: number;
  /** L2 penalty on every weight but the bias. @default 1e-4 */
  l2?: number;
  /** @default 1 */
  seed?: number;
  /** epochs without a better validation loss before stopping. @default 6 */
  patience?: number;
  /** what "better on validation" means: lower log-loss, or higher AUC (blind to a shifted base rate). @default 'logLoss' */
  criterion?: Criterion;
}

export interface MainsFit {
  model: AdditiveModel;
  /** epochs run to the kept parameters (1-based) */
  epochs: number;
  /** validation loss of the kept parameters (log-loss, or 1 − AUC; NaN without validation) */
  validLoss: number;
}

/** Fits the main terms on `train`; `valid` (same levels) drives early stopping. */
export function fitMains(train: Table, valid: Table | undefined, o: AdditiveOptions = {}): MainsFit {
  const { hidden: H = 8, epochs = 40, batch = 256, lr = 0.01, l2 = 1e-4, seed = 1, patience = 6, criterion = 'logLoss' } = o;
  const spec = train.spec;
  const nf = spec.features.length;
  const n = train.n;
  const random = prng(seed);

  // parameter layout: [bias | per feature: numeric → w1(H) b1(H) w2(H), categorical → one value per level]
  const offset = new Int32Array(nf);
  const isNum = spec.features.map((f) => f.type === 'numeric');
  let size = 1;
  for (let j = 0; j < nf; j++) {
    offset[j] = size;
    size += isNum[j] ? 3 * H : train.levels[j]!.length;
  }
  const theta = new Float64Array(size);
  const mu = new Float64Array(nf);
  const sd = new Float64Array(nf).fill(1);
  const lo = new Float64Array(nf);
  const hi = new Float64Array(nf);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += train.y[i]!;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / Math.max(1, n)));
  theta[0] = Math.log(rate / (1 - rate));
  for (let j = 0; j < nf; j++) {
    if (!isNum[j]) continue;
    const col = train.cols[j] as Float64Array;
    let s = 0, s2 = 0, c = 0, min = Infinity, max = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = col[i]!;
      if (Number.isNaN(x)) continue;
      s += x;
      s2 += x * x;
      c++;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    mu[j] = c ? s / c : 0;
    sd[j] = c ? Math.sqrt(Math.max(0, s2 / c - mu[j]! ** 2)) || 1 : 1;
    lo[j] = c ? min : 0;
    hi[j] = c ? max : 0;
    // hidden units spread over the input's range; small output weights so every shape starts flat
    const b = offset[j]!;
    for (let k = 0; k < H; k++) {
      theta[b + k] = gaussian(random) * 1.5;
      theta[b + H + k] = gaussian(random);
      theta[b + 2 * H + k] = gaussian(random) * 0.05;
    }
  }

  // standardised numeric inputs (NaN = missing), row-major for the inner loop
  const Z = new Float64Array(n * nf);
  const L = new Int32Array(n * nf);
  for (let j = 0; j < nf; j++) {
    const col = train.cols[j]!;
    for (let i = 0; i < n; i++) {
      if (isNum[j]) Z[i * nf + j] = (col[i]! - mu[j]!) / sd[j]!;
      else L[i * nf + j] = col[i]! >= 0 ? offset[j]! + col[i]! : -1;
    }
  }

  const hid = new Float64Array(nf * H);
  const forward = (i: number): number => {
    let s = theta[0]!;
    const r = i * nf;
    for (let j = 0; j < nf; j++) {
      if (isNum[j]) {
        const z = Z[r + j]!;
        if (Number.isNaN(z)) continue;
        const b = offset[j]!;
        for (let k = 0; k < H; k++) {
          const t = Math.tanh(theta[b + k]! * z + theta[b + H + k]!);
          hid[j * H + k] = t;
          s += theta[b + 2 * H + k]! * t;
        }
      } else {
        const l = L[r + j]!;
        if (l >= 0) s += theta[l]!;
      }
    }
    return s;
  };

  const snapshot = (): AdditiveModel => toModel(train, theta, offset, isNum, H, mu, sd, lo, hi);
  const grad = new Float64Array(size);
  const m1 = new Float64Array(size);
  const m2 = new Float64Array(size);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let step = 0;
  let best: MainsFit = { model: snapshot(), epochs: 0, validLoss: Infinity };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    shuffle(order, random);
    for (let start = 0; start < n; start += batch) {
      grad.fill(0);
      const end = Math.min(n, start + batch);
      const inv = 1 / (end - start);
      for (let q = start; q < end; q++) {
        const i = order[q]!;
        const g = (sigmoid(forward(i)) - train.y[i]!) * inv;
        grad[0]! += g;
        const r = i * nf;
        for (let j = 0; j < nf; j++) {
          if (isNum[j]) {
            const z = Z[r + j]!;
            if (Number.isNaN(z)) continue;
            const b = offset[j]!;
            for (let k = 0; k < H; k++) {
              const t = hid[j * H + k]!;
              const d = g * theta[b + 2 * H + k]! * (1 - t * t);
              grad[b + k]! += d * z;
              grad[b + H + k]! += d;
              grad[b + 2 * H + k]! += g * t;
            }
          } else {
            const l = L[r + j]!;
            if (l >= 0) grad[l]! += g;
          }
        }
      }
      step++;
      adamStep(theta, grad, m1, m2, step, lr, l2);
    }
    if (!valid) continue;
    const model = snapshot();
    const loss = validationLoss(criterion, probabilities(model, valid), valid.y);
    if (loss < best.validLoss) best = { model, epochs: epoch, validLoss: loss };
    else if (epoch - best.epochs >= patience) break;
  }
  return valid ? best : { model: snapshot(), epochs, validLoss: NaN };
}

export function probabilities(model: AdditiveModel, t: Table): Float64Array {
  const z = scoreTable(compile(model), t);
  for (let i = 0; i < z.length; i++) z[i] = sigmoid(z[i]!);
  return z;
}

/** Builds the model file from the parameter vector: every term centred on the training rows, the bias refitted. */
function toModel(
  train: Table, theta: Float64Array, offset: Int32Array, isNum: boolean[], H: number,
  mu: Float64Array, sd: Float64Array, lo: Float64Array, hi: Float64Array,
): AdditiveModel {
  const spec = train.spec;
  const terms: Term[] = spec.features.map((f, j) => {
    const b = offset[j]!;
    if (isNum[j]) {
      return {
        kind: 'numeric', feature: f.name, mu: mu[j]!, sd: sd[j]!, lo: lo[j]!, hi: hi[j]!, center: 0,
        w1: Array.from(theta.subarray(b, b + H)), b1: Array.from(theta.subarray(b + H, b + 2 * H)), w2: Array.from(theta.subarray(b + 2 * H, b + 3 * H)),
      };
    }
    return { kind: 'categorical', feature: f.name, values: Array.from(theta.subarray(b, b + train.levels[j]!.length)) };
  });
  const model: AdditiveModel = { format: ADDITIVE_FORMAT, spec, levels: train.levels.map((l) => l ?? null), hidden: H, bias: theta[0]!, terms };
  return refitBias(centre(model, train), train);
}

/**
 * Makes each main term's mean over the rows where its feature is present 0; with the bias refitted
 * afterwards, the model's predictions keep their quality and c_j reads "against a typical row".
 */
export function centre(model: AdditiveModel, t: Table): AdditiveModel {
  const terms = model.terms.map((term, j): Term => {
    if (term.kind === 'pair') return term;
    const col = t.cols[j]!;
    let s = 0;
    let c = 0;
    for (let i = 0; i < t.n; i++) {
      const x = col[i]!;
      if (term.kind === 'numeric') {
        if (Number.isNaN(x)) continue;
        const v = x < term.lo ? term.lo : x > term.hi ? term.hi : x;
        s += subnet(term, v);
      } else {
        if (x < 0) continue;
        s += term.values[x]!;
      }
      c++;
    }
    const mean = c ? s / c : 0;
    return term.kind === 'numeric' ? { ...term, center: mean } : { ...term, values: term.values.map((v) => v - mean) };
  });
  return { ...model, terms };
}

/** The bias that maximises the likelihood of `t` given every other term (Newton steps). */
export function refitBias(model: AdditiveModel, t: Table): AdditiveModel {
  const rest = scoreTable(compile({ ...model, bias: 0 }), t);
  let bias = model.bias;
  for (let it = 0; it < 30; it++) {
    let g = 0;
    let h = 0;
    for (let i = 0; i < t.n; i++) {
      const p = sigmoid(bias + rest[i]!);
      g += p - t.y[i]!;
      h += p * (1 - p);
    }
    if (h < 1e-9) break;
    const d = g / h;
    bias -= d;
    if (Math.abs(d) < 1e-10) break;
  }
  return { ...model, bias };
}

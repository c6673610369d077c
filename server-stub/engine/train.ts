/**
 * Training the additive model on the logged decisions. An example is a served item that was seen
 * (an `impression` event with its decisionId and itemId) or clicked; it is positive when a `click`
 * carries the same decisionId and itemId. Features are the ones logged when the item was scored,
 * so training sees exactly what serving saw.
 *
 * The newest 20 % of examples are held out; the model is compared there with the popularity
 * baseline (each item's smoothed click rate on the training part), by AUC.
 */
import { auc } from '../models/metrics';
import type { Db } from '../store/db';
import { CATEGORICAL, deserialize, NUMERIC, type Vector } from './features';
import { HIDDEN, MODEL_FORMAT, newVersion, recenter, sigmoid, compile, contributions, type Metrics, type ModelFile } from './model';
import { gaussian, prng } from './random';
import { adamStep } from '../models/adam';

export interface Example {
  v: Vector;
  y: number;
  itemId: string;
}

/** Examples in log order (oldest first), at most the newest `maxRows` served items. */
export function loadExamples(db: Db, { app, maxRows = 500_000 }: { app?: string; maxRows?: number } = {}): Example[] {
  const rows = db
    .prepare(
      `SELECT d.item_id AS itemId, d.features AS features,
         EXISTS (SELECT 1 FROM events e WHERE e.decision_id = d.decision_id AND e.item_id = d.item_id AND e.app_key = d.app_key AND e.type = 'click') AS clicked,
         EXISTS (SELECT 1 FROM events e WHERE e.decision_id = d.decision_id AND e.item_id = d.item_id AND e.app_key = d.app_key AND e.type = 'impression') AS seen
       FROM engine_decision_items d
       WHERE (@app IS NULL OR d.app_key = @app)
       ORDER BY d.decision_row DESC, d.position DESC LIMIT @limit`,
    )
      .all({ app: app ?? null, limit: maxRows }) as { itemId: string; features: string; clicked: number; seen: number }[];
  const out: Example[] = [];
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i]!;
    if (!r.seen && !r.clicked) continue;
    try {
      out.push({ v: deserialize(r.features), y: r.clicked ? 1 : 0, itemId: r.itemId });
    } catch {
      // a damaged row is skipped; the log is not the place to stop training
    }
  }
  return out;
}

/** Area under the ROC curve (ties count half): the one implementation, in server-stub/models/metrics.ts. */
export { auc };

/** Each item's click rate on `train`, shrunk towards the overall rate. */
export function popularityBaseline(train: Example[], strength = 20): (e: Example) => number {
  const stats = new Map<string, [number, number]>();
  let clicks = 0;
  for (const e of train) {
    const s = stats.get(e.itemId) ?? [0, 0];
    s[0] += e.y;
    s[1] += 1;
    stats.set(e.itemId, s);
    clicks += e.y;
  }
  const mean = train.length ? clicks / train.length : 0;
  return (e) => {
    const s = stats.get(e.itemId);
    return s ? (s[0] + strength * mean) / (s[1] + strength) : mean;
  };
}

export interface FitOptions {
  epochs?: number;
  batch?: number;
  lr?: number;
  l2?: number;
  seed?: number;
  /** levels seen fewer times are left out (they contribute 0) */
  minCount?: number;
}

/** Fits the additive model with Adam on binary cross-entropy; the best epoch on a validation tail wins. */
export function fit(examples: Example[], o: FitOptions = {}): ModelFile {
  const { epochs = 25, batch = 128, lr = 0.01, l2 = 1e-4, seed = 1, minCount = 5 } = o;
  const H = HIDDEN;
  const nn = NUMERIC.length;
  const nc = CATEGORICAL.length;
  const random = prng(seed);
  const cut = Math.floor(examples.length * 0.9);
  const train = examples.slice(0, cut);
  const valid = examples.slice(cut);

  // standardisation and levels from the training part
  const mu = new Float64Array(nn);
  const sd = new Float64Array(nn).fill(1);
  const present = new Float64Array(nn);
  for (let j = 0; j < nn; j++) {
    let s = 0, s2 = 0, c = 0;
    for (const e of train) {
      const x = e.v.num[j]!;
      if (Number.isNaN(x)) continue;
      s += x;
      s2 += x * x;
      c++;
    }
    present[j] = c;
    if (c) {
      mu[j] = s / c;
      sd[j] = Math.sqrt(Math.max(0, s2 / c - mu[j]! ** 2)) || 1;
    }
  }
  const levelIndex: Map<string, number>[] = [];
  let size = 1 + nn * 3 * H;
  for (let j = 0; j < nc; j++) {
    const counts = new Map<string, number>();
    for (const e of train) if (e.v.cat[j]) counts.set(e.v.cat[j]!, (counts.get(e.v.cat[j]!) ?? 0) + 1);
    const m = new Map<string, number>();
    for (const [level, count] of counts) if (count >= minCount) m.set(level, size++);
    levelIndex.push(m);
  }
  const base = (j: number) => 1 + j * 3 * H;

  // examples as dense arrays: standardised numerics (NaN = absent) and level slots (-1 = none)
  const encode = (set: Example[]) => ({
    z: set.map((e) => Float64Array.from({ length: nn }, (_, j) => (e.v.num[j]! - mu[j]!) / sd[j]!)),
    l: set.map((e) => Int32Array.from({ length: nc }, (_, j) => levelIndex[j]!.get(e.v.cat[j]!) ?? -1)),
    y: set.map((e) => e.y),
  });
  const T = encode(train);
  const V = encode(valid);

  const theta = new Float64Array(size);
  const mean = train.reduce((s, e) => s + e.y, 0) / Math.max(1, train.length);
  theta[0] = Math.log((mean + 1e-3) / (1 - mean + 1e-3));
  for (let j = 0; j < nn; j++) {
    for (let k = 0; k < H; k++) {
      theta[base(j) + k] = gaussian(random);
      theta[base(j) + H + k] = 0.5 * gaussian(random);
      theta[base(j) + 2 * H + k] = 0.05 * gaussian(random);
    }
  }
  const numCenter = new Float64Array(nn);
  const catCenter = new Float64Array(nc);
  const h = new Float64Array(nn * H);

  const raw = (j: number, z: number) => {
    let s = 0;
    const b = base(j);
    for (let k = 0; k < H; k++) s += theta[b + 2 * H + k]! * Math.tanh(theta[b + k]! * z + theta[b + H + k]!);
    return s;
  };
  const forward = (z: Float64Array, l: Int32Array, keep: boolean) => {
    let logit = theta[0]!;
    for (let j = 0; j < nn; j++) {
      const x = z[j]!;
      if (Number.isNaN(x)) continue;
      const b = base(j);
      let s = 0;
      for (let k = 0; k < H; k++) {
        const t = Math.tanh(theta[b + k]! * x + theta[b + H + k]!);
        if (keep) h[j * H + k] = t;
        s += theta[b + 2 * H + k]! * t;
      }
      logit += s - numCenter[j]!;
    }
    for (let j = 0; j < nc; j++) if (l[j]! >= 0) logit += theta[l[j]!]! - catCenter[j]!;
    return logit;
  };
  /** centres over (a sample of) the training part; the bias absorbs the shift */
  const recentre = () => {
    const step = Math.max(1, Math.floor(train.length / 5000));
    for (let j = 0; j < nn; j++) {
      let s = 0, c = 0;
      for (let i = 0; i < train.length; i += step) {
        const x = T.z[i]![j]!;
        if (Number.isNaN(x)) continue;
        s += raw(j, x);
        c++;
      }
      const next = c ? s / c : 0;
      theta[0]! += (next - numCenter[j]!) * (present[j]! / Math.max(1, train.length));
      numCenter[j] = next;
    }
    for (let j = 0; j < nc; j++) {
      let s = 0, c = 0;
      for (let i = 0; i < train.length; i += step) {
        const slot = T.l[i]![j]!;
        if (slot < 0) continue;
        s += theta[slot]!;
        c++;
      }
      catCenter[j] = c ? s / c : 0;
    }
  };
  const logLoss = (S: typeof V) => {
    let loss = 0;
    for (let i = 0; i < S.y.length; i++) {
      const p = Math.min(1 - 1e-7, Math.max(1e-7, sigmoid(forward(S.z[i]!, S.l[i]!, false))));
      loss -= S.y[i]! ? Math.log(p) : Math.log(1 - p);
    }
    return loss / Math.max(1, S.y.length);
  };

  const grad = new Float64Array(size);
  const m1 = new Float64Array(size);
  const m2 = new Float64Array(size);
  let step = 0;
  let best = { loss: Infinity, theta: theta.slice(), num: numCenter.slice(), cat: catCenter.slice() };
  const order = Array.from({ length: train.length }, (_, i) => i);
  recentre();
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < order.length; start += batch) {
      grad.fill(0);
      const end = Math.min(order.length, start + batch);
      for (let b = start; b < end; b++) {
        const i = order[b]!;
        const z = T.z[i]!;
        const l = T.l[i]!;
        const g = (sigmoid(forward(z, l, true)) - T.y[i]!) / (end - start);
        grad[0]! += g;
        for (let j = 0; j < nn; j++) {
          const x = z[j]!;
          if (Number.isNaN(x)) continue;
          const o2 = base(j);
          for (let k = 0; k < H; k++) {
            const t = h[j * H + k]!;
            const w2 = theta[o2 + 2 * H + k]!;
            const d = g * w2 * (1 - t * t);
            grad[o2 + k]! += d * x;
            grad[o2 + H + k]! += d;
            grad[o2 + 2 * H + k]! += g * t;
          }
        }
        for (let j = 0; j < nc; j++) if (l[j]! >= 0) grad[l[j]!]! += g;
      }
      step++;
      adamStep(theta, grad, m1, m2, step, lr, l2);
    }
    recentre();
    const loss = valid.length ? logLoss(V) : logLoss(T);
    if (loss < best.loss) best = { loss, theta: theta.slice(), num: numCenter.slice(), cat: catCenter.slice() };
  }
  theta.set(best.theta);
  numCenter.set(best.num);
  catCenter.set(best.cat);

  const numeric: ModelFile['numeric'] = {};
  NUMERIC.forEach((name, j) => {
    if (!present[j]) return;
    const b = base(j);
    numeric[name] = { mu: mu[j]!, sd: sd[j]!, w1: [...theta.subarray(b, b + H)], b1: [...theta.subarray(b + H, b + 2 * H)], w2: [...theta.subarray(b + 2 * H, b + 3 * H)], center: 0 };
  });
  const categorical: ModelFile['categorical'] = {};
  CATEGORICAL.forEach((name, j) => {
    const values: Record<string, number> = {};
    for (const [level, slot] of levelIndex[j]!) values[level] = theta[slot]!;
    if (Object.keys(values).length) categorical[name] = { values, center: 0 };
  });
  const file = recenter({ format: MODEL_FORMAT, version: 'unsaved', createdAt: 0, hidden: H, bias: 0, numeric, categorical }, train.map((e) => e.v));
  return { ...file, bias: refitBias(file, train) };
}

/** The bias that makes the centred model's log-likelihood on `set` best (Newton steps). */
function refitBias(file: ModelFile, set: Example[]): number {
  const m = compile(file);
  const rest = set.map((e) => contributions(m, e.v) - m.bias);
  let bias = 0;
  for (let it = 0; it < 25; it++) {
    let g = 0, hess = 0;
    for (let i = 0; i < set.length; i++) {
      const p = sigmoid(bias + rest[i]!);
      g += p - set[i]!.y;
      hess += p * (1 - p);
    }
    if (hess < 1e-9) break;
    bias -= g / hess;
    if (Math.abs(g / hess) < 1e-9) break;
  }
  return bias;
}

export interface TrainResult {
  file: ModelFile;
  metrics: Metrics;
  /** mean |contribution| per feature on the held-out part, largest first */
  importance: { feature: string; meanAbs: number }[];
}

export interface TrainOptions extends FitOptions {
  db: Db;
  app?: string;
  maxRows?: number;
  now?: number;
  /** fewer examples, clicks or non-clicks than this refuse to train. @default 10 */
  minClass?: number;
}

export function trainModel(o: TrainOptions): TrainResult {
  const examples = loadExamples(o.db, { app: o.app, maxRows: o.maxRows });
  const positives = examples.reduce((s, e) => s + e.y, 0);
  const minClass = o.minClass ?? 10;
  if (examples.length < 10 * minClass || positives < minClass || examples.length - positives < minClass) {
    throw new Error(
      `not enough logged impressions to train: ${examples.length} examples, ${positives} clicks ` +
        `(need ≥ ${10 * minClass} examples with ≥ ${minClass} clicks and ≥ ${minClass} non-clicks)`,
    );
  }
  const cut = Math.floor(examples.length * 0.8);
  const train = examples.slice(0, cut);
  const test = examples.slice(cut);
  const fitted = fit(train, o);
  const m = compile(fitted);
  const width = NUMERIC.length + CATEGORICAL.length;
  const out = new Float64Array(width);
  const sums = new Float64Array(width);
  const scores = test.map((e) => {
    const logit = contributions(m, e.v, out);
    for (let j = 0; j < width; j++) sums[j]! += Math.abs(out[j]!);
    return logit;
  });
  const labels = test.map((e) => e.y);
  const baseline = popularityBaseline(train);
  const metrics: Metrics = {
    rows: examples.length,
    positives,
    heldOut: test.length,
    auc: auc(scores, labels),
    baselineAuc: auc(test.map(baseline), labels),
  };
  const now = o.now ?? Date.now();
  const importance = [...NUMERIC, ...CATEGORICAL]
    .map((feature, j) => ({ feature, meanAbs: sums[j]! / Math.max(1, test.length) }))
    .sort((a, b) => b.meanAbs - a.meanAbs);
  return { file: { ...fitted, version: newVersion(now), createdAt: now, metrics }, metrics, importance };
}

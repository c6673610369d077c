// Synthetic tables with a planted truth, for the model tests (not a test file itself).
import { prng, gaussian } from '../../server-stub/models/random';
import type { ModelSpec } from '../../server-stub/models/spec';
import type { Table } from '../../server-stub/models/table';

export const LEVELS = ['a', 'b', 'c', 'd'];
export const CAT_EFFECT = [-1, 0, 0.5, 1.2];
/** f1(x) = 1.5·sin(x) on x ~ U(−3, 3); f2(x) = −0.8·x on x ~ N(0, 1); x3 is noise */
export const f1 = (x: number) => 1.5 * Math.sin(x);
export const f2 = (x: number) => -0.8 * x;

export function plantedSpec(): ModelSpec {
  return {
    target: { name: 'y', column: 'y', positive: ['1'] },
    features: [
      { name: 'x1', type: 'numeric' },
      { name: 'x2', type: 'numeric' },
      { name: 'x3', type: 'numeric' },
      { name: 'level', type: 'categorical', levels: LEVELS },
    ],
    mustNotUse: [],
  };
}

/** y ~ Bernoulli(σ(−1 + f1(x1) + f2(x2) + effect(level) [+ xor term])); 5 % of x2 missing. */
export function planted(n: number, seed: number, o: { xor?: number } = {}): Table {
  const r = prng(seed);
  const x1 = new Float64Array(n), x2 = new Float64Array(n), x3 = new Float64Array(n);
  const level = new Int32Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = r() * 6 - 3;
    x2[i] = r() < 0.05 ? NaN : gaussian(r);
    x3[i] = gaussian(r);
    level[i] = Math.floor(r() * 4);
    let z = -1 + f1(x1[i]!) + (Number.isNaN(x2[i]!) ? 0 : f2(x2[i]!)) + CAT_EFFECT[level[i]!]!;
    if (o.xor) z += o.xor * (x1[i]! > 0 === x3[i]! > 0 ? 1 : -1);
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { spec: plantedSpec(), n, y, cols: [x1, x2, x3, level], levels: [undefined, undefined, undefined, LEVELS] };
}

export function correlation(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

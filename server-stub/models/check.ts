/**
 * Checks a model read from outside (a registry file, a `--model file.json`): the format, the spec,
 * and that every term fits it — so a damaged or hand-edited file fails here, naming what is wrong,
 * not later as NaN scores.
 */
import { ADDITIVE_FORMAT, type AdditiveModel } from './additive';
import { referenceProblem } from './reference';
import { parseSpec } from './spec';

const finite = (xs: unknown, n: number) => Array.isArray(xs) && xs.length === n && xs.every((x) => typeof x === 'number' && Number.isFinite(x));

export function checkModel(value: unknown): AdditiveModel {
  const m = value as AdditiveModel;
  const fail = (what: string): never => {
    throw new Error(`not a usable model: ${what}`);
  };
  if (!m || typeof m !== 'object' || m.format !== ADDITIVE_FORMAT) fail(`format is not "${ADDITIVE_FORMAT}"`);
  const spec = parseSpec(m.spec);
  const nf = spec.features.length;
  if (!Number.isInteger(m.hidden) || m.hidden < 1 || m.hidden > 64) fail('hidden must be 1–64');
  if (typeof m.bias !== 'number' || !Number.isFinite(m.bias)) fail('bias is not a finite number');
  if (!Array.isArray(m.levels) || m.levels.length !== nf) fail(`levels: expected one entry per feature (${nf})`);
  if (!Array.isArray(m.terms) || m.terms.length < nf) fail(`terms: expected at least one per feature (${nf})`);
  spec.features.forEach((f, j) => {
    const t = m.terms[j]!;
    if (f.type === 'numeric') {
      if (t.kind !== 'numeric' || t.feature !== f.name) fail(`terms[${j}]: expected the numeric term of "${f.name}"`);
      const n = t as Extract<typeof t, { kind: 'numeric' }>;
      if (!finite(n.w1, m.hidden) || !finite(n.b1, m.hidden) || !finite(n.w2, m.hidden)) fail(`terms[${j}]: w1, b1, w2 need ${m.hidden} finite numbers`);
      if (!finite([n.mu, n.sd, n.center, n.lo, n.hi], 5) || !(n.sd > 0) || n.lo > n.hi) fail(`terms[${j}]: mu, sd > 0, center, lo ≤ hi`);
    } else {
      const levels = m.levels[j];
      if (!Array.isArray(levels) || !levels.every((l) => typeof l === 'string')) fail(`levels[${j}]: expected the levels of "${f.name}"`);
      if (t.kind !== 'categorical' || t.feature !== f.name || !finite(t.values, levels!.length)) fail(`terms[${j}]: expected one value per level of "${f.name}"`);
    }
  });
  const names = spec.features.map((f) => f.name);
  m.terms.slice(nf).forEach((t, q) => {
    if (t.kind !== 'pair' || !t.features.every((f) => names.includes(f))) fail(`terms[${nf + q}]: expected a pair of known features`);
    const p = t as Extract<typeof t, { kind: 'pair' }>;
    if (!finite(p.table, p.sizes[0] * p.sizes[1])) fail(`terms[${nf + q}]: table needs ${p.sizes[0]}×${p.sizes[1]} finite numbers`);
  });
  if (m.reference !== undefined) {
    const problem = referenceProblem(m.reference);
    if (problem) fail(problem);
  }
  return m;
}

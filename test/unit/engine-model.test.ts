// @vitest-environment node
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../server-stub/engine';
import { generateCatalog } from '../../server-stub/engine/catalog';
import { CATEGORICAL, featurize, NUMERIC, signalsOf, type Vector } from '../../server-stub/engine/features';
import { buildIndexes } from '../../server-stub/engine/indexes';
import {
  compile, contributions, defaultModel, loadNewestModel, newVersion, numericContribution, parseModel, rawNumeric, recenter, saveModel, type ModelFile,
} from '../../server-stub/engine/model';
import { newProfile } from '../../server-stub/engine/profile';
import { migrateEngine } from '../../server-stub/engine/schema';
import { createStats } from '../../server-stub/engine/stats';
import { prng } from '../../server-stub/engine/random';
import { T0 } from './engine-fixtures';

const items = generateCatalog({ size: 500, now: T0 });
const index = buildIndexes(items, T0);
const db = new Database(':memory:');
migrateEngine(db);
const stats = createStats(db, index, 'demo');
const signals = signalsOf(newProfile(T0), { now: T0, byId: index.byId, stats, segment: 'active' });
const sample: Vector[] = items.map((item, i) => featurize({ now: T0, page: i % 2 ? 'home' : 'wealth', stats, signals }, item, 'feed'));
const numeric = (name: string) => NUMERIC.indexOf(name as (typeof NUMERIC)[number]);

describe('additive model', () => {
  const file = recenter(defaultModel(), sample);
  const m = compile(file);
  const out = new Float64Array(NUMERIC.length + CATEGORICAL.length);

  it('is a sum: the logit is the bias plus every contribution', () => {
    for (const v of sample.slice(0, 50)) {
      const logit = contributions(m, v, out);
      expect(logit).toBeCloseTo(m.bias + out.reduce((s, c) => s + c, 0), 10);
    }
  });

  it('centres each feature on the reference sample, so contributions average zero there', () => {
    const sums = new Float64Array(out.length);
    const counts = new Float64Array(out.length);
    for (const v of sample) {
      contributions(m, v, out);
      out.forEach((c, j) => {
        const present = j < NUMERIC.length ? !Number.isNaN(v.num[j]!) : Boolean(v.cat[j - NUMERIC.length]) && file.categorical[CATEGORICAL[j - NUMERIC.length]!]!.values[v.cat[j - NUMERIC.length]!] !== undefined;
        if (present) {
          sums[j]! += c;
          counts[j]! += 1;
        }
      });
    }
    for (let j = 0; j < out.length; j++) if (counts[j]) expect(Math.abs(sums[j]! / counts[j]!)).toBeLessThan(1e-6);
  });

  it('gives absent features no say: personalisation off and unknown levels contribute 0', () => {
    const v: Vector = { num: new Array(NUMERIC.length).fill(NaN), cat: ['fund', 'never-seen-level', '', '', ''] };
    contributions(m, v, out);
    for (let j = 0; j < out.length; j++) if (j !== NUMERIC.length) expect(out[j]).toBe(0);
  });

  it('has sensible cold-start shapes: interest helps, fatigue hurts, a user with no history adds nothing', () => {
    const at = (name: string, x: number) => numericContribution(m.num[numeric(name)]!, x);
    expect(at('category_affinity', 2)).toBeGreaterThan(at('category_affinity', 0.5));
    expect(at('category_affinity', 0)).toBeCloseTo(0, 9);
    expect(at('fatigue', 3)).toBeLessThan(at('fatigue', 0));
    expect(at('popularity', 3)).toBeGreaterThan(at('popularity', 0.5));
  });

  it('scores through a table that matches the network', () => {
    const random = prng(3);
    const trained: ModelFile = { ...file, numeric: Object.fromEntries(Object.entries(file.numeric).map(([k, p]) => [k, { ...p, w1: p.w1.map(() => random() * 4 - 2), b1: p.b1.map(() => random() - 0.5), w2: p.w2.map(() => random() - 0.5) }])) };
    const t = compile(trained);
    for (const [j, name] of NUMERIC.entries()) {
      const p = trained.numeric[name]!;
      for (let k = 0; k < 200; k++) {
        const x = p.mu + (random() * 24 - 12) * p.sd;
        expect(numericContribution(t.num[j]!, x)).toBeCloseTo(rawNumeric(p, x) - p.center, 4);
      }
    }
  });
});

describe('model files', () => {
  it('round-trip through save and parse; the newest valid file wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slotwise-models-'));
    const logs: string[] = [];
    expect(loadNewestModel(dir, (m) => logs.push(m))).toBeUndefined();
    const older = { ...defaultModel(), version: newVersion(T0) };
    const newer = { ...defaultModel(), version: newVersion(T0 + 1000), bias: -2 };
    saveModel(dir, older);
    const path = saveModel(dir, newer);
    expect(parseModel(readFileSync(path, 'utf8'))).toEqual(newer);
    expect(loadNewestModel(dir)!.version).toBe(newer.version);
    // a damaged newest file is reported and skipped
    writeFileSync(join(dir, `model-${newVersion(T0 + 2000)}.json`), '{"format":"slotwise-gam/1"');
    writeFileSync(join(dir, 'model-zzz.json'), JSON.stringify({ ...newer, version: 'zzz', hidden: 4 }));
    expect(loadNewestModel(dir, (m) => logs.push(m))!.version).toBe(newer.version);
    expect(logs[0]).toMatch(/^model model-zzz\.json skipped: numeric\.popularity: expected 4 hidden units/);
    expect(logs[1]).toMatch(/^model model-20250314T100002000Z\.json skipped: /);
  });

  it('are validated field by field', () => {
    const good = defaultModel();
    expect(() => parseModel(JSON.stringify({ ...good, format: 'other' }))).toThrow(/^format: /);
    expect(() => parseModel(JSON.stringify({ ...good, bias: 'x' }))).toThrow(/^bias: /);
    expect(() => parseModel(JSON.stringify({ ...good, numeric: { popularity: { ...good.numeric.popularity, sd: 0 } } }))).toThrow(/^numeric\.popularity\.sd: /);
  });

  it('the engine loads the newest at start and on reloadModel', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slotwise-models-'));
    const engine = createEngine({ db: new Database(':memory:'), modelDir: dir, now: () => T0 });
    expect(engine.modelVersion).toBe('default');
    saveModel(dir, { ...defaultModel(), version: newVersion(T0) });
    expect(engine.reloadModel()).toBe('20250314T100000000Z');
    expect(createEngine({ db: new Database(':memory:'), modelDir: dir, now: () => T0 }).modelVersion).toBe('20250314T100000000Z');
  });
});

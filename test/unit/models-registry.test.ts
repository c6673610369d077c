import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, fingerprint } from '../../server-stub/models/registry';
import { fitMains } from '../../server-stub/models/train-additive';
import { planted } from './models-synthetic';

describe('model registry', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const model = fitMains(planted(500, 1), undefined, { epochs: 1 }).model;

  it('stores target, spec, fingerprint, metrics and creator; marks live; rolls back to any earlier model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-registry-'));
    dirs.push(dir);
    let t = Date.parse('2026-01-01T00:00:00Z');
    const registry = createRegistry({ dir, now: () => new Date((t += 1000)) });
    const fp = fingerprint('a,b\n1,2\n', 1);
    const a = registry.register({ model, metrics: { auc: 0.7 }, creator: 'ana', fingerprint: fp });
    const b = registry.register({ model, metrics: { auc: 0.8 }, creator: 'bo', fingerprint: fingerprint('other', 2) });
    const c = registry.register({ model, metrics: { auc: 0.9 }, creator: 'cy', fingerprint: fp });
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(registry.get(a.id)).toMatchObject({ target: 'y', creator: 'ana', metrics: { auc: 0.7 }, fingerprint: fp, model: { spec: model.spec } });
    expect(fp.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(registry.live('y')).toBeUndefined();
    expect(() => registry.rollback('y', 'ana')).toThrow(/no live model/);

    registry.markLive(a.id, 'ana');
    registry.markLive(b.id, 'bo');
    registry.markLive(c.id, 'cy');
    expect(registry.live('y')!.id).toBe(c.id);
    expect(registry.list().map((e) => [e.id, e.live])).toEqual([[a.id, false], [b.id, false], [c.id, true]]);
    registry.rollback('y', 'ana');
    expect(registry.live('y')!.id).toBe(b.id);
    registry.rollback('y', 'ana', a.id);
    expect(registry.live('y')!.id).toBe(a.id);
    expect(registry.history().map((h) => [h.action, h.id, h.by])).toEqual([
      ['live', a.id, 'ana'], ['live', b.id, 'bo'], ['live', c.id, 'cy'], ['rollback', b.id, 'ana'], ['rollback', a.id, 'ana'],
    ]);
    // a second registry over the same folder sees the same state
    expect(createRegistry({ dir }).live('y')!.id).toBe(a.id);
    expect(() => registry.get('../etc/passwd')).toThrow(/not a model id/);
    expect(() => registry.markLive('nope', 'x')).toThrow(/no model "nope"/);
  });
});

describe('a model read from outside is checked', () => {
  it('accepts a trained model and names what is wrong in a damaged one', async () => {
    const { checkModel } = await import('../../server-stub/models/check');
    const model = fitMains(planted(500, 1), undefined, { epochs: 1 }).model;
    const copy = () => JSON.parse(JSON.stringify(model));
    expect(checkModel(copy())).toEqual(model);
    expect(() => checkModel({ ...copy(), format: 'x' })).toThrow(/format/);
    const a = copy();
    a.terms[0].w1.pop();
    expect(() => checkModel(a)).toThrow(/terms\[0\]: w1, b1, w2 need 8 finite numbers/);
    const b = copy();
    b.terms[3].values = [1];
    expect(() => checkModel(b)).toThrow(/terms\[3\]: expected one value per level of "level"/);
    const c = copy();
    c.terms[1].sd = 0;
    expect(() => checkModel(c)).toThrow(/sd > 0/);
    expect(() => checkModel({ ...copy(), spec: { ...model.spec, features: [] } })).toThrow(/spec: features/);
  });
});

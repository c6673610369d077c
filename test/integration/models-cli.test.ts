// The model CLIs end to end, as a user runs them: train on a CSV into a registry, mark live,
// score a file by the live model (bad rows reported by line), roll back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prng } from '../../server-stub/models/random';

const dir = mkdtempSync(join(tmpdir(), 'sw-models-cli-'));
const registry = join(dir, 'registry');
const cli = (...args: string[]) => spawnSync(process.execPath, ['scripts/models.mjs', ...args], { encoding: 'utf8', timeout: 180_000 });

describe('model CLIs', { timeout: 240_000 }, () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const r = prng(5);
  const rows = Array.from({ length: 3000 }, (_, i) => {
    const spend = Math.round(r() * 1000);
    const plan = ['basic', 'plus', 'gold'][i % 3]!;
    const z = -2 + spend / 400 + (plan === 'gold' ? 1 : 0);
    return `c${i},${spend},${plan},${Math.round(r() * 100)},${r() < 1 / (1 + Math.exp(-z)) ? 'yes' : 'no'}`;
  });
  writeFileSync(join(dir, 'train.csv'), `id,spend,plan,after_call,bought\n${rows.join('\n')}\n`);

  it('infers a spec, trains twice, marks live, scores by the live model, rolls back', () => {
    const spec = cli('models', 'spec', '--in', join(dir, 'train.csv'), '--target', 'bought', '--positive', 'yes', '--exclude', 'id');
    expect(spec.status, spec.stderr).toBe(0);
    const parsed = JSON.parse(spec.stdout);
    parsed.mustNotUse = [{ column: 'after_call', why: 'recorded after the call' }];
    parsed.features = parsed.features.filter((f: { name: string }) => f.name !== 'after_call');
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(parsed));
    const leaky = { ...parsed, features: [...parsed.features, { name: 'after_call', type: 'numeric' }] };
    writeFileSync(join(dir, 'leaky.json'), JSON.stringify(leaky));
    const refused = cli('models', 'train', '--in', join(dir, 'train.csv'), '--spec', join(dir, 'leaky.json'), '--registry', registry);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/"after_call" must not be a model input: recorded after the call/);

    const ids = [1, 2].map(() => {
      const t = cli('models', 'train', '--in', join(dir, 'train.csv'), '--spec', join(dir, 'spec.json'), '--registry', registry, '--creator', 'ana');
      expect(t.status, t.stderr).toBe(0);
      return t.stdout.match(/registered (\S+):/)![1]!;
    });
    expect(cli('models', 'live', ids[0]!, '--registry', registry, '--by', 'ana').stdout).toContain(`${ids[0]} is live for bought`);
    expect(cli('models', 'live', ids[1]!, '--registry', registry, '--by', 'bo').status).toBe(0);
    expect(cli('models', 'list', '--registry', registry).stdout).toMatch(new RegExp(`\\* ${ids[1]}`));

    writeFileSync(join(dir, 'in.csv'), 'id,spend,plan\nk1,900,gold\nk2,abc,gold\nk3,10,basic\n');
    const scored = cli('score', '--model', 'live:bought', '--in', join(dir, 'in.csv'), '--out', join(dir, 'out.csv'), '--registry', registry);
    expect(scored.status, scored.stderr).toBe(0);
    expect(scored.stderr).toContain('line 3 skipped: spend: "abc" is not a number');
    expect(scored.stderr).toContain('2 rows scored, 1 bad rows skipped');
    const out = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n');
    expect(out[0]).toBe('id,spend,plan,score,reason_1,reason_2,reason_3');
    const [k1, k3] = [out[1]!.split(','), out[2]!.split(',')];
    expect(Number(k1[3])).toBeGreaterThan(Number(k3[3]));
    expect(k1.slice(4)).toContain('spend is 900');

    const back = cli('models', 'rollback', 'bought', '--registry', registry, '--by', 'cy');
    expect(back.stdout).toContain(`rolled back: ${ids[0]} is live for bought`);
    expect(cli('models', 'history', 'bought', '--registry', registry).stdout.trim().split('\n')).toHaveLength(3);
  });
});

// The additive scorer on the real Bank Marketing rows (all 45,211): the learned shapes are
// sensible. Signs and orderings are asserted, never exact values.
import { describe, expect, it } from 'vitest';
import { BANK_FILE, readCsvFile } from '../../server-stub/models/data';
import { train, type Fitted } from '../../server-stub/models/evaluate';
import { additiveShapes } from '../../server-stub/models/shapes';
import { bankSpec } from '../../server-stub/models/spec';
import { loadTable } from '../../server-stub/models/table';

describe('the additive scorer on Bank Marketing', { timeout: 240_000 }, () => {
  const { table } = loadTable({ spec: bankSpec(), text: readCsvFile(BANK_FILE).text });
  const fitted = train('additive', table, { temporal: false }) as Extract<Fitted, { kind: 'additive' }>;
  const shapes = additiveShapes(fitted.model, table);
  const level = (feature: string, name: string) => {
    const s = shapes.find((x) => x.feature === feature)!;
    if (s.kind !== 'categorical') throw new Error(`${feature} is categorical`);
    return s.ys[s.levels.indexOf(name)]!;
  };
  const levels = (feature: string) => {
    const s = shapes.find((x) => x.feature === feature)!;
    if (s.kind !== 'categorical') throw new Error(`${feature} is categorical`);
    return s.ys;
  };

  it('reads every row and never uses duration', () => {
    expect(table.n).toBe(45_211);
    expect(fitted.model.spec.features.map((f) => f.name)).not.toContain('duration');
  });

  it("a previous campaign's success raises the score strongly: the largest poutcome level, by more than 1 log-odds over failure", () => {
    const ys = levels('poutcome');
    expect(level('poutcome', 'success')).toBe(Math.max(...ys));
    expect(level('poutcome', 'success') - level('poutcome', 'failure')).toBeGreaterThan(1);
    expect(level('poutcome', 'success')).toBeGreaterThan(1);
  });

  it('an existing housing loan lowers the score', () => {
    expect(level('housing', 'yes')).toBeLessThan(0);
    expect(level('housing', 'yes')).toBeLessThan(level('housing', 'no'));
  });

  it('the month matters: months differ by more than 1 log-odds, and May (the mass-calling month) is below March', () => {
    const ys = levels('month');
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(1);
    expect(level('month', 'may')).toBeLessThan(level('month', 'mar'));
  });

  it('more contacts in the same campaign lower the score', () => {
    const s = shapes.find((x) => x.feature === 'campaign')!;
    if (s.kind !== 'numeric') throw new Error('campaign is numeric');
    expect(s.ys[s.ys.length - 1]!).toBeLessThan(s.ys[0]!);
  });
});

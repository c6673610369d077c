import { describe, expect, it } from 'vitest';
import { bankSpec, parseSpec, type ModelSpec } from '../../server-stub/models/spec';
import { inferSpec, LeakError, loadTable } from '../../server-stub/models/table';

const spec: ModelSpec = {
  target: { name: 'bought', column: 'y', positive: ['yes'] },
  features: [
    { name: 'age', type: 'numeric' },
    { name: 'balance', type: 'numeric', transform: 'signed-log1p' },
    { name: 'pdays', type: 'numeric', missing: ['-1'] },
    { name: 'job', type: 'categorical' },
  ],
  mustNotUse: [{ column: 'duration', why: 'known only after the call' }],
};
const csv = `age,balance,pdays,job,duration,y
30,100,-1,admin,55,no
41,-100,5,"tech, senior",80,yes
,0,7,admin,10,yes
oops,1,1,admin,1,no
52,3,3,,9,no
`;

describe('feature tables', () => {
  it('reads numbers, transforms, missing values and levels; reports bad rows by line', () => {
    const { table, bad } = loadTable({ spec, text: csv });
    expect(table.n).toBe(4);
    expect(bad).toEqual([{ line: 5, message: 'age: "oops" is not a number' }]);
    expect(Array.from(table.y)).toEqual([0, 1, 1, 0]);
    expect(Number.isNaN(table.cols[0]![2]!)).toBe(true);
    expect(table.cols[1]![0]).toBeCloseTo(Math.log1p(100), 12);
    expect(table.cols[1]![1]).toBeCloseTo(-Math.log1p(100), 12);
    expect(Number.isNaN(table.cols[2]![0]!)).toBe(true); // "-1" declared missing
    expect(table.levels[3]).toEqual(['admin', 'tech, senior']);
    expect(Array.from(table.cols[3]!)).toEqual([0, 1, 0, -1]);
  });

  it('refuses a leaked column, saying why, unless the caller allows it', () => {
    const leaky: ModelSpec = { ...spec, features: [...spec.features, { name: 'duration', type: 'numeric' }] };
    expect(() => loadTable({ spec: leaky, text: csv })).toThrow(LeakError);
    expect(() => loadTable({ spec: leaky, text: csv })).toThrow(/"duration" must not be a model input: known only after the call/);
    expect(loadTable({ spec: leaky, text: csv, allowLeaks: ['duration'] }).table.n).toBe(4);
  });

  it('the Bank Marketing spec never reads duration, and refuses it when added', () => {
    const bank = bankSpec();
    expect(bank.features.map((f) => f.name)).not.toContain('duration');
    expect(bank.mustNotUse[0]!.column).toBe('duration');
    const text = 'age;duration;y\n30;100;"no"\n';
    const withDuration: ModelSpec = { ...bank, features: [{ name: 'duration', type: 'numeric' }] };
    expect(() => loadTable({ spec: withDuration, text })).toThrow(/known only after the call/);
  });

  it('a spec is validated, and inferred from a CSV as numeric or categorical', () => {
    expect(() => parseSpec({ ...spec, features: [] })).toThrow(/spec: features/);
    expect(() => parseSpec({ ...spec, features: [spec.features[0], spec.features[0]] })).toThrow(/twice/);
    expect(parseSpec(JSON.parse(JSON.stringify(bankSpec())))).toEqual(bankSpec());
    const inferred = inferSpec({ text: csv, target: 'y', positive: ['yes'], exclude: ['duration'] });
    expect(inferred.features).toEqual([
      { name: 'age', type: 'categorical' }, // "oops" makes it text
      { name: 'balance', type: 'numeric' },
      { name: 'pdays', type: 'numeric' },
      { name: 'job', type: 'categorical' },
    ]);
  });

  it('a missing column is named', () => {
    expect(() => loadTable({ spec, text: 'age,y\n1,no\n' })).toThrow('the file has no column "job" (it has: age, y)');
  });
});

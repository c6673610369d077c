import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRecordReader, splitRecord } from '../../server-stub/models/csv-lines';
import { createScorer, scoreCsv } from '../../server-stub/models/score';
import { fitMains } from '../../server-stub/models/train-additive';
import { planted } from './models-synthetic';

const model = fitMains(planted(6000, 1), planted(2000, 2), { seed: 3 }).model;

async function run(text: string, chunk = 7) {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += chunk) parts.push(text.slice(i, i + chunk));
  let out = '';
  const bad: [number, string][] = [];
  const result = await scoreCsv({ model, input: Readable.from(parts.map((p) => Buffer.from(p))), write: (t) => void (out += t), onBad: (l, m) => bad.push([l, m]) });
  return { out, bad, result };
}

describe('batch scoring', { timeout: 60_000 }, () => {
  it('appends the score and three plain-language reasons; bad rows are reported by line and skipped', async () => {
    const text = 'id,x1,x2,x3,level\nr1,1.5,-1,0,d\nr2,oops,0,0,a\nr3,1,2\n"r,4",-1.5,1.5,0,a\n\nr5,0,,0,zz\n';
    const { out, bad, result } = await run(text);
    expect(result).toEqual({ rows: 3, bad: 2 });
    expect(bad).toEqual([[3, 'x1: "oops" is not a number'], [4, 'expected 5 cells, found 3']]);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('id,x1,x2,x3,level,score,reason_1,reason_2,reason_3');
    const r1 = lines[1]!.split(',');
    expect(r1.slice(0, 5)).toEqual(['r1', '1.5', '-1', '0', 'd']);
    // truth: sin(1.5)·1.5 > 0, −0.8·(−1) > 0, level d +1.2: all three raise the score
    expect(Number(r1[5])).toBeGreaterThan(0.5);
    expect(r1.slice(6).sort()).toEqual(['level is d', 'x1 is 1.5', 'x2 is -1']);
    expect(lines[2]!.startsWith('"r,4",-1.5,1.5,0,a,')).toBe(true);
    const r4 = lines[2]!.slice('"r,4",'.length).split(',');
    expect(Number(r4[4])).toBeLessThan(0.1);
    expect(lines[3]!.startsWith('r5,0,,0,zz,')).toBe(true); // missing x2 and an unknown level contribute 0
  });

  it('scores the same in batch as one row at a time, whatever the chunking', async () => {
    const text = 'x1,x2,x3,level\n' + Array.from({ length: 200 }, (_, i) => `${((i * 37) % 60) / 10 - 3},${(i % 7) - 3},0,${'abcd'[i % 4]}`).join('\r\n') + '\r\n';
    const a = await run(text, 5);
    const b = await run(text, 4096);
    expect(a.out).toBe(b.out);
    const scorer = createScorer(model);
    const first = scorer.score([-3, -3, 0, 0]);
    expect(Number(a.out.split('\n')[1]!.split(',')[4])).toBeCloseTo(first.score, 6);
  });

  it('splits quoted records, including a quote spanning lines', async () => {
    expect(splitRecord('a,"b,c","d""e",', ',')).toEqual(['a', 'b,c', 'd"e', '']);
    expect(splitRecord('a,"open', ',')).toBeUndefined();
    const read = (chunks: string[]) => {
      const got: unknown[] = [];
      const reader = createRecordReader(',', { record: (cells, _text, line) => got.push([line, cells]), error: (line, message) => got.push({ line, message }) });
      for (const c of chunks) reader.feed(c);
      reader.end();
      return got;
    };
    const text = 'h1,h2\r\n"x\ny",2\n\n3,4';
    const expected = [[1, ['h1', 'h2']], [2, ['x\ny', '2']], [5, ['3', '4']]];
    expect(read([text])).toEqual(expected);
    // any chunking, down to one character at a time, reads the same records on the same lines
    expect(read(text.split(''))).toEqual(expected);
    expect(read([text.slice(0, 9), text.slice(9)])).toEqual(expected);
    expect(read(['a,b\n1,"never closed\n2,3'])).toEqual([[1, ['a', 'b']], { line: 2, message: 'a quoted field is never closed' }]);
  });
});

// The console's pure parts: the CSV reader the catalog import reports lines with, the rows it
// makes, and the CSV writer's formula guard.
import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from '../../console/csv';
import { rowsOf } from '../../console/import';

describe('parseCsv', () => {
  it('keeps the line each record starts on, across quoted newlines, CRLF and blank lines', () => {
    const text = '\ufeffid,title\r\na,"two\nlines"\r\n\r\nb,"say ""hi"", ok"\nc,';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['id', 'title'] },
      { line: 2, fields: ['a', 'two\nlines'] },
      { line: 5, fields: ['b', 'say "hi", ok'] },
      { line: 6, fields: ['c', ''] },
    ]);
  });

  it('round-trips what toCsv writes, and defuses spreadsheet formulas', () => {
    const csv = toCsv(['a', 'b'], [{ a: 'x,y', b: '=SUM(A1)' }, { a: 'q"uote', b: 3 }]);
    expect(parseCsv(csv).map((r) => r.fields)).toEqual([['a', 'b'], ['x,y', "'=SUM(A1)"], ['q"uote', '3']]);
  });
});

describe('rowsOf', () => {
  it('turns CSV columns into catalog items, numbers checked per row with the line and field', () => {
    const rows = rowsOf('c.csv', 'id,kind,category,title_zh,title_en,rate,tags\nd1,deposit,dep,定期,Deposit,1.5,a|b\nd2,deposit,dep,坏,Bad,abc,\n');
    expect(rows[0]).toEqual({ line: 2, item: { id: 'd1', kind: 'deposit', category: 'dep', title: { 'zh-CN': '定期', en: 'Deposit' }, rate: 1.5, tags: ['a', 'b'] } });
    expect(rows[1]).toEqual({ line: 3, problem: { line: 3, path: 'rate', message: 'expected a number, got "abc"' } });
  });

  it('reads a JSON array by position, and names a file that is not one', () => {
    expect(rowsOf('c.json', '[{"id":"x"},{"id":"y"}]').map((r) => r.line)).toEqual([1, 2]);
    expect(rowsOf('c.json', '{"id":"x"}')[0]!.problem!.message).toMatch(/array/);
  });
});

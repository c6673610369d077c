// The console's pure parts: the CSV reader the catalog import reports lines with, the rows it
// makes, the CSV writer's formula guard, and the tag/trigger dry-run over the device's matcher.
import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from '../../console/csv';
import { rowsOf } from '../../console/import';
import { dryRun } from '../../console/dry-run';

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

describe('dryRun', () => {
  const tags = [
    { name: 'views', match: { type: 'track' as const, name: 'item_view' }, agg: 'count' as const, windowMs: 10_000 },
    { name: 'big', match: { type: 'track' as const, name: 'pay' }, agg: 'sum' as const, property: 'amount', windowMs: 60_000, op: 'gte' as const, threshold: 100 },
  ];
  const triggers = [
    {
      id: 'abandon',
      when: { type: 'track' as const, name: 'step' },
      unless: { type: 'track' as const, name: 'done', withinMs: 5_000 },
      delayMs: 60_000,
      caps: { lifetime: 1 },
      reminder: { title: { 'zh-CN': 't', en: 't' }, body: { 'zh-CN': 'b', en: 'b' } },
    },
  ];

  it("counts within each tag's window and compares thresholds", () => {
    const r = dryRun({ tags, triggers: [] }, [
      { type: 'track', name: 'item_view', atMs: 0 },
      { type: 'track', name: 'item_view', atMs: 15_000 },
      { type: 'track', name: 'pay', properties: { amount: '60' }, atMs: 16_000 },
      { type: 'track', name: 'pay', properties: { amount: 50 }, atMs: 17_000 },
    ]);
    // the first view is outside the 10 s window that ends at the last event
    expect(r.tags).toEqual([
      { name: 'views', value: 1, held: true, matched: 1 },
      { name: 'big', value: 110, held: true, matched: 2 },
    ]);
  });

  it('cancels by unless within its window, fires after the delay, and caps', () => {
    const r = dryRun({ tags: [], triggers }, [
      { type: 'track', name: 'step', atMs: 0 },
      { type: 'track', name: 'done', atMs: 4_000 },
      { type: 'track', name: 'step', atMs: 10_000 },
      { type: 'track', name: 'step', atMs: 20_000 },
    ]);
    expect(r.triggers).toEqual([{ id: 'abandon', fires: [70_000], cancelled: [0], capped: [20_000] }]);
  });
});

// The console's pure parts: the CSV reader the catalog import reports lines with, the rows it
// makes, the CSV writer's formula guard, and the tag/trigger dry-run, held to the server's.
import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from '../../console/csv';
import { rowsOf } from '../../console/import';
import { dryRun } from '../../console/dry-run';
import { dryRunTriggers } from '../../server-stub/rules/preview';
import { tagsOf } from '../../server-stub/rules/match';

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
    { name: 'small', match: { type: 'track' as const, name: 'pay' }, agg: 'sum' as const, property: 'amount', windowMs: 60_000, op: 'gte' as const, threshold: 1000 },
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
  const events = [
    { name: 'step', ts: 0 },
    { name: 'done', ts: 4_000 },
    { name: 'step', ts: 10_000 },
    { name: 'item_view', ts: 12_000 },
    { name: 'pay', properties: { amount: '60' }, ts: 16_000 },
    { name: 'pay', properties: { amount: 50 }, ts: 17_000 },
    { name: 'step', ts: 20_000 },
  ];

  it('says which tags hold at the last event, and when each trigger fires or why not', () => {
    const r = dryRun({ tags, triggers }, events);
    // the view is inside the 10 s window that ends at the last event; the sum reaches 110, not 1000
    expect(r.tags).toEqual({ views: 1, big: 110 });
    expect(r.triggers).toEqual({
      fired: [{ triggerId: 'abandon', at: 80_000, event: 6 }],
      cancelled: [
        { triggerId: 'abandon', at: 60_000, event: 0, why: 'unless' },
        { triggerId: 'abandon', at: 70_000, event: 2, why: 'restarted' },
      ],
    });
  });

  it("agrees with the server's dry run and tags (server-stub/rules) on the same events", () => {
    const r = dryRun({ tags, triggers }, events);
    expect(r.triggers).toEqual(dryRunTriggers({ triggers }, events));
    expect(r.tags).toEqual(tagsOf(tags, events, 20_000));
  });
});

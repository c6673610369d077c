// @vitest-environment node
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCatalog } from '../../server-stub/engine/catalog';
import { loadCatalogFile, parseCatalog } from '../../server-stub/engine/catalog-file';
import { escapeXml, figureSize, itemSvg, SIDE } from '../../server-stub/engine/images';
import { KINDS } from '../../server-stub/engine/types';
import { memoryEngine, T0 } from './engine-fixtures';

describe('generated catalog', () => {
  it('is deterministic for a size, seed and day', () => {
    const a = generateCatalog({ size: 300, now: T0 });
    const b = generateCatalog({ size: 300, now: T0 + 3_600_000 });
    expect(a).toEqual(b);
    expect(generateCatalog({ size: 300, seed: 2, now: T0 })).not.toEqual(a);
  });

  it('has unique plain ids and every field a card needs, at any size', () => {
    for (const size of [1, 300, 10_000]) {
      const items = generateCatalog({ size, now: T0 });
      expect(items).toHaveLength(size);
      expect(new Set(items.map((i) => i.id)).size).toBe(size);
      const bad = items.filter(
        (item) =>
          !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(item.id) ||
          !(KINDS as readonly string[]).includes(item.kind) ||
          !item.title['zh-CN'] ||
          !item.title.en ||
          !item.url.startsWith('/') ||
          item.riskLevel !== (item.risk ? Number(item.risk[1]) : 0),
      );
      expect(bad).toEqual([]);
    }
  });

  it('covers every kind, with risk levels on funds and wealth and highlights on products', () => {
    const items = generateCatalog({ size: 300, now: T0 });
    const kinds = new Set(items.map((i) => i.kind));
    for (const kind of KINDS) expect(kinds).toContain(kind);
    for (const item of items.filter((i) => i.kind === 'fund' || i.kind === 'wealth')) {
      expect(item.risk).toBeDefined();
      expect(item.highlight?.value).toMatch(/%$/);
    }
    const categories = new Set(items.filter((i) => i.kind === 'fund').map((i) => i.category));
    expect([...categories].sort()).toEqual(['bond_fund', 'equity_fund', 'index_fund', 'mixed_fund', 'money_market']);
    // some items are new, some not started yet and some expired: eligibility has work to do
    expect(items.some((i) => i.start > T0)).toBe(true);
    expect(items.some((i) => i.end !== undefined && i.end <= T0)).toBe(true);
    expect(items.some((i) => i.start <= T0 && T0 - i.start < 21 * 86_400_000)).toBe(true);
  });
});

describe('generated names', () => {
  const all = generateCatalog({ size: 10_000, now: T0 });

  it('are believable: no serial numbers, no word said twice, both languages', () => {
    const bad = all.filter((item) => {
      const en = item.title.en;
      const zh = item.title['zh-CN'];
      const words = en.toLowerCase().split(/[\s,·]+/);
      return (
        /\bNo\.|#\d|\d+号|第\d+期/.test(en + zh) ||
        words.some((w, i) => i > 0 && w === words[i - 1]) ||
        // "Bond … Bond Fund": a product line named twice
        /\b(\w+) \w+ \1 Fund\b/.test(en) ||
        /(债券|货币|混合|股票).*\1/.test(zh) ||
        !/[\u4e00-\u9fff]/.test(zh) ||
        /[\u4e00-\u9fff]/.test(en)
      );
    });
    expect(bad.map((i) => `${i.id}: ${i.title.en} / ${i.title['zh-CN']}`)).toEqual([]);
  });

  it('vary: a page of one category rarely repeats a name', () => {
    const funds = all.filter((i) => i.category === 'bond_fund');
    expect(new Set(funds.map((i) => i.title.en)).size).toBeGreaterThan(50);
    expect(new Set(all.filter((i) => i.kind === 'deposit').map((i) => i.title.en)).size).toBeGreaterThan(20);
  });

  it('carry the risk level of their product type and terms that match their names', () => {
    const expected: Record<string, string[]> = {
      money_market: ['R1'], bond_fund: ['R2'], mixed_fund: ['R3'], equity_fund: ['R4', 'R5'], index_fund: ['R4'],
      term_deposit: ['R1'], large_cd: ['R1'], wealth_fixed: ['R2'], wealth_plus: ['R3'],
    };
    for (const item of all) {
      if (item.kind === 'reminder' || item.kind === 'ad' || item.kind === 'article') continue;
      const want = expected[item.category];
      if (want) expect(want, `${item.id} ${item.category}`).toContain(item.risk);
      else expect(item.risk, `${item.id} ${item.category}`).toBeUndefined();
      if (item.kind === 'deposit' && item.termDays && item.termDays % 365 === 0) expect(item.title.en).toContain(`${item.termDays / 365}-Year`);
    }
  });
});

describe('operator catalog file', () => {
  const rows = [
    { id: 'mmf-1', kind: 'fund', category: 'money_market', risk: 'R1', rate: 2.35, title: { 'zh-CN': '现金宝A', en: 'Cash Plus A' } },
    { id: 'bad-risk', kind: 'fund', risk: 'R9', title: 'Nope' },
    { id: 'card-1', kind: 'card', title: 'Travel Card', tags: ['travel'] },
    { id: 'no-title', kind: 'loan' },
    { id: 'js-url', kind: 'ad', title: 'Click', url: 'javascript:alert(1)' },
    { id: 'mmf-1', kind: 'fund', title: 'Duplicate' },
    { id: 'late', kind: 'deposit', title: 'Backwards', start: '2025-03-10', end: '2025-03-01' },
    'not an object',
    { id: 'article-1', kind: 'article', title: { en: 'Only English' }, start: '2025-01-01T00:00:00Z' },
  ];
  // one row per line, after the opening bracket on line 1
  const text = '[\n' + rows.map((r) => '  ' + JSON.stringify(r)).join(',\n') + '\n]\n';

  it('reports each bad row with its line, index and field, and loads the rest', () => {
    const logs: string[] = [];
    const items = parseCatalog(text, { source: 'catalog.json', log: (m) => logs.push(m) });
    expect(items.map((i) => i.id)).toEqual(['mmf-1', 'card-1', 'article-1']);
    expect(logs).toHaveLength(6);
    expect(logs[0]).toMatch(/^catalog\.json:3 \(item 1\) id "bad-risk": field risk: /);
    expect(logs[1]).toMatch(/^catalog\.json:5 \(item 3\) id "no-title": field title: /);
    expect(logs[2]).toMatch(/^catalog\.json:6 \(item 4\) id "js-url": field url: .*relative path or an http\(s\) URL/);
    expect(logs[3]).toMatch(/^catalog\.json:7 \(item 5\) id "mmf-1": field id: duplicate of item 0/);
    expect(logs[4]).toMatch(/^catalog\.json:8 \(item 6\) id "late": field end: must be after start/);
    expect(logs[5]).toMatch(/^catalog\.json:9 \(item 7\): field \(row\): /);
  });

  it('fills defaults: both locales, landing url, category, dates', () => {
    const items = parseCatalog(text, { log: () => {} });
    const article = items.find((i) => i.id === 'article-1')!;
    expect(article.title).toEqual({ 'zh-CN': 'Only English', en: 'Only English' });
    expect(article.category).toBe('article');
    expect(article.start).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(items.find((i) => i.id === 'card-1')!.url).toBe('/loans.html#item=card-1');
    expect(items.map((i) => i.ix)).toEqual([0, 1, 2]);
  });

  it('refuses a file that is not a JSON array, or has no valid row, with a clear message', () => {
    expect(() => parseCatalog('{"id":1}', { source: 'c.json' })).toThrow('c.json: expected a JSON array of items');
    expect(() => parseCatalog('[1,', { source: 'c.json' })).toThrow(/^c\.json: not JSON/);
    expect(() => parseCatalog('[{"id":"x"}]', { source: 'c.json', log: () => {} })).toThrow('c.json: no valid item among 1 rows');
    expect(() => loadCatalogFile('/nonexistent/catalog.json')).toThrow(/catalog \/nonexistent\/catalog\.json: ENOENT/);
  });

  it('is what the engine serves when given catalogFile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slotwise-catalog-'));
    const file = join(dir, 'catalog.json');
    writeFileSync(file, text);
    const { engine, logs } = memoryEngine({ catalogFile: file });
    expect(logs.filter((l) => l.includes('row skipped'))).toHaveLength(6);
    // the default campaigns point at generated items this catalog lacks: reported, not fatal
    expect(logs.some((l) => l.includes('campaign welcome: no item "welcome-fund"'))).toBe(true);
    expect(engine.image('card-1')).toContain('<svg');
    expect(engine.image('bad-risk')).toBeUndefined();
  });
});

describe('item images', () => {
  it('draws every kind as a self-contained SVG', () => {
    const items = generateCatalog({ size: 300, now: T0 });
    for (const kind of KINDS) {
      const svg = itemSvg(items.find((i) => i.kind === kind)!);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).not.toMatch(/href|<script|url\((?!#g\))/);
    }
  });

  it('are square and write the whole headline figure, sized to fit (no "00%" for 3.00%)', () => {
    const items = generateCatalog({ size: 10_000, now: T0 }).filter((i) => i.highlight);
    for (const item of items) {
      const svg = itemSvg(item);
      const size = figureSize(item.highlight!.value);
      expect(size, item.highlight!.value).toBeGreaterThan(0);
      const text = /<text x="(\d+)"[^>]* textLength="(\d+)"[^>]*>([^<]*)<\/text>/.exec(svg);
      expect(text?.[3], item.id).toBe(escapeXml(item.highlight!.value));
      expect(Number(text![1]) + Number(text![2])).toBeLessThanOrEqual(SIDE - 8);
      expect(svg).toContain(`viewBox="0 0 ${SIDE} ${SIDE}"`);
    }
    // a figure too long to read at thumbnail size is left out rather than cut
    expect(figureSize('Up to ¥300,000 a year')).toBe(0);
    expect(itemSvg({ ...items[0]!, highlight: { label: items[0]!.highlight!.label, value: 'Up to ¥300,000 a year' } })).not.toContain('<text');
  });

  it('escapes text from the catalog', () => {
    const [item] = parseCatalog(JSON.stringify([{ id: 'x', kind: 'fund', risk: 'R1', title: 't', highlight: { label: 'l', value: '<i>"&' } }]));
    const svg = itemSvg(item!);
    expect(svg).not.toContain('<i>');
    expect(svg).toContain('&#60;i&#62;&#34;&#38;');
    expect(escapeXml(`<a href='x'>&</a>`)).toBe('&#60;a href=&#39;x&#39;&#62;&#38;&#60;/a&#62;');
  });
});

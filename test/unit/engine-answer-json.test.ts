// The decide answer the server sends is made as text (engine decideJson, present.ts presentJson):
// once parsed it must be exactly the answer object decide() makes, for any item, locale and placement.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCatalog } from '../../server-stub/engine/catalog';
import { present, presentJson, type Placement } from '../../server-stub/engine/present';
import { identify, memoryEngine, request, T0, view } from './engine-fixtures';

const placement: fc.Arbitrary<Placement> = fc.record({
  position: fc.nat(49),
  strategy: fc.constantFrom('trending', 'affinity', 'campaign', 'fresh', 'editorial', 'item2item'),
  score: fc.double({ min: 0, max: 1, noNaN: true }),
  explored: fc.boolean(),
  // any text (quotes, controls, lone surrogates) and any number JSON can hold, -0 and 1e21 included
  reasons: fc.array(fc.record({ feature: fc.string(), label: fc.string({ unit: 'binary' }), contribution: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(-0, 1e21, 5e-7)) }), { maxLength: 4 }),
  hot: fc.boolean(),
});

describe('the answer as JSON text', () => {
  const catalog = generateCatalog({ size: 300, now: T0 });

  it('presentJson parses to what present makes, for any item, locale, age and placement, the cache warm or cold', () => {
    const cache = { heads: new Map<string, (string | undefined)[]>(), quoted: new Map<string, string>(), numbers: new Map<number, string>() };
    fc.assert(
      fc.property(fc.nat(catalog.length - 1), fc.constantFrom('zh-CN', 'en') as fc.Arbitrary<'zh-CN' | 'en'>, fc.integer({ min: -30, max: 30 }), placement, (i, locale, days, p) => {
        const item = catalog[i]!;
        const now = item.start + days * 86_400_000;
        expect(JSON.parse(presentJson(cache, item, locale, now, p))).toEqual(JSON.parse(JSON.stringify(present(item, locale, now, p))));
      }),
      { numRuns: 2000 },
    );
    expect(cache.heads.size).toBeGreaterThan(0);
  });

  it('decideJson parses to what decide makes (exploration off), slot ids like __proto__, 7 and a repeated id included', () => {
    const t = memoryEngine({ policy: { epsilon: 0 } });
    t.ingest([identify('u1', { riskTolerance: 'C3' }), view('u1', 'fund-00001'), view('u1', 'fund-00002')]);
    const slots = [
      { id: 'home.today', kind: 'picks' as const, count: 4 },
      { id: '__proto__', kind: 'feed' as const, count: 3 },
      { id: '7', kind: 'ad' as const, count: 1 },
      { id: 'home.today', kind: 'reminder' as const, count: 2 },
    ];
    for (const locale of ['zh-CN', 'en']) {
      const req = request({ user: 'u1', userId: 'u1', locale, slots });
      const text = JSON.parse(t.engine.decideJson('demo', req));
      const object = JSON.parse(JSON.stringify(t.engine.decide('demo', req)));
      expect(typeof text.decisionId).toBe('string');
      expect(Object.keys(text.slots)).toEqual(['7', 'home.today', '__proto__']);
      expect(Object.values(text.slots as Record<string, { items: unknown[] }>).flatMap((s) => s.items).length).toBeGreaterThan(3);
      expect({ ...text, decisionId: '' }).toEqual({ ...object, decisionId: '' });
    }
  });
});

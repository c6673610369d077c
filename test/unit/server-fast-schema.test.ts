// @vitest-environment node
// The ingest fast path (server-stub/fast-schema.ts) against zod itself, differentially: whenever the
// fast path answers, zod accepts the same input and produces an equal value (same keys in the same
// order, so the stored JSON is the same text); whatever it is unsure of, it defers to zod. And it
// must actually answer for well-formed events, or it would be a slow path in disguise.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as z from 'zod/mini';
import { LIMITS, schemas } from '../../sdk/contract';
import { compileFast, DEFER } from '../../server-stub/wire/fast-schema';
import { anything, id, int, mutate, mutation, sdkEvent, str } from '../helpers/arbitraries';

type Schema = z.ZodMiniType;

/** JSON text, key order included (BigInts, which JSON lacks, spelled out). */
const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x));

/** Runs one input through both; returns which way it went. */
function agree(schema: Schema, fast: (v: unknown) => unknown, input: unknown): 'fast' | 'deferred-valid' | 'deferred-invalid' {
  const f = fast(input);
  const r = schema.safeParse(input);
  if (f === DEFER) return r.success ? 'deferred-valid' : 'deferred-invalid';
  expect(r.success, 'the fast path accepted what zod rejects').toBe(true);
  expect(f).toStrictEqual(r.data);
  expect(json(f)).toBe(json(r.data));
  return 'fast';
}

describe.each([
  ['generated code', true],
  ['the interpreted fallback', false],
])('fast path ≡ zod, objects checked by %s', (_, codegen) => {
  const event = schemas().event;
  const fast = compileFast(event, { codegen });

  test('well-formed SDK events all take the fast path and come out as zod makes them', () => {
    fc.assert(
      fc.property(sdkEvent(false), fc.boolean(), (e, viaJson) => {
        expect(agree(event, fast, viaJson ? JSON.parse(JSON.stringify(e)) : e)).toBe('fast');
      }),
      { numRuns: 1500 },
    );
  }, 60_000);

  test('a canonical SDK event, parsed from JSON, is never deferred', () => {
    const e = {
      id: '0b5c4d1e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', type: 'impression', name: 'impression', ts: 1_700_000_000_000,
      anonymousId: 'a1', userId: 'u1', sessionId: 's1', properties: { itemId: 'f1', amount: 3, tags: ['x'], nested: { a: null } },
      context: { channel: 'web', page: { url: 'https://bank.example/', path: '/', title: '首页', referrer: '' }, locale: 'zh-CN',
        screen: { width: 390, height: 844 }, timezone: 'Asia/Shanghai', sdk: { name: 'slotwise', version: '0.1.0' } },
      decisionId: 'd1', slotId: 'home.today', itemId: 'f1', position: 0,
    };
    expect(agree(event, fast, JSON.parse(JSON.stringify(e)))).toBe('fast');
    // unknown keys are stripped and the declared order restored, as zod does
    const shuffled = JSON.parse(JSON.stringify({ extra: 1, ...e, context: { sdk: e.context.sdk, extra: 2, channel: 'app' } }));
    expect(agree(event, fast, shuffled)).toBe('fast');
  });

  test('mutated events: whenever the fast path answers, zod agrees', () => {
    const seen = { fast: 0, 'deferred-valid': 0, 'deferred-invalid': 0 };
    fc.assert(
      fc.property(sdkEvent(true), fc.array(mutation(), { maxLength: 3 }), fc.boolean(), (e, ms, viaJson) => {
        let input = mutate(e, ms);
        if (viaJson) {
          try {
            input = JSON.parse(JSON.stringify(input) ?? 'null');
          } catch {
            return; // BigInt and friends: JSON cannot carry them
          }
        }
        seen[agree(event, fast, input)]++;
      }),
      { numRuns: 5000 },
    );
    // the run exercised both sides of the border, and zod's corners the fast path leaves to it
    expect(seen.fast).toBeGreaterThan(300);
    expect(seen['deferred-invalid']).toBeGreaterThan(1000);
    expect(seen['deferred-valid']).toBeGreaterThan(10);
  }, 60_000);

  test('anything at all: no crash, and the fast path never accepts what zod rejects', () => {
    fc.assert(fc.property(anything, (v) => void agree(event, fast, v)), { numRuns: 3000 });
  }, 60_000);
});

describe('decide requests', () => {
  test('with device tags (a union of plain values under the contract key-count refine) take the fast path', () => {
    const { decideRequest } = schemas();
    const fast = compileFast(decideRequest);
    const request = {
      anonymousId: 'a1',
      sessionId: 's1',
      context: { page: '/', channel: 'web', locale: 'zh-CN' },
      tags: { fund_interest: true, visits: 3, last_category: 'bond_fund' },
      riskTolerance: 'C3',
      slots: [{ id: 'home.today', kind: 'picks', count: 4 }],
    };
    expect(fast(request)).toEqual(decideRequest.parse(request));
    expect(fast(request)).toMatchObject({ riskTolerance: 'C3' });
    expect(fast({ ...request, riskTolerance: 'C6' })).toBe(DEFER);
    const tooMany = { ...request, tags: Object.fromEntries(Array.from({ length: LIMITS.tags + 1 }, (_, i) => [`t${i}`, i])) };
    expect(fast(tooMany)).toBe(DEFER);
    expect(decideRequest.safeParse(tooMany).success).toBe(false);
  });
});

describe('the other contract schemas compile soundly too', () => {
  const s = schemas();
  const cases: [string, Schema, fc.Arbitrary<unknown>][] = [
    ['eventBatch', s.eventBatch, fc.record({ sentAt: int(0, 2e12), events: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }) }, { requiredKeys: [] })],
    ['decideRequest', s.decideRequest, fc.record({
      anonymousId: id(), sessionId: id(), userId: id(),
      context: fc.record({ page: str(0, 50), channel: fc.constantFrom('web', 'app', 'tv'), locale: str(0, 40) }),
      tags: fc.dictionary(str(0, 10), fc.oneof(fc.integer(), fc.boolean(), str(0, 300)), { maxKeys: 3 }),
      personalized: fc.boolean(),
      riskTolerance: fc.constantFrom('C1', 'C5', 'C6', 'c1', ''),
      slots: fc.array(fc.record({ id: id(), kind: fc.constantFrom('picks', 'feed', 'ad', 'reminder', 'x'), count: int(0, 60), exclude: fc.array(id(), { maxLength: 2 }) }, { requiredKeys: ['id', 'kind', 'count'] }), { maxLength: 3 }),
    }, { requiredKeys: ['anonymousId', 'sessionId', 'context', 'slots'] })],
    ['config', s.config, fc.record({ version: id(), ttlMs: int(0, 1e9), slots: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 2 }), tags: fc.array(fc.jsonValue(), { maxLength: 2 }), triggers: fc.array(fc.jsonValue(), { maxLength: 2 }) })],
    ['item', s.item, fc.record({ id: id(), kind: id(), title: str(0, 60), position: int(0, 20_000), strategy: id(), score: fc.oneof(fc.double(), fc.integer()), reasons: fc.array(fc.record({ feature: id(), label: str(0, 20), contribution: fc.double() }), { maxLength: 2 }), risk: fc.constantFrom('R1', 'R5', 'R6'), badges: fc.array(str(0, 70), { maxLength: 9 }) }, { requiredKeys: ['id', 'kind', 'title', 'position', 'strategy', 'score', 'reasons'] })],
  ];
  for (const [name, schema, arb] of cases) {
    test(name, () => {
      const fast = compileFast(schema);
      fc.assert(fc.property(fc.oneof(arb, anything), (v) => void agree(schema, fast, v)), { numRuns: 2000 });
    }, 60_000);
  }

  test('constructs it does not know (refine, union of non-plain values, transform, default, catchall, formats) defer instead of guessing', () => {
    const unknown = [
      z.string().check(z.refine((v) => v !== 'no')),
      z.union([z.object({ a: z.string() }), z.number()]),
      z.union([z.string(), z.pipe(z.number(), z.transform((n) => n + 1))]),
      z.record(z.string(), z.number()).check(z.refine((o) => Object.keys(o).length !== 1)),
      z.record(z.string(), z.number()).check(z.refine((o) => Object.keys(o).length !== 1, { params: { maxKeys: 'x' } })),
      z.pipe(z.string(), z.transform((v) => v.length)),
      z._default(z.string(), 'x'),
      z.looseObject({ a: z.string() }),
      z.strictObject({ a: z.string() }),
      z.email(),
      z.string().check(z.regex(/^a+$/)),
      z.number().check(z.multipleOf(2)),
      z.int32(),
      z.object({ a: z._default(z.string(), 'd') }),
      z.array(z.string()).check(z.refine((a) => a.length !== 2)),
    ];
    for (const schema of unknown) {
      const fast = compileFast(schema as Schema);
      for (const v of ['no', 'a', 'x@y.z', 2, 3, { a: 'x' }, {}, ['a', 'b'], []]) {
        expect(fast(v), `${(schema as Schema)._zod.def.type} on ${JSON.stringify(v)}`).toBe(DEFER);
      }
    }
  });
});

// @vitest-environment node
// The ingest fast path (server-stub/fast-schema.ts) against zod itself, differentially: whenever the
// fast path answers, zod accepts the same input and produces an equal value (same keys in the same
// order, so the stored JSON is the same text); whatever it is unsure of, it defers to zod. And it
// must actually answer for well-formed events, or it would be a slow path in disguise.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as z from 'zod/mini';
import { CHANNELS, EVENT_TYPES, schemas } from '../../sdk/contract';
import { compileFast, DEFER } from '../../server-stub/fast-schema';

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

// strings around the contract's bounds, in UTF-16 units and in code points
const edgeStrings = [
  '', 'a', 'ab', 'a'.repeat(34), 'a'.repeat(35), 'a'.repeat(36), 'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(128), 'a'.repeat(129),
  'a'.repeat(2048), 'a'.repeat(2049), '😀', '😀'.repeat(64), '😀'.repeat(65), '😀'.repeat(128), '😀'.repeat(129), '😀'.repeat(1024),
  '\uD800', '\uDC00', '\uD800'.repeat(128), '\uD800'.repeat(129), 'x\uDC00\uD800', '\u0000', '__proto__', 'constructor', 'toString',
];
const edgeNumbers = [0, -0, 1, -1, 0.5, 1.5, 10_000, 10_001, 100_000, 100_001, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1,
  Number.MIN_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER - 2, 1e308, -1e308, Number.NaN, Infinity, -Infinity, 1_700_000_000_000];

/** Strings: `edgy` mixes in astral and lone surrogates and the bounds' neighbours; otherwise within bounds. */
const str = (min: number, max: number, edgy = true) =>
  edgy
    ? fc.oneof(
        { weight: 6, arbitrary: fc.string({ minLength: min, maxLength: max + 2 }) },
        { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: max + 2 }) },
        { weight: 1, arbitrary: fc.constantFrom(...edgeStrings) },
      )
    : fc.string({ unit: fc.constantFrom(...'abcxyz09-_.:/ 首页é'), minLength: min, maxLength: max });
const int = (min: number, max: number, edgy = true) =>
  edgy ? fc.oneof({ weight: 6, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constantFrom(...edgeNumbers) }) : fc.integer({ min, max });

/** Events shaped like the SDK's, every optional field present or absent; `edgy` ones are often invalid. */
const sdkEvent = (edgy: boolean) => {
  const id = () => str(1, 128, edgy);
  // objects as JSON.parse makes them; edgy runs also get null prototypes, which the fast path leaves to zod
  const plain = { noNullPrototype: !edgy };
  return fc.record(
  {
    id: id(),
    type: fc.constantFrom(...EVENT_TYPES),
    name: id(),
    ts: int(0, 2_000_000_000_000, edgy),
    anonymousId: id(),
    userId: id(),
    sessionId: id(),
    properties: fc.dictionary(str(0, 128, edgy), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6, ...plain }),
    context: fc.record(
      {
        channel: fc.constantFrom(...CHANNELS),
        page: fc.record({ url: str(0, 2048, edgy), path: str(0, 200, edgy), title: str(0, 200, edgy), referrer: str(0, 200, edgy) }, { requiredKeys: ['url', 'path'], ...plain }),
        locale: str(0, 35, edgy),
        screen: fc.record({ width: int(0, 100_000, edgy), height: int(0, 100_000, edgy) }, plain),
        timezone: str(0, 64, edgy),
        sdk: fc.record({ name: id(), version: id() }, plain),
      },
      { requiredKeys: ['channel', 'sdk'], ...plain },
    ),
    decisionId: id(),
    slotId: id(),
    itemId: id(),
    position: int(0, 10_000, edgy),
  },
  { requiredKeys: ['id', 'type', 'name', 'ts', 'anonymousId', 'sessionId', 'properties', 'context'], ...plain },
  );
};
const id = () => str(1, 128);

/** Anything at all, including what JSON cannot say (undefined, NaN, Maps, class instances, null prototypes). */
const anything = fc.anything({
  maxDepth: 3,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withDate: true,
  withBigInt: true,
  withTypedArray: true,
});
const weird = fc.oneof(fc.jsonValue({ maxDepth: 2 }), anything, fc.constantFrom(...edgeStrings, ...edgeNumbers, null, undefined, [], {}, true));

const PATHS = [
  'id', 'type', 'name', 'ts', 'anonymousId', 'userId', 'sessionId', 'properties', 'context', 'decisionId', 'slotId', 'itemId',
  'position', 'context.channel', 'context.page', 'context.page.url', 'context.page.path', 'context.page.title', 'context.locale',
  'context.screen', 'context.screen.width', 'context.timezone', 'context.sdk', 'context.sdk.name', 'context.sdk.version',
  'properties.itemId', 'properties.__proto__', 'properties.constructor', 'properties.' + 'k'.repeat(129), 'unknownKey', '__proto__',
  'context.unknown', 'context.page.unknown',
];
type Mutation = { path: string; op: 'set' | 'delete' | 'undefined'; value: unknown };
const mutation = fc.record({ path: fc.constantFrom(...PATHS), op: fc.constantFrom('set', 'set', 'delete', 'undefined'), value: weird }) as fc.Arbitrary<Mutation>;

/** Applies mutations to a deep copy; a `__proto__` key is defined as an own property, as JSON.parse does. */
function mutate(event: unknown, mutations: Mutation[]): unknown {
  const copy = structuredClone(event) as Record<string, unknown>;
  for (const m of mutations) {
    const keys = m.path.split('.');
    let target: unknown = copy;
    for (const k of keys.slice(0, -1)) {
      const next = (target as Record<string, unknown>)[k];
      if (typeof next !== 'object' || next === null) {
        target = undefined;
        break;
      }
      target = next;
    }
    if (typeof target !== 'object' || target === null) continue;
    const last = keys[keys.length - 1]!;
    if (m.op === 'delete') delete (target as Record<string, unknown>)[last];
    else Object.defineProperty(target, last, { value: m.op === 'set' ? m.value : undefined, enumerable: true, writable: true, configurable: true });
  }
  return copy;
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
      fc.property(sdkEvent(true), fc.array(mutation, { maxLength: 3 }), fc.boolean(), (e, ms, viaJson) => {
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

describe('the other contract schemas compile soundly too', () => {
  const s = schemas();
  const cases: [string, Schema, fc.Arbitrary<unknown>][] = [
    ['eventBatch', s.eventBatch, fc.record({ sentAt: int(0, 2e12), events: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }) }, { requiredKeys: [] })],
    ['decideRequest', s.decideRequest, fc.record({
      anonymousId: id(), sessionId: id(), userId: id(),
      context: fc.record({ page: str(0, 50), channel: fc.constantFrom('web', 'app', 'tv'), locale: str(0, 40) }),
      tags: fc.dictionary(str(0, 10), fc.oneof(fc.integer(), fc.boolean(), str(0, 300)), { maxKeys: 3 }),
      personalized: fc.boolean(),
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

  test('constructs it does not know (refine, union, transform, default, catchall, formats) defer instead of guessing', () => {
    const unknown = [
      z.string().check(z.refine((v) => v !== 'no')),
      z.union([z.string(), z.number()]),
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

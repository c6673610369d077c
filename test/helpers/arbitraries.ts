/**
 * fast-check arbitraries for wire-contract inputs, valid and hostile, shared by the fast-path
 * differential test and the server fuzz test.
 */
import fc from 'fast-check';
import { CHANNELS, EVENT_TYPES } from '../../sdk/contract';

/** strings around the contract's bounds, in UTF-16 units and in code points */
export const edgeStrings = [
  '', 'a', 'ab', 'a'.repeat(34), 'a'.repeat(35), 'a'.repeat(36), 'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(128), 'a'.repeat(129),
  'a'.repeat(2048), 'a'.repeat(2049), '😀', '😀'.repeat(64), '😀'.repeat(65), '😀'.repeat(128), '😀'.repeat(129), '😀'.repeat(1024),
  '\uD800', '\uDC00', '\uD800'.repeat(128), '\uD800'.repeat(129), 'x\uDC00\uD800', '\u0000', '__proto__', 'constructor', 'toString',
];
export const edgeNumbers = [0, -0, 1, -1, 0.5, 1.5, 10_000, 10_001, 100_000, 100_001, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1,
  Number.MIN_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER - 2, 1e308, -1e308, Number.NaN, Infinity, -Infinity, 1_700_000_000_000];

/** Strings: `edgy` mixes in astral and lone surrogates and the bounds' neighbours; otherwise within bounds. */
export const str = (min: number, max: number, edgy = true) =>
  edgy
    ? fc.oneof(
        { weight: 6, arbitrary: fc.string({ minLength: min, maxLength: max + 2 }) },
        { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: max + 2 }) },
        { weight: 1, arbitrary: fc.constantFrom(...edgeStrings) },
      )
    : fc.string({ unit: fc.constantFrom(...'abcxyz09-_.:/ 首页é'), minLength: min, maxLength: max });
export const int = (min: number, max: number, edgy = true) =>
  edgy ? fc.oneof({ weight: 6, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constantFrom(...edgeNumbers) }) : fc.integer({ min, max });

/** Events shaped like the SDK's, every optional field present or absent; `edgy` ones are often invalid. */
export const sdkEvent = (edgy: boolean) => {
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
export const id = () => str(1, 128);

/** Anything at all, including what JSON cannot say (undefined, NaN, Maps, class instances, null prototypes). */
export const anything = fc.anything({
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
export const weird = fc.oneof(fc.jsonValue({ maxDepth: 2 }), anything, fc.constantFrom(...edgeStrings, ...edgeNumbers, null, undefined, [], {}, true));

export const EVENT_PATHS = [
  'id', 'type', 'name', 'ts', 'anonymousId', 'userId', 'sessionId', 'properties', 'context', 'decisionId', 'slotId', 'itemId',
  'position', 'context.channel', 'context.page', 'context.page.url', 'context.page.path', 'context.page.title', 'context.locale',
  'context.screen', 'context.screen.width', 'context.timezone', 'context.sdk', 'context.sdk.name', 'context.sdk.version',
  'properties.itemId', 'properties.__proto__', 'properties.constructor', 'properties.' + 'k'.repeat(129), 'unknownKey', '__proto__',
  'context.unknown', 'context.page.unknown',
];
export type Mutation = { path: string; op: 'set' | 'delete' | 'undefined'; value: unknown };
/** A mutation at one of `paths` (dotted; default: the event's fields). */
export const mutation = (paths: string[] = EVENT_PATHS) => fc.record({ path: fc.constantFrom(...paths), op: fc.constantFrom('set', 'set', 'delete', 'undefined'), value: weird }) as fc.Arbitrary<Mutation>;

/** Applies mutations to a deep copy; a `__proto__` key is defined as an own property, as JSON.parse does. */
const copyOf = (v: unknown) => {
  if (typeof v !== 'object' || v === null) return v;
  try {
    return structuredClone(v);
  } catch {
    return v; // not cloneable (no client could send it either way); set as it is
  }
};

export function mutate(event: unknown, mutations: Mutation[]): unknown {
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
    // each set gets its own copy of an object value: the same object set at `a` and at `a.0` would
    // make a cycle, which no client can send
    else Object.defineProperty(target, last, { value: m.op === 'set' ? copyOf(m.value) : undefined, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}


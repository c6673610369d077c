// @vitest-environment node
/**
 * The lean schemas (sdk/contract-check.ts) against zod/mini, differentially. The client checks the
 * server's answers and the config's rules with the lean ones; the server-stub and the tests use the
 * zod/mini schemas contract.ts builds from the very same definitions. Both must give one verdict on
 * every input, the same value when they accept (same keys in the same order), and the same path
 * when they refuse, so "valid" means one thing on both sides of the wire.
 *
 * Inputs are drawn from each schema itself — mostly well-formed, with every bound's neighbours,
 * missing and extra keys, wrong types, astral and lone-surrogate strings — and from hostile JSON.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerChecks, answerSchemas, firstProblem, LIMITS, ruleChecks, ruleSchemas } from '../../sdk/contract';
import * as c from '../../sdk/contract-check';
import { edgeNumbers, edgeStrings, str } from '../helpers/arbitraries';

type Zod = { safeParse(v: unknown): { success: true; data: unknown } | { success: false; error: Parameters<typeof firstProblem>[0] } };

const hostile = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...edgeStrings, ...edgeNumbers, null, undefined, [], {}, true, '__proto__'));

/** values for `n`: mostly of its shape, at and around its bounds, sometimes anything */
function gen(n: c.Node): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 25, arbitrary: shaped(n) }, { weight: 1, arbitrary: hostile });
}

function shaped(n: c.Node): fc.Arbitrary<unknown> {
  switch (n.k) {
    case 'string':
      return str(n.min, Math.min(n.max, 70));
    case 'int': {
      const lo = Math.max(n.min, -1e6);
      const hi = Math.min(n.max, lo + 1e6);
      return fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(n.min, n.max, n.min - 1, n.max + 1, lo + 0.5));
    }
    case 'number':
      return fc.oneof(fc.double(), fc.integer());
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constant(n.value);
    case 'enum':
      return fc.constantFrom(...n.values, 'none of them');
    case 'array':
      return fc.oneof(
        fc.array(gen(n.of), { maxLength: 3 }),
        // past the bound, where it is cheap to build
        ...(n.max <= 20 ? [fc.array(gen(n.of), { minLength: n.max, maxLength: n.max + 1 })] : []),
      );
    case 'record':
      return fc.dictionary(fc.oneof(shaped(n.key) as fc.Arbitrary<string>, fc.constantFrom('__proto__', '', 'a'.repeat(129))), gen(n.of), { maxKeys: 3 });
    case 'object': {
      const keys = Object.keys(n.shape);
      const required = keys.filter((k) => n.shape[k]!.k != 'optional');
      const full = fc.record(Object.fromEntries(keys.map((k) => [k, gen(n.shape[k]!)])), { requiredKeys: required });
      const sometimes = <T,>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
      return fc.tuple(full, sometimes(fc.constantFrom(...keys)), sometimes(fc.tuple(str(1, 6), fc.jsonValue({ maxDepth: 1 })))).map(([o, drop, extra]) => {
        const out: Record<string, unknown> = { ...o };
        if (drop) delete out[drop];
        if (extra) out[extra[0]] = extra[1];
        return out;
      });
    }
    case 'optional':
      return fc.option(gen(n.of), { nil: undefined });
    case 'union':
      return fc.oneof(...n.of.map(gen));
    case 'custom':
      return fc.constantFrom(() => {}, {}, 'x', null);
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

const json = (v: unknown) => JSON.stringify(v);
/**
 * Deep equality by own keys in order, prototypes and values. Not toStrictEqual: vitest compares
 * objects' `.constructor`, which for a record holding a key named "constructor" is that entry, so two
 * equal copies (different references) would count as different types.
 */
const same = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true;
  if (!a || !b || typeof a != 'object' || typeof b != 'object' || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length == kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
};
const problemOf = (r: c.Checked<unknown>) => (r.success ? undefined : r.error);

function agree(lean: c.Schema, zod: Zod, input: unknown): boolean {
  const l = c.check(lean, input);
  const z = zod.safeParse(input);
  expect(l.success, `lean ${l.success ? 'accepts' : 'refuses'} what zod ${z.success ? 'accepts' : 'refuses'}: ${json(input)}`).toBe(z.success);
  if (l.success && z.success) {
    expect(same(l.data, z.data), `lean and zod values differ: ${json(input)}`).toBe(true);
    expect(json(l.data)).toBe(json(z.data));
  }
  if (!l.success && !z.success) expect(l.error.path, json(input)).toBe(firstProblem(z.error).path);
  return l.success;
}

describe('lean schemas ≡ zod/mini, on the contract', () => {
  const groups = [
    ['answers', answerChecks(), answerSchemas()],
    ['rules', ruleChecks(), ruleSchemas()],
  ] as const;
  for (const [group, lean, zod] of groups)
    for (const [name, schema] of Object.entries(lean))
      it(`${group}: ${name}`, () => {
        let accepted = 0;
        fc.assert(
          fc.property(gen(schema), (v) => void (agree(schema, (zod as unknown as Record<string, Zod>)[name]!, v) && accepted++)),
          { numRuns: 1500 },
        );
        // the generator reaches both verdicts, or the property proves little
        expect(accepted).toBeGreaterThan(20);
      }, 60_000);
});

describe('lean schemas', () => {
  const item = () => ({ id: 'i1', kind: 'fund', title: 'Cash Plus', position: 0, strategy: 'trending', score: 0.5, reasons: [] });

  it('keep the declared keys only, leave absent optionals out, and never copy __proto__', () => {
    const r = c.check(answerChecks().decideResponse, JSON.parse(`{"decisionId":"d","ttlMs":1,"extra":1,"slots":{"__proto__":{"items":[]},"a":{"items":[${JSON.stringify({ ...item(), evil: '<script>' })}]}}}`));
    expect(r.success && r.data).toEqual({ decisionId: 'd', ttlMs: 1, slots: { a: { items: [item()] } } });
    expect(r.success && Object.getPrototypeOf(r.data.slots)).toBe(Object.prototype);
  });

  it('name the first problem by its path, in the message format of every error body', () => {
    const bad = { decisionId: 'd', ttlMs: 1, slots: { 'home.today': { items: [item(), { ...item(), risk: 'R9' }] } } };
    const r = c.check(answerChecks().decideResponse, bad);
    expect(r.success).toBe(false);
    expect(!r.success && r.error).toEqual({ code: 'invalid_field', path: 'slots.home.today.items.1.risk', message: 'slots.home.today.items.1.risk: expected one of "R1", "R2", "R3", "R4", "R5"' });
    expect(problemOf(c.check(c.int(0), 'x', 'events.3'))?.message).toBe('events.3: expected number');
  });

  it('measure strings in code points, as zod does, and hold arrays and ints to their bounds', () => {
    const id = c.string(LIMITS.id, 1);
    expect(c.check(id, '😀'.repeat(128)).success).toBe(true);
    expect(c.check(id, '😀'.repeat(129)).success).toBe(false);
    expect(c.check(id, '').success).toBe(false);
    const { config } = ruleChecks();
    const base = { version: 'v', ttlMs: 0, slots: [], tags: [], triggers: [] };
    expect(c.check(config, { ...base, tags: Array(200).fill(0) }).success).toBe(true);
    expect(c.check(config, { ...base, tags: Array(201).fill(0) }).success).toBe(false);
    expect(c.check(c.int(0), Number.MAX_SAFE_INTEGER + 1).success).toBe(false);
    expect(c.check(c.number(), Infinity).success).toBe(false);
  });

  it('tell, of a union, the one shape that came close', () => {
    const s = c.union(c.literal(false), c.object({ clicks: c.optional(c.boolean()) }, true));
    expect(problemOf(c.check(s, { click: true }))).toMatchObject({ path: 'click', message: 'click: unknown key' });
    expect(problemOf(c.check(s, true))).toMatchObject({ path: '', message: 'body: matches none of the allowed shapes' });
  });
});

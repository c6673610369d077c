/**
 * A fast path for the contract's zod/mini schemas on the hot ingest path, compiled from the schema
 * itself so it can never drift from sdk/contract.ts.
 *
 * `compileFast(schema)` returns a function that either answers the value zod's `safeParse` would
 * produce for a valid input, or `DEFER` — "ask zod". Callers always fall back to zod on `DEFER`, so
 * zod stays the only judge of what is invalid and the only author of error messages. The fast path
 * is sound by construction:
 * - it understands a small set of schema kinds (object, record, array, string, int/number, boolean,
 *   enum, optional, unknown, unions of plain values) and only the checks on them it can mirror exactly (lengths, bounds,
 *   and the contract's one key-count refine, which says so in its params); anything else
 *   (a refine, a transform, a default, a catchall, a format, coercion …) compiles to "always DEFER";
 * - where zod's semantics have corners (strings measured in code points, `__proto__` keys,
 *   symbol keys, `undefined` under a present key, objects with odd prototypes) it DEFERs rather
 *   than imitates, so "fast says valid" implies "zod says valid, with an equal value";
 * - test/unit/server-fast-schema.test.ts checks that claim differentially with fast-check, and that
 *   well-formed SDK events do take the fast path.
 *
 * Output shapes match zod's: objects are rebuilt with the declared keys in declaration order
 * (unknown keys stripped, absent optionals left out), arrays are copied; record objects are passed
 * through when zod's copy would be equal to them.
 */
import * as zm from 'zod/mini';
import type * as z from 'zod/mini';

/** "Not sure: let zod decide." */
export const DEFER: unique symbol = Symbol('defer');
export type Fast<T> = (input: unknown) => T | typeof DEFER;

/** Loosely typed view of the zod internals read here (stable `_zod` fields of zod v4). */
interface Internals {
  def: Def;
  /** the set an enum accepts (exactly what zod tests against) */
  values?: Set<unknown>;
  /** how an object member treats absence: 'optional' = may be absent, left out of the output */
  optin?: string;
  optout?: string;
}
interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  [k: string]: unknown;
}
interface CheckDef {
  check: string;
  when?: unknown;
  [k: string]: unknown;
}
type Node = (value: unknown) => unknown;

const zod = (schema: unknown): Internals => (schema as { _zod: Internals })._zod;
const DEFERRING: Node = () => DEFER;
const PLAIN = Object.prototype;

export interface CompileOptions {
  /** generate straight-line code for objects (`new Function`); off, or where the platform forbids
   * it, objects are checked by a loop. @default true @example { codegen: false } */
  codegen?: boolean;
}

/** Compiles `schema`; unknown constructs become "always DEFER", never an error. */
export function compileFast<S extends z.ZodMiniType>(schema: S, options: CompileOptions = {}): Fast<z.infer<S>> {
  return compile(schema, options.codegen ?? true) as Fast<z.infer<S>>;
}

function compile(schema: unknown, codegen: boolean): Node {
  const { def } = zod(schema);
  if (def.coerce) return DEFERRING;
  switch (def.type) {
    case 'unknown':
      return noChecks(def) ? (v) => v : DEFERRING;
    case 'boolean':
      return noChecks(def) ? (v) => (typeof v === 'boolean' ? v : DEFER) : DEFERRING;
    case 'string':
      return compileString(def);
    case 'number':
      return compileNumber(def);
    case 'enum':
      return compileEnum(schema);
    case 'optional':
      // object members handle their own optionality; this is an optional array element or root
      return noChecks(def) && zod(def.innerType).optin === undefined ? compileOptional(def, codegen) : DEFERRING;
    case 'object':
      return compileObject(def, codegen);
    case 'record':
      return compileRecord(def, codegen);
    case 'array':
      return compileArray(def, codegen);
    case 'union':
      return compileUnion(def, codegen);
    default:
      return DEFERRING;
  }
}

const noChecks = (def: Def) => !def.checks || def.checks.length === 0;

/** Every length check zod builds carries one shared guard as `when`; a different one is custom. */
let defaultWhen: unknown;
const isDefaultWhen = (when: unknown) => when === undefined || when === (defaultWhen ??= zm.maxLength(1)._zod.def.when);

/** [min, max] of the length checks (code points for strings, entries for arrays), or undefined
 * when a check is anything else. */
function lengthBounds(def: Def): [number, number] | undefined {
  let min = 0;
  let max = Infinity;
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (!isDefaultWhen(d.when)) return undefined;
    if (d.check === 'min_length' && typeof d.minimum === 'number') min = Math.max(min, d.minimum);
    else if (d.check === 'max_length' && typeof d.maximum === 'number') max = Math.min(max, d.maximum);
    else return undefined;
  }
  return [min, max];
}

/** Code points, as zod counts string lengths (a surrogate pair is one). */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

function compileString(def: Def): Node {
  const bounds = lengthBounds(def);
  if (!bounds || def.format !== undefined || def.pattern !== undefined) return DEFERRING;
  const [min, max] = bounds;
  // n UTF-16 units hold between n/2 and n code points: at most `max` units always fits, 2·min
  // units always reaches min; only [min, 2·min) needs counting. Longer than `max` units: zod's call.
  return (v) => {
    if (typeof v !== 'string' || v.length > max) return DEFER;
    if (v.length >= 2 * min) return v;
    return v.length >= min && codePoints(v) >= min ? v : DEFER;
  };
}

function compileNumber(def: Def): Node {
  const int = def.format === 'safeint' && def.check === 'number_format';
  if (def.format !== undefined && !int) return DEFERRING;
  let lo = -Infinity;
  let hi = Infinity;
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.when !== undefined || typeof d.value !== 'number' || d.inclusive !== true) return DEFERRING;
    if (d.check === 'greater_than') lo = Math.max(lo, d.value);
    else if (d.check === 'less_than') hi = Math.min(hi, d.value);
    else return DEFERRING;
  }
  return int
    ? (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= lo && v <= hi ? v : DEFER)
    : (v) => (typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi ? v : DEFER);
}

function compileEnum(schema: unknown): Node {
  const { def, values } = zod(schema);
  if (!noChecks(def) || !(values instanceof Set)) return DEFERRING;
  return (v) => (values.has(v) ? v : DEFER);
}

function compileOptional(def: Def, codegen: boolean): Node {
  const inner = compile(def.innerType, codegen);
  return (v) => (v === undefined ? v : inner(v));
}

/** Objects as JSON.parse makes them; anything else (class instances, null prototypes) is zod's. */
const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === PLAIN;

function compileObject(def: Def, codegen: boolean): Node {
  if (!noChecks(def) || def.catchall !== undefined) return DEFERRING;
  const shape = def.shape as Record<string, unknown>;
  if (Object.getOwnPropertySymbols(shape).length) return DEFERRING;
  const members: Member[] = [];
  for (const key of Object.keys(shape)) {
    const member = zod(shape[key]);
    if (key === '__proto__') return DEFERRING;
    if (member.def.type === 'optional' && member.optin === 'optional' && member.optout === 'optional') {
      // plain `optional(x)`: an absent key is left out (a default under it would invent a value)
      if (!noChecks(member.def) || zod(member.def.innerType).optin !== undefined) return DEFERRING;
      members.push({ key, optional: true, node: compile(member.def.innerType, codegen) });
    } else if (member.optin === undefined && member.optout === undefined) {
      members.push({ key, optional: false, node: compile(shape[key], codegen) });
    } else {
      return DEFERRING;
    }
  }
  return (codegen && generated(members)) || interpreted(members);
}

type Member = { key: string; optional: boolean; node: Node };

/**
 * The object check as straight-line code (like zod's own JIT): named property reads and writes
 * stay monomorphic, which is several times faster than a loop over keys. Falls back to the loop
 * where code generation from strings is disallowed.
 */
function generated(members: Member[]): Node | undefined {
  const lines = members.map((m, i) => {
    const k = JSON.stringify(m.key);
    const absent = m.optional ? `if (${k} in v) return DEFER;` : 'return DEFER;';
    return `x = v[${k}]; if (x === undefined) { ${absent} } else { x = n[${i}](x); if (x === DEFER) return DEFER; out[${k}] = x; }`;
  });
  try {
    const make = new Function('isPlain', 'DEFER', 'n', `return function (v) {
      if (!isPlain(v)) return DEFER;
      const out = {}; let x;
      ${lines.join('\n      ')}
      return out;
    };`) as (isPlain: (v: unknown) => boolean, defer: typeof DEFER, n: Node[]) => Node;
    return make(isPlain, DEFER, members.map((m) => m.node));
  } catch {
    return undefined;
  }
}

function interpreted(members: Member[]): Node {
  return (v) => {
    if (!isPlain(v)) return DEFER;
    const out: Record<string, unknown> = {};
    for (const m of members) {
      const value = v[m.key];
      if (value === undefined) {
        // an absent optional is left out; a missing required member or a present `undefined`: zod's call
        if (m.optional && !(m.key in v)) continue;
        return DEFER;
      }
      const parsed = m.node(value);
      if (parsed === DEFER) return DEFER;
      out[m.key] = parsed;
    }
    return out;
  };
}

/**
 * How many entries a record's checks allow: Infinity without checks; undefined when a check is
 * anything but the contract's key-count refine (`fewKeys` in sdk/contract.ts, which marks itself
 * with `params.maxKeys` and checks exactly `Object.keys(o).length <= maxKeys`).
 */
function keyLimit(def: Def): number | undefined {
  let max = Infinity;
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    const limit = (d.params as { maxKeys?: unknown } | undefined)?.maxKeys;
    if (d.check !== 'custom' || d.when !== undefined || typeof limit !== 'number') return undefined;
    max = Math.min(max, limit);
  }
  return max;
}

function compileRecord(def: Def, codegen: boolean): Node {
  const maxKeys = keyLimit(def);
  if (maxKeys === undefined || def.mode !== undefined || def.partial) return DEFERRING;
  const keyDef = zod(def.keyType).def;
  if (keyDef.type !== 'string' || zod(def.keyType).values !== undefined) return DEFERRING;
  const key = compileString(keyDef);
  const value = compile(def.valueType, codegen);
  return (v) => {
    // zod wants a plain object; a JSON object is one unless it has its own `constructor` key
    if (!isPlain(v) || Object.prototype.hasOwnProperty.call(v, 'constructor')) return DEFER;
    // zod rejects symbol keys (not strings) and drops a `__proto__` key: both are zod's call
    if (Object.getOwnPropertySymbols(v).length) return DEFER;
    const keys = Object.keys(v);
    if (keys.length > maxKeys) return DEFER;
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      if (k === '__proto__' || key(k) === DEFER) return DEFER;
      const parsed = value(v[k]);
      if (parsed === DEFER) return DEFER;
      out[k] = parsed;
    }
    return out;
  };
}

/**
 * A union of plain values (strings, numbers, booleans, enums): zod answers with the first option
 * that accepts, and each of these answers with the input itself, so any option the fast path is
 * sure of gives zod's answer. Unions of anything else (objects, transforms …) defer.
 */
function compileUnion(def: Def, codegen: boolean): Node {
  const options = def.options as unknown[] | undefined;
  const plain = (o: unknown) => ['string', 'number', 'boolean', 'enum'].includes(zod(o).def.type) && !zod(o).def.coerce;
  if (!noChecks(def) || !Array.isArray(options) || !options.every(plain) || Object.keys(def).some((k) => !['type', 'options', 'checks'].includes(k))) return DEFERRING;
  const nodes = options.map((o) => compile(o, codegen));
  return (v) => {
    for (const node of nodes) {
      const parsed = node(v);
      if (parsed !== DEFER) return parsed;
    }
    return DEFER;
  };
}

function compileArray(def: Def, codegen: boolean): Node {
  const bounds = lengthBounds(def);
  if (!bounds) return DEFERRING;
  const [min, max] = bounds;
  const element = compile(def.element, codegen);
  return (v) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return DEFER;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const parsed = element(v[i]);
      if (parsed === DEFER) return DEFER;
      out[i] = parsed;
    }
    return out;
  };
}

/**
 * Lean schemas: what the client needs of a validation library to check the server's answers and
 * its own options, in ~1.4 KB gzipped; zod/mini and ky made up most of the 15.6 KB network chunk.
 *
 * A schema is plain data (`{ k: 'string', min, max }` …), built by the functions below and read
 * by `check`. Being data is what keeps one source of truth: the contract's answer and rule schemas
 * are written once, with these builders, in contract.ts; the client checks them here, and
 * contract.ts turns the same data into zod/mini schemas (`toZod`) for the server-stub and the tests.
 * test/unit/contract-check.test.ts holds the two to the same verdicts and values.
 *
 * Semantics follow zod/mini's, so the two agree: objects keep their declared keys only (unknown ones
 * are dropped, or refused by a strict object) and leave out absent optionals; strings are measured
 * in code points; numbers are finite; an int is a safe integer; `__proto__` keys are never copied.
 */

/** One schema node. `T` is the type of what passes (a phantom: never set). */
export type Schema<T = unknown> = Node & { readonly _?: T };
export type Node =
  | { k: 'string'; min: number; max: number; re?: RegExp; msg?: string }
  | { k: 'int'; min: number; max: number }
  | { k: 'number' }
  | { k: 'boolean' }
  | { k: 'literal'; value: string | number | boolean }
  | { k: 'enum'; values: readonly string[] }
  | { k: 'array'; of: Node; min: number; max: number }
  | { k: 'record'; key: Node; of: Node }
  | { k: 'object'; shape: Record<string, Node>; strict?: boolean }
  | { k: 'optional'; of: Node }
  | { k: 'union'; of: Node[] }
  | { k: 'unknown' }
  | { k: 'custom'; test: (v: unknown) => boolean; msg: string };

export type Infer<S> = S extends Schema<infer T> ? T : never;
type Optional = { k: 'optional' };
type Shape = Record<string, Schema<unknown>>;
type Flat<T> = { [K in keyof T]: T[K] } & {};
type ObjectOf<S extends Shape> = Flat<
  { [K in keyof S as S[K] extends Optional ? never : K]: Infer<S[K]> } & { [K in keyof S as S[K] extends Optional ? K : never]?: Infer<S[K]> }
>;

const MAX = Number.MAX_SAFE_INTEGER;

/** a string of `min`…`max` code points, optionally matching `re` (`msg` says what it expected) */
export const string = (max = MAX, min = 0, re?: RegExp, msg?: string): Schema<string> => ({ k: 'string', min, max, re, msg });
/** a safe integer in `min`…`max` */
export const int = (min = -MAX, max = MAX): Schema<number> => ({ k: 'int', min, max });
export const number = (): Schema<number> => ({ k: 'number' });
export const boolean = (): Schema<boolean> => ({ k: 'boolean' });
export const literal = <const T extends string | number | boolean>(value: T): Schema<T> => ({ k: 'literal', value });
export const oneOf = <const T extends readonly string[]>(values: T): Schema<T[number]> => ({ k: 'enum', values });
export const array = <T>(of: Schema<T>, max = MAX, min = 0): Schema<T[]> => ({ k: 'array', of, min, max });
export const record = <K extends string, T>(key: Schema<K>, of: Schema<T>): Schema<Record<K, T>> => ({ k: 'record', key, of });
/** declared keys only; `strict` refuses others instead of dropping them */
export const object = <S extends Shape>(shape: S, strict?: boolean): Schema<ObjectOf<S>> & { shape: S } => ({ k: 'object', shape, strict });
export const optional = <T>(of: Schema<T>): Schema<T | undefined> & Optional => ({ k: 'optional', of });
export const union = <S extends Schema<unknown>[]>(...of: S): Schema<Infer<S[number]>> => ({ k: 'union', of });
export const unknown = (): Schema<unknown> => ({ k: 'unknown' });
export const custom = <T>(test: (v: unknown) => boolean, msg: string): Schema<T> => ({ k: 'custom', test, msg });

export type Path = (string | number)[];

/** One validation problem, in the shape of an error body. */
export interface Problem {
  code: string;
  message: string;
  path: string;
}

/** a failed check at `path`: why, as a person reads it (`t`: the value is not even of the right type) */
interface Fail {
  path: Path;
  why: string;
  t?: boolean;
}

/**
 * `{ code, message, path }` for a problem at `path` (the message reads "events.3.ts: expected int"),
 * the one format of every validation message, zod's (contract.ts `firstProblem`) and these.
 */
export function problem(path: Path, why: string, prefix = ''): Problem {
  const at = [prefix, ...path.map(String)].filter(Boolean).join('.');
  return { code: 'invalid_' + (at ? 'field' : 'body'), message: `${at || 'body'}: ${why}`, path: at };
}

export type Checked<T> = { success: true; data: T } | { success: false; error: Problem; fail: Fail };

/**
 * Checks `value` against `schema`: the value as the schema keeps it (a copy: declared keys only),
 * or the first problem, its path prefixed by `prefix`.
 * @example check(object({ accepted: int(0) }), JSON.parse(text))
 */
export function check<T>(schema: Schema<T>, value: unknown, prefix?: string): Checked<T> {
  try {
    return { success: true, data: run(schema, value, []) as T };
  } catch (e) {
    const f = e as Fail;
    // not a Fail: a custom test threw, which is the schema's bug, not the value's
    if (!f?.path) throw e;
    return { success: false, error: problem(f.path, f.why, prefix), fail: f };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v == 'object' && !Array.isArray(v);

function run(s: Node, v: unknown, path: Path): unknown {
  const no = (why: string, at = path, t?: boolean): never => {
    throw { path: at, why, t } satisfies Fail;
  };
  const type = (what: string) => no('expected ' + what, path, true);
  switch (s.k) {
    case 'string': {
      if (typeof v != 'string') return type('string');
      // code points, as zod counts; only past the units bound can the two differ on a verdict
      const n = v.length > s.max || v.length < 2 * s.min ? [...v].length : v.length;
      if (n > s.max) no(`must be no longer than ${s.max}`);
      if (n < s.min) no(`must be at least of length ${s.min}`);
      if (s.re && !s.re.test(v)) no(s.msg!);
      return v;
    }
    case 'int':
    case 'number':
      if (typeof v != 'number' || !Number.isFinite(v)) return type('number');
      if (s.k == 'int') {
        if (!Number.isInteger(v)) no('expected int');
        if (v > s.max) no(`must be at most ${s.max}`);
        if (v < s.min) no(`must be at least ${s.min}`);
      }
      return v;
    case 'boolean':
      return typeof v == 'boolean' ? v : type('boolean');
    case 'literal':
      return v === s.value ? v : type(JSON.stringify(s.value));
    case 'enum':
      return s.values.includes(v as string) ? v : no(`expected one of ${s.values.map((x) => JSON.stringify(x)).join(', ')}`, path, true);
    case 'array':
      if (!Array.isArray(v)) return type('array');
      if (v.length > s.max) no(`must be no longer than ${s.max} entries`);
      if (v.length < s.min) no(`must be at least of length ${s.min}`);
      return v.map((x, i) => run(s.of, x, [...path, i]));
    case 'record':
    case 'object': {
      if (!isObject(v)) return type(s.k);
      const out: Record<string, unknown> = {};
      if (s.k == 'record') {
        for (const key of Object.keys(v)) {
          run(s.key, key, [...path, key]);
          // assigning `__proto__` would set the copy's prototype, not a key: zod leaves it out too
          if (key != '__proto__') out[key] = run(s.of, v[key], [...path, key]);
        }
      } else {
        // an absent optional stays absent; a present one is kept, even undefined (zod does too)
        for (const key in s.shape) if (key in v || s.shape[key]!.k != 'optional') out[key] = run(s.shape[key]!, v[key], [...path, key]);
        if (s.strict) for (const key of Object.keys(v)) if (!(key in s.shape)) no('unknown key', [...path, key]);
      }
      return out;
    }
    case 'optional':
      return v === undefined ? v : run(s.of, v, path);
    case 'union': {
      const fails: Fail[] = [];
      for (const o of s.of) {
        try {
          return run(o, v, path);
        } catch (e) {
          fails.push(e as Fail);
        }
      }
      // as zod: when only one shape got past the type check, its problem is the one to tell
      const near = fails.filter((f) => !f.t);
      return near.length == 1 ? no(near[0]!.why, near[0]!.path) : no('matches none of the allowed shapes', path, true);
    }
    case 'custom':
      return s.test(v) ? v : no(s.msg);
    default:
      return v;
  }
}

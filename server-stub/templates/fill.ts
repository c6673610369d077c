/**
 * Fills a template's placeholders (sdk/contract-templates.ts) with parameter values: a walk over
 * plain JSON that replaces strings, nothing else. It records which parameter filled which path, so
 * a draft the contract refuses is reported at the parameter that made it wrong.
 */
import { nextDates } from '../calendar';

const DAY = 86_400_000;
const WHOLE = /^\{\{(\$?[A-Za-z][A-Za-z0-9]*)(?::(ms|neg|dates|end))?\}\}$/;
const INNER = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;

export interface FillContext {
  values: Readonly<Record<string, unknown>>;
  template: { id: string; version: number };
  /** today in China, `YYYY-MM-DD`: where `:dates` starts counting */
  today: string;
  /** how many dates `:dates` lists (this occurrence and the next ones) */
  years: number;
}

export interface Filled {
  value: unknown;
  /** path inside the filled value (`traits.0.max`) → the parameter that filled it */
  sources: Map<string, string>;
}

/** A placeholder naming no parameter: a bug in the template, found by the built-ins' tests. */
export class TemplateError extends Error {}

export function fill(shape: unknown, ctx: FillContext): Filled {
  const sources = new Map<string, string>();
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') return text(v, path);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, join(path, i)));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, join(path, k))]));
    return v;
  };
  const text = (s: string, path: string): unknown => {
    const whole = WHOLE.exec(s);
    if (whole) {
      const [, name, conversion] = whole as unknown as [string, string, string | undefined];
      if (name === '$template') return { ...ctx.template };
      const v = get(name);
      sources.set(path, name);
      if (conversion === 'ms') return typeof v === 'number' ? v * DAY : v;
      if (conversion === 'neg') return typeof v === 'number' ? -v : v;
      if (conversion === 'dates') return typeof v === 'string' ? nextDates(v, ctx.today, ctx.years) : v;
      // the end of China day today + v: a campaign that runs v more days after today
      if (conversion === 'end') return typeof v === 'number' ? Date.parse(`${ctx.today}T00:00:00+08:00`) + (v + 1) * DAY : v;
      return v;
    }
    return s.replace(INNER, (_m, name: string) => {
      sources.set(path, name);
      return String(get(name));
    });
  };
  const get = (name: string) => {
    if (!(name in ctx.values)) throw new TemplateError(`template ${ctx.template.id}: no parameter "${name}"`);
    return ctx.values[name];
  };
  return { value: walk(shape, ''), sources };
}

const join = (path: string, k: string | number) => (path ? `${path}.${k}` : String(k));

/**
 * The parameter behind a problem at `path` inside a filled value: the deepest recorded path the
 * problem's path starts with (`traits.0.max` for `traits.0.max`, `pins.0` for `pins.0.itemId`).
 */
export function sourceOf(sources: ReadonlyMap<string, string>, path: string): string | undefined {
  let best: string | undefined;
  for (const [at, name] of sources) {
    const covers = path === at || path.startsWith(`${at}.`) || at.startsWith(`${path}.`);
    if (covers && (best === undefined || at.length > best.length)) best = at;
  }
  return best === undefined ? undefined : sources.get(best);
}

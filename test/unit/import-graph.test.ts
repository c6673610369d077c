// @vitest-environment node
/**
 * No import circle in the source folders (DESIGN.md "Rules of the house": one direction, no
 * cycles). Every `.ts`/`.tsx` file under the roots is parsed with the TypeScript compiler and every
 * static edge counts: `import`, `import type`, `export … from`, `export type … from`, side-effect
 * `import '…'`. Dynamic `import()` does not (it is how chunks load lazily). A circle is named file
 * by file, so the failure says where to cut.
 *
 * The roots are an explicit list and the walk is generic: files moved into folders, or new ones,
 * are found without editing this test.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** the folders whose import graph must have no circle */
const ROOTS = ['sdk', 'widgets', 'server-stub'];

function files(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(name == 'node_modules' ? [] : files(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** the static import/export specifiers of one file, type-only ones included */
function specifiers(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const s of source.statements) {
    const spec = (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier;
    if (spec && ts.isStringLiteral(spec)) out.push(spec.text);
    // `import x = require('./y')`
    if (ts.isImportEqualsDeclaration(s) && ts.isExternalModuleReference(s.moduleReference)) {
      const e = s.moduleReference.expression;
      if (ts.isStringLiteral(e)) out.push(e.text);
    }
  }
  return out;
}

/** a relative specifier to the file it names (`./x` → x.ts, x.tsx, x/index.ts; `./x.js` → x.ts) */
function resolveSpec(from: string, spec: string, known: Set<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  return [base, stem + '.ts', stem + '.tsx', join(base, 'index.ts'), join(base, 'index.tsx')].find((p) => known.has(p));
}

/** file → the files it imports statically, over every file under `roots` (edges may cross roots) */
export function importGraph(base: string, roots: string[]): Map<string, string[]> {
  const all = roots.flatMap((r) => files(join(base, r)));
  const known = new Set(all);
  const graph = new Map<string, string[]>();
  for (const f of all) {
    const to = specifiers(f)
      .map((s) => resolveSpec(f, s, known))
      .filter((p): p is string => !!p);
    graph.set(f, [...new Set(to)]);
  }
  return graph;
}

/**
 * Every circle, as a list of files starting and ending with the same one: one per strongly
 * connected component (Tarjan), traced through it so it reads as a path.
 */
export function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) == idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w != v);
      if (c.length > 1 || graph.get(v)?.includes(v)) components.push(c);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  // a shortest path from the component's first file back to itself, inside the component
  return components.map((c) => {
    const inside = new Set(c);
    const start = [...c].sort()[0]!;
    const prev = new Map<string, string>();
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      for (const w of graph.get(queue[i]!) ?? []) {
        if (!inside.has(w)) continue;
        if (w == start) {
          const path = [start];
          for (let p: string | undefined = queue[i]; p && p != start; p = prev.get(p)) path.splice(1, 0, p);
          return [...path, start];
        }
        if (!prev.has(w)) prev.set(w, queue[i]!), queue.push(w);
      }
    }
    return [start, start];
  });
}

const show = (base: string, c: string[]) => c.map((f) => relative(base, f)).join(' → ');

describe('import graph', () => {
  const graph = importGraph(repo, ROOTS);
  const found = circles(graph);

  it('sees every source folder', () => {
    for (const r of ROOTS) expect([...graph.keys()].some((f) => relative(repo, f).startsWith(r + '/')), r).toBe(true);
  });

  it.each(ROOTS)('%s/ is in no import circle', (root) => {
    const mine = found.filter((c) => c.some((f) => relative(repo, f).startsWith(root + '/')));
    expect(mine.map((c) => show(repo, c)), `import circles through ${root}/`).toEqual([]);
  });

  it('finds circles made of type-only imports and re-exports, across folders, and names them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-graph-'));
    try {
      const put = (p: string, text: string) => (mkdirSync(dirname(join(dir, p)), { recursive: true }), writeFileSync(join(dir, p), text));
      put('a/net.ts', "import { x } from './rules';\nexport const y = x;\n");
      put('a/rules.ts', "import type {\n  T,\n} from './types';\nexport const x = 1 as unknown as T;\n");
      put('a/types.ts', "// import type { Z } from './zzz' is a comment, not an edge\nimport type { N } from './net.js';\nexport type T = N;\n");
      put('a/lazy.ts', "export const later = () => import('./net');\n");
      put('b/index.ts', "export * from '../a/lazy';\nexport { t } from './x';\n");
      put('b/x/index.tsx', "import '../index';\nexport const t = 1;\n");
      const g = importGraph(dir, ['a', 'b']);
      expect(circles(g).map((c) => show(dir, c)).sort()).toEqual([
        'a/net.ts → a/rules.ts → a/types.ts → a/net.ts',
        'b/index.ts → b/x/index.tsx → b/index.ts',
      ]);
      // dynamic import() is no edge: lazy.ts is in no circle
      expect(g.get(join(dir, 'a/lazy.ts'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

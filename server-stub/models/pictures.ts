/** Writes a model's pictures into a folder: one SVG per feature shape, its importance, its pairs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fitted } from './evaluate';
import { shapes } from './shapes';
import { binLabels, importanceSvg, pairSvg, shapeSvg } from './svg';
import type { Table } from './table';

const file = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_');

/** Returns the file names written. `label` names the model in titles and file names. */
export function writePictures(dir: string, label: string, f: Fitted, t: Table): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, svg: string) => {
    writeFileSync(join(dir, name), svg);
    written.push(name);
  };
  const all = shapes(f, t);
  for (const s of all) put(`${file(label)}-${file(s.feature)}.svg`, shapeSvg(s, `${label}: ${s.feature}${f.kind === 'trees' ? ' (partial dependence)' : ''}`));
  put(`${file(label)}-importance.svg`, importanceSvg(all, `${label}: feature importance`));
  if (f.kind === 'additive') {
    const names = t.spec.features.map((x) => x.name);
    for (const term of f.model.terms) {
      if (term.kind !== 'pair') continue;
      const [a, b] = term.features.map((n) => names.indexOf(n)) as [number, number];
      const labels: [string[], string[]] = [binLabels(term.edges[0], f.model.levels[a]), binLabels(term.edges[1], f.model.levels[b])];
      put(`${file(label)}-pair-${file(term.features.join('-'))}.svg`, pairSvg(term, labels, `${label}: ${term.features.join(' × ')}`));
    }
  }
  return written;
}

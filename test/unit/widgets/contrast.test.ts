// WCAG 2.1 AA: every default text colour against every background it is drawn on keeps a contrast
// of at least 4.5:1, in the light and the dark theme. The colours are read from the stylesheet.
import { describe, expect, it } from 'vitest';
import { styles } from '../../../widgets/styles';

/** the theme's internal properties, e.g. { b: '#f4f5f7', f: '#171a21', … } (public override's default) */
function theme(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of block.matchAll(/--(\w)\s*:\s*(?:var\(--sw-[\w-]+,\s*)?(#[0-9a-f]{3,6})/gi)) out[m[1]!] = m[2]!;
  return out;
}
const light = theme(styles.match(/\.sw\{([^}]*)\}/)![1]!);
const dark = theme(styles.match(/\.sw-dark\{([^}]*)\}/)![1]!);

const rgb = (hex: string) => {
  const h = hex.length == 4 ? hex.replace(/\w/g, (c) => c + c) : hex;
  return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
};
const lum = (hex: string) => {
  const [r, g, b] = rgb(hex).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
};
const ratio = (a: string, b: string) => {
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
};

// text → the backgrounds it appears on (b: region and disclosure/reasons boxes, c: cards)
const PAIRS: [string, string, string][] = [
  ['f', 'b', 'headings, reasons'],
  ['f', 'c', 'titles'],
  ['m', 'c', 'subtitles, badges, links'],
  ['m', 'b', 'disclosure, empty state, close button'],
  ['a', 'c', 'headline figure'],
  ['o', 'a', 'call to action'],
  ['g', 'c', 'risk R1–R2'],
  ['y', 'c', 'risk R3'],
  ['e', 'c', 'risk R4–R5'],
];

describe('contrast of the default themes', () => {
  for (const [name, t] of [
    ['light', light],
    ['dark', dark],
  ] as const)
    it(`${name}: every text/background pair is at least 4.5:1`, () => {
      const report = PAIRS.map(([fg, bg, what]) => ({ what, fg: t[fg], bg: t[bg], ratio: +ratio(t[fg]!, t[bg]!).toFixed(2) }));
      console.log(`[contrast] ${name}: ` + report.map((r) => `${r.what} ${r.ratio}`).join(', '));
      for (const r of report) expect(r.ratio, `${r.what} ${r.fg} on ${r.bg}`).toBeGreaterThanOrEqual(4.5);
    });

  it('the dark theme is also what prefers-color-scheme: dark gets for theme=auto', () => {
    expect(styles).toMatch(/@media \(prefers-color-scheme:dark\)\{\.sw-auto\{--b:/);
    expect(Object.keys(dark).sort()).toEqual(Object.keys(light).sort());
  });
});

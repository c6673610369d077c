/**
 * Item artwork: a small SVG per item, drawn from its kind, category and id (deterministic), with
 * its headline figure. No external references, no script; every text is XML-escaped (the figure
 * may come from an operator's catalog). The server adds a sandboxing CSP on top.
 */
import { hash, prng } from './random';
import type { CatalogItem, Kind } from './types';

const PALETTES: Record<Kind, [string, string]> = {
  fund: ['#0f766e', '#2563eb'],
  deposit: ['#15803d', '#0d9488'],
  wealth: ['#6d28d9', '#b45309'],
  loan: ['#c2410c', '#b91c1c'],
  card: ['#1e3a8a', '#0f172a'],
  insurance: ['#0e7490', '#1d4ed8'],
  article: ['#57534e', '#1c1917'],
  ad: ['#be185d', '#c2410c'],
  reminder: ['#b45309', '#92400e'],
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function motif(kind: Kind, random: () => number): string {
  const w = 'fill="none" stroke="#fff" stroke-opacity=".55" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"';
  switch (kind) {
    case 'fund': {
      let y = 130;
      const pts: string[] = [];
      for (let x = 150; x <= 300; x += 15) {
        y = Math.max(40, Math.min(160, y - 12 + random() * 18));
        pts.push(`${x},${y.toFixed(0)}`);
      }
      return `<polyline ${w} points="${pts.join(' ')}"/>`;
    }
    case 'deposit':
      return [0, 1, 2, 3].map((i) => `<ellipse cx="240" cy="${140 - i * 22}" rx="48" ry="14" fill="#fff" fill-opacity="${0.25 + i * 0.12}"/>`).join('');
    case 'wealth':
      return [0, 1, 2, 3].map((i) => `<rect x="${190 + i * 28}" y="${140 - (i + 1) * 22}" width="18" height="${(i + 1) * 22 + 20}" rx="4" fill="#fff" fill-opacity=".45"/>`).join('');
    case 'loan':
      return `<path ${w} d="M200 150V95l45-35 45 35v55zM232 150v-30h26v30"/>`;
    case 'card':
      return `<rect x="170" y="60" width="130" height="82" rx="10" fill="#fff" fill-opacity=".25"/><rect x="186" y="84" width="26" height="20" rx="4" fill="#fde68a"/>`;
    case 'insurance':
      return `<path ${w} d="M245 45l45 16v34c0 30-20 48-45 58-25-10-45-28-45-58V61z"/>`;
    case 'article':
      return [0, 1, 2, 3, 4].map((i) => `<rect x="190" y="${55 + i * 20}" width="${i === 4 ? 60 : 100}" height="8" rx="4" fill="#fff" fill-opacity=".5"/>`).join('');
    case 'ad':
      return [0, 1, 2].map(() => `<circle cx="${(180 + random() * 120).toFixed(0)}" cy="${(40 + random() * 110).toFixed(0)}" r="${(10 + random() * 30).toFixed(0)}" fill="#fff" fill-opacity=".25"/>`).join('');
    case 'reminder':
      return `<path ${w} d="M245 50c-25 0-38 20-38 45v25l-12 15h100l-12-15V95c0-25-13-45-38-45zM233 145a12 12 0 0 0 24 0"/>`;
  }
}

/** The thumbnail's side, in SVG units; cards draw it at 44 px, product pages at 56 px. */
export const SIDE = 96;
/** room for the figure: the side less a margin on each end */
const ROOM = SIDE - 16;
const MAX_FONT = 30;
/** below this the figure would be unreadable at 44 px: the thumbnail goes without it */
const MIN_FONT = 16;

/**
 * Advance widths in em of bold system sans-serif glyphs, a little generous: digits and most Latin
 * letters ~0.6, narrow punctuation ~0.3, `%` and wide letters ~0.9, CJK a full em.
 */
function ems(text: string): number {
  let w = 0;
  for (const c of text) w += /[.,:;!|il1' ]/.test(c) ? 0.32 : /[%MWmw@]/.test(c) ? 0.92 : c.charCodeAt(0) > 0x2e80 ? 1 : 0.62;
  return w;
}

/**
 * The figure's font size so that it fits the thumbnail's width, or 0 when it cannot be shown
 * readably. Invariant: `ems(text) × size ≤ ROOM`, and the text also carries `textLength`, so a font
 * wider than the estimate is squeezed to the room rather than clipped.
 */
export function figureSize(text: string): number {
  const size = Math.min(MAX_FONT, Math.floor(ROOM / Math.max(ems(text), 0.01)));
  return size >= MIN_FONT ? size : 0;
}

/** The SVG of an item: a square thumbnail, its headline figure written to fit. */
export function itemSvg(item: CatalogItem): string {
  const random = prng(hash(item.id));
  const [from, to] = PALETTES[item.kind];
  const figure = item.highlight?.value ?? '';
  const size = figure ? figureSize(figure) : 0;
  const width = Math.min(ROOM, Math.ceil(ems(figure) * size));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIDE} ${SIDE}" width="${SIDE}" height="${SIDE}" role="img">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>` +
    `<rect width="${SIDE}" height="${SIDE}" fill="url(#g)"/>` +
    // the motifs were drawn for a 320×180 banner, centred near (240, 102): scaled into the lower
    // right below a figure, else into the middle
    `<g transform="${size ? 'translate(-39 21) scale(.42)' : 'translate(-101 -15) scale(.62)'}">${motif(item.kind, random)}</g>` +
    (size
      ? `<text x="8" y="${12 + size}" textLength="${width}" lengthAdjust="spacingAndGlyphs" font-family="system-ui,sans-serif" font-size="${size}" font-weight="700" fill="#fff">${escapeXml(figure)}</text>`
      : '') +
    `</svg>`
  );
}

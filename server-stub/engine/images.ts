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

/** The SVG of an item, 320×180. */
export function itemSvg(item: CatalogItem): string {
  const random = prng(hash(item.id));
  const [from, to] = PALETTES[item.kind];
  const figure = item.highlight?.value ?? '';
  const risk = item.risk ?? '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 180" width="320" height="180" role="img">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>` +
    `<rect width="320" height="180" rx="12" fill="url(#g)"/>` +
    motif(item.kind, random) +
    (figure
      ? `<text x="24" y="104" font-family="system-ui,sans-serif" font-size="34" font-weight="700" fill="#fff">${escapeXml(figure.slice(0, 16))}</text>`
      : '') +
    (risk ? `<text x="24" y="150" font-family="system-ui,sans-serif" font-size="16" fill="#fff" fill-opacity=".85">${escapeXml(risk)}</text>` : '') +
    `</svg>`
  );
}

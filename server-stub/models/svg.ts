/**
 * The pictures, as standalone SVG text (no script, no external reference): a numeric shape is a
 * curve over a histogram of the rows' values; a categorical shape is a bar per level with its row
 * count; importance is a bar per feature; calibration is a reliability plot (mean prediction vs
 * observed rate per probability bin, the diagonal is perfect); a pair is a heat map.
 * The y axis of a shape is the contribution to the logit (log-odds) against a typical row.
 */
import type { PairTerm } from './additive';
import type { Shape } from './shapes';

const W = 480;
const H = 300;
const M = { l: 56, r: 16, t: 32, b: 64 };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(1) : x.toFixed(2));
const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#8250df', '#bf8700'];

function frame(title: string, body: string, height = H): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" font-family="system-ui, sans-serif" font-size="11">
<rect width="${W}" height="${height}" fill="#fff"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="600">${esc(title)}</text>
${body}
</svg>
`;
}

function yAxis(lo: number, hi: number, y: (v: number) => number, label: string): string {
  const ticks = [lo, (lo + hi) / 2, hi];
  return (
    ticks.map((v) => `<text x="${M.l - 4}" y="${y(v) + 4}" text-anchor="end">${num(v)}</text><line x1="${M.l}" x2="${W - M.r}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`).join('') +
    `<text transform="translate(12 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${esc(label)}</text>`
  );
}

function range(values: number[]): [number, number] {
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

export function shapeSvg(s: Shape, title: string): string {
  const [lo, hi] = range(s.ys);
  const y = (v: number) => M.t + ((hi - v) / (hi - lo)) * (H - M.t - M.b);
  const zero = `<line x1="${M.l}" x2="${W - M.r}" y1="${y(0)}" y2="${y(0)}" stroke="#888"/>`;
  if (s.kind === 'categorical') {
    const n = s.levels.length;
    const bw = (W - M.l - M.r) / Math.max(1, n);
    const bars = s.levels
      .map((level, l) => {
        const v = s.ys[l]!;
        const x = M.l + l * bw;
        const top = Math.min(y(v), y(0));
        return `<rect x="${x + bw * 0.15}" y="${top}" width="${bw * 0.7}" height="${Math.abs(y(v) - y(0))}" fill="${v >= 0 ? COLORS[0] : COLORS[1]}"><title>${esc(level)}: ${num(v)} (${s.counts[l]} rows)</title></rect>` +
          `<text transform="translate(${x + bw / 2} ${H - M.b + 8}) rotate(45)" font-size="10">${esc(level)} (${s.counts[l]})</text>`;
      })
      .join('');
    return frame(title, yAxis(lo, hi, y, 'contribution (log-odds)') + zero + bars);
  }
  if (!s.xs.length) return frame(title, '<text x="240" y="150" text-anchor="middle">no values</text>');
  const x0 = s.xs[0]!;
  const x1 = s.xs[s.xs.length - 1]! === x0 ? x0 + 1 : s.xs[s.xs.length - 1]!;
  const x = (v: number) => M.l + ((v - x0) / (x1 - x0)) * (W - M.l - M.r);
  // histogram of the rows' values in 30 bins along the bottom (the rug: where the data is)
  const hist = new Float64Array(30);
  for (const v of s.values) if (!Number.isNaN(v) && v >= x0 && v <= x1) hist[Math.min(29, Math.floor(((v - x0) / (x1 - x0)) * 30))]!++;
  const hmax = Math.max(1, ...hist);
  const bw = (W - M.l - M.r) / 30;
  const bars = Array.from(hist, (c, b) => `<rect x="${M.l + b * bw}" y="${H - M.b - (c / hmax) * 40}" width="${bw - 1}" height="${(c / hmax) * 40}" fill="#d0d7de"/>`).join('');
  const path = s.xs.map((v, i) => `${i ? 'L' : 'M'}${x(v).toFixed(1)},${y(s.ys[i]!).toFixed(1)}`).join('');
  const label = s.transform === 'none' ? s.feature : `${s.transform}(${s.feature})`;
  const xt = [x0, (x0 + x1) / 2, x1].map((v) => `<text x="${x(v)}" y="${H - M.b + 14}" text-anchor="middle">${num(v)}</text>`).join('');
  return frame(
    title,
    bars + yAxis(lo, hi, y, 'contribution (log-odds)') + zero + `<path d="${path}" fill="none" stroke="${COLORS[0]}" stroke-width="2"/>` + xt +
      `<text x="${(M.l + W - M.r) / 2}" y="${H - M.b + 30}" text-anchor="middle">${esc(label)} — grey: rows per value</text>`,
  );
}

export function importanceSvg(shapes: Shape[], title: string): string {
  const sorted = [...shapes].sort((a, b) => b.importance - a.importance);
  const rowH = 18;
  const height = M.t + sorted.length * rowH + 30;
  const max = Math.max(1e-9, ...sorted.map((s) => s.importance));
  const left = 110;
  const body = sorted
    .map((s, i) => {
      const w = (s.importance / max) * (W - left - 60);
      const yy = M.t + i * rowH;
      return `<text x="${left - 6}" y="${yy + 12}" text-anchor="end">${esc(s.feature)}</text><rect x="${left}" y="${yy + 2}" width="${w}" height="${rowH - 5}" fill="${COLORS[0]}"/><text x="${left + w + 4}" y="${yy + 12}">${num(s.importance)}</text>`;
    })
    .join('');
  return frame(title, body + `<text x="${W / 2}" y="${height - 8}" text-anchor="middle">mean |contribution| over the rows (log-odds)</text>`, height);
}

export function calibrationSvg(curves: { name: string; points: { predicted: number; observed: number; count: number }[] }[], title: string): string {
  const side = H - M.t - M.b;
  const max = Math.min(1, Math.max(0.1, ...curves.flatMap((c) => c.points.flatMap((p) => [p.predicted, p.observed]))));
  const x = (v: number) => M.l + (v / max) * side;
  const y = (v: number) => M.t + side - (v / max) * side;
  const grid = [0, max / 2, max].map((v) => `<text x="${x(v)}" y="${M.t + side + 14}" text-anchor="middle">${num(v)}</text><text x="${M.l - 4}" y="${y(v) + 4}" text-anchor="end">${num(v)}</text>`).join('');
  const lines = curves
    .map((c, i) => {
      const d = c.points.map((p, k) => `${k ? 'L' : 'M'}${x(p.predicted).toFixed(1)},${y(p.observed).toFixed(1)}`).join('');
      const dots = c.points.map((p) => `<circle cx="${x(p.predicted).toFixed(1)}" cy="${y(p.observed).toFixed(1)}" r="${Math.min(6, 1.5 + Math.log10(p.count + 1))}" fill="${COLORS[i % COLORS.length]}"><title>${esc(c.name)}: predicted ${num(p.predicted)}, observed ${num(p.observed)}, ${p.count} rows</title></circle>`).join('');
      return `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"/>${dots}<text x="${M.l + side + 20}" y="${M.t + 14 + i * 16}" fill="${COLORS[i % COLORS.length]}">● ${esc(c.name)}</text>`;
    })
    .join('');
  return frame(
    title,
    `<rect x="${M.l}" y="${M.t}" width="${side}" height="${side}" fill="none" stroke="#ccc"/><line x1="${x(0)}" y1="${y(0)}" x2="${x(max)}" y2="${y(max)}" stroke="#888" stroke-dasharray="4 3"/>` +
      grid + lines + `<text x="${M.l + side / 2}" y="${M.t + side + 30}" text-anchor="middle">mean predicted probability</text>` +
      `<text transform="translate(14 ${M.t + side / 2}) rotate(-90)" text-anchor="middle">observed rate</text>`,
  );
}

/** A pair term as a heat map: rows are the first feature's bins, columns the second's; blue raises, red lowers. */
export function pairSvg(t: PairTerm, labels: [string[], string[]], title: string): string {
  const [na, nb] = t.sizes;
  const max = Math.max(1e-9, ...t.table.map(Math.abs));
  const cw = (W - M.l - M.r - 40) / nb;
  const ch = (H - M.t - M.b) / na;
  const cells: string[] = [];
  for (let a = 0; a < na; a++) {
    for (let b = 0; b < nb; b++) {
      const v = t.table[a * nb + b]!;
      const alpha = Math.min(1, Math.abs(v) / max).toFixed(2);
      cells.push(`<rect x="${M.l + 40 + b * cw}" y="${M.t + a * ch}" width="${cw}" height="${ch}" fill="${v >= 0 ? COLORS[0] : COLORS[1]}" fill-opacity="${alpha}"><title>${esc(labels[0][a] ?? '')} × ${esc(labels[1][b] ?? '')}: ${num(v)}</title></rect>`);
    }
  }
  const rowLabels = labels[0].map((l, a) => (na <= 16 || a % Math.ceil(na / 16) === 0 ? `<text x="${M.l + 36}" y="${M.t + a * ch + ch / 2 + 4}" text-anchor="end" font-size="9">${esc(l)}</text>` : '')).join('');
  const colLabels = labels[1].map((l, b) => (nb <= 16 || b % Math.ceil(nb / 16) === 0 ? `<text transform="translate(${M.l + 40 + b * cw + cw / 2} ${H - M.b + 8}) rotate(45)" font-size="9">${esc(l)}</text>` : '')).join('');
  return frame(title, cells.join('') + rowLabels + colLabels + `<text x="${W / 2}" y="${H - 6}" text-anchor="middle">${esc(t.features[0])} (rows) × ${esc(t.features[1])} (columns); max |c| = ${num(max)} log-odds</text>`);
}

/** Labels of a pair term's bins: level names, or numeric bin ranges "< e0", "e0–e1", … */
export function binLabels(edges: number[] | null, levels: string[] | null | undefined): string[] {
  if (!edges) return levels ?? [];
  if (!edges.length) return ["all"];
  return Array.from({ length: edges.length + 1 }, (_, b) => (b === 0 ? `< ${num(edges[0]!)}` : b === edges.length ? `≥ ${num(edges[b - 1]!)}` : `${num(edges[b - 1]!)}–${num(edges[b]!)}`));
}

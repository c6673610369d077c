/**
 * Item-to-item: items often viewed in the same session as the ones this user engaged with
 * recently, scored by summed co-view similarity over the seeds.
 */
import type { Strategy } from './context';

export const item2item: Strategy = (ctx, limit) => {
  const s = ctx.signals;
  if (!s || !s.seeds.length) return [];
  const score = new Map<number, number>();
  for (const seed of s.seeds) {
    const neighbours = ctx.stats.neighbours(seed);
    if (!neighbours) continue;
    for (const ix of neighbours.keys()) {
      if (score.has(ix) || s.seeds.includes(ix)) continue;
      let v = 0;
      for (const other of s.seeds) v += ctx.stats.similarity(other, ix);
      score.set(ix, v);
    }
  }
  const ranked = [...score].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const out: number[] = [];
  for (const [ix] of ranked) {
    if (out.length >= limit) break;
    if (ctx.eligible(ix)) out.push(ix);
  }
  return out;
};

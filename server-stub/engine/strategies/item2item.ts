/**
 * Item-to-item: items often viewed in the same session as the ones this user engaged with
 * recently, scored by summed co-view similarity over the seeds (computed once per request in
 * the signals).
 */
import type { Strategy } from './context';

export const item2item: Strategy = (ctx, limit) => {
  const s = ctx.signals;
  if (!s || !s.co.size) return [];
  const ranked = [...s.co].filter(([ix]) => !s.seeds.includes(ix)).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const out: number[] = [];
  for (const [ix] of ranked) {
    if (out.length >= limit) break;
    if (ctx.eligible(ix)) out.push(ix);
  }
  return out;
};

/**
 * Item-to-item: items often viewed in the same session as the ones this user engaged with
 * recently, scored by summed co-view similarity over the seeds (computed once per request in
 * the signals).
 *
 * Up to a few hundred items are co-viewed, but only the first `limit` eligible ones are wanted:
 * they come off a binary heap (best first: similarity, then catalog index) instead of a full sort.
 */
import type { Strategy } from './context';

export const item2item: Strategy = (ctx, limit) => {
  const s = ctx.signals;
  if (!s || !s.co.size) return [];
  const ixs = new Int32Array(s.co.size);
  const sims = new Float64Array(s.co.size);
  let n = 0;
  for (let e = 0; e < s.co.size; e++) {
    const ix = s.co.ix[e]!;
    if (s.seeds.includes(ix)) continue;
    ixs[n] = ix;
    sims[n++] = s.co.value[e]!;
  }
  /** whether (similarity a, index ia) comes before (b, ib) */
  const before = (a: number, ia: number, b: number, ib: number) => a > b || (a === b && ia < ib);
  /** sifts (sim, ix) down from slot i of the heap's first n entries: a hole moves, nothing is swapped */
  const down = (i: number, sim: number, ix: number) => {
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(sims[c + 1]!, ixs[c + 1]!, sims[c]!, ixs[c]!)) c++;
      if (!before(sims[c]!, ixs[c]!, sim, ix)) break;
      sims[i] = sims[c]!;
      ixs[i] = ixs[c]!;
      i = c;
    }
    sims[i] = sim;
    ixs[i] = ix;
  };
  for (let i = (n >> 1) - 1; i >= 0; i--) down(i, sims[i]!, ixs[i]!);
  const out: number[] = [];
  while (n > 0 && out.length < limit) {
    const ix = ixs[0]!;
    if (ctx.eligible(ix)) out.push(ix);
    n--;
    if (n > 0) down(0, sims[n]!, ixs[n]!);
  }
  return out;
};

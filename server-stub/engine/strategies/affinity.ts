/**
 * Affinity: items of the categories and tags the user engaged with lately, and of the kinds,
 * categories and tags their device's real-time tags point at (e.g. `fund_interest`).
 */
import type { CapLists } from '../indexes';
import { takeEligible, top, type Strategy } from './context';

export const affinity: Strategy = (ctx, limit) => {
  const s = ctx.signals;
  if (!s) return [];
  const lists: (number[] | undefined)[] = [];
  const at = (lists2: CapLists | undefined) => lists2?.[ctx.cap];
  for (const c of top(s.cat, 3)) lists.push(at(ctx.index.byCategory.get(c)));
  for (const t of top(s.tag, 3)) lists.push(at(ctx.index.byTag.get(t)));
  for (const k of top(s.kind, 1)) lists.push(at(ctx.index.byKind.get(k)));
  for (const x of s.interests) {
    lists.push(at(ctx.index.byKind.get(x) ?? ctx.index.byCategory.get(x) ?? ctx.index.byTag.get(x)));
    if (lists.length >= 12) break;
  }
  const used = lists.filter((l) => l?.length);
  if (!used.length) return [];
  // round-robin over the lists so one strong interest does not take every place
  const per = Math.max(3, Math.ceil(limit / used.length));
  const picked = used.map((l) => takeEligible(ctx, l, per));
  const out: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; out.length < limit && picked.some((p) => i < p.length); i++) {
    for (const p of picked) {
      const ix = p[i];
      if (ix !== undefined && !seen.has(ix) && out.length < limit) {
        seen.add(ix);
        out.push(ix);
      }
    }
  }
  return out;
};

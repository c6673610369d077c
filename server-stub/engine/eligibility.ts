/**
 * Per-request eligibility: every hard rule but the per-slot ones (exclude, page duplicates,
 * diversity), memoised per catalog index — a request checks a few hundred items, some of them
 * several times (once per strategy that lists them, again when placed).
 *
 * The profile's marks (dismissed, not interested, held, today's impressions) are walked once into
 * the memo up front instead of being looked up by item id for every item checked: the marks are
 * bounded (profile.ts LIMITS) and usually few, while a dictionary miss per item checked was the
 * larger cost. An item marked here fails a profile rule; an unmarked one passes all of them, so
 * `check` only tests what the item itself and the request decide.
 */
import { conditionHolds } from './catalog';
import type { ItemCodes } from './codes';
import { DISMISS_MS, memoImpressions, NOT_INTERESTED_MS, type ItemMemo, type Profile } from './profile';
import { POOLS, type CatalogItem } from './types';

const UNKNOWN = 0;
const YES = 1;
const NO = 2;

export interface EligibilityOptions {
  items: readonly CatalogItem[];
  byId: ReadonlyMap<string, CatalogItem>;
  codes: ItemCodes;
  now: number;
  /** highest risk level the user may see */
  cap: number;
  /** undefined when personalisation is off: no caps, marks or conditions then */
  profile?: Profile;
  /** the profile's item memos by catalog index (signals.memos) */
  memos?: ReadonlyMap<number, ItemMemo>;
  /** what item conditions are checked against; undefined: conditional items never apply */
  conditionState?: { tolerance?: string; heldKinds: ReadonlySet<string> };
  /** false once the session saw its share of ads */
  adsLeft: boolean;
  itemPerDay: number;
}

/** `allowed(ix)`: whether the item may be shown on this request, by every rule but the per-slot ones. */
export function createEligibility(o: EligibilityOptions): (ix: number) => boolean {
  const { items, now, cap, profile, conditionState, adsLeft } = o;
  const memo = new Uint8Array(items.length);
  if (profile) {
    const block = (marks: Record<string, number>, forMs: number) => {
      for (const id in marks) {
        const item = o.byId.get(id);
        if (item && now - marks[id]! < forMs) memo[item.ix] = NO;
      }
    };
    block(profile.dismissed, DISMISS_MS);
    block(profile.notInterested, NOT_INTERESTED_MS);
    for (const id in profile.held) {
      const item = o.byId.get(id);
      if (item) memo[item.ix] = NO;
    }
    if (o.memos) for (const [ix, m] of o.memos) if (memoImpressions(m, now) >= o.itemPerDay) memo[ix] = NO;
  }
  // read from the dense columns (codes.ts); only conditional items are looked at as objects
  const { riskOf, startOf, endOf, conditional, poolOf } = o.codes;
  const noAds = !!profile && !adsLeft;
  const AD = POOLS.indexOf('ad');
  const check = (ix: number): boolean => {
    if (riskOf[ix]! > cap) return false;
    if (startOf[ix]! > now || now >= endOf[ix]!) return false;
    if (conditional[ix] && !conditionHolds(items[ix]!.condition, conditionState)) return false;
    return !noAds || poolOf[ix] !== AD;
  };
  return (ix) => {
    const known = memo[ix];
    if (known !== UNKNOWN) return known === YES;
    const ok = check(ix);
    memo[ix] = ok ? YES : NO;
    return ok;
  };
}

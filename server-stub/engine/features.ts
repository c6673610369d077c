/**
 * The scorer's features: what is known about an (item, user, request) triple, as numbers and
 * levels. Personal features (the profile, device tags, segment) are absent — NaN or '' — when
 * the request switched personalisation off or the user is unknown; an absent feature contributes
 * exactly 0 to the score, so a personalisation-off answer depends on no personal data.
 */
import { CATEGORIES, REMINDER_NAMES, TAG_NAMES } from './catalog-data';
import { DAY } from './catalog';
import { fill, KIND_NAMES, REASONS, type Locale } from './i18n';
import { IxSums } from './ix-sums';
import { memoImpressions, memoInterest, valueAt, WINDOW, type ItemMemo, type Profile } from './profile';
import { NEIGHBOURS, type AppStats } from './stats';
import type { CatalogItem, Segment } from './types';

import { CATEGORICAL, NUMERIC, type Feature } from './feature-names';

export { CATEGORICAL, NUMERIC };
export type { CategoricalFeature, Feature, NumericFeature } from './feature-names';

/** Features computed from the user's data; never used when personalisation is off. */
export const PERSONAL: ReadonlySet<Feature> = new Set<Feature>([
  'category_affinity', 'kind_affinity', 'tag_affinity', 'item_interest', 'fatigue', 'co_viewed', 'device_tags', 'risk_fit', 'segment_kind',
]);


/** `num[j]` for NUMERIC[j] (NaN = absent); `cat[j]` for CATEGORICAL[j] ('' = absent). */
export interface Vector {
  num: number[] | Float64Array;
  cat: string[];
}

/** What a request knows about its user, derived once per request from the profile and tags. */
export interface Signals {
  profile: Profile;
  /** category / kind / tag interest, decayed to now */
  cat: Map<string, number>;
  kind: Map<string, number>;
  tag: Map<string, number>;
  /** catalog indices of recently engaged items (item-to-item seeds) */
  seeds: number[];
  /** summed co-view similarity to the seeds, for every item co-viewed with one */
  co: IxSums;
  /**
   * the profile's per-item memos of catalog items, by catalog index: walked once per request, so
   * scoring and eligibility do not look item ids up in the profile's dictionary per item
   */
  memos: Map<number, ItemMemo>;
  /** kinds, categories and item tags the device's real-time tags point at */
  interests: Set<string>;
  tolerance?: number;
  segment: Segment;
}

export interface Scope {
  now: number;
  /** the page's section: home, wealth, loans … */
  page: string;
  stats: AppStats;
  signals?: Signals;
  /** per-request memo of the `page:kind` / `segment:kind` levels, so scoring builds no strings */
  levels?: Map<string, [string, string]>;
}

function decayed(record: Record<string, [number, number, number, number]>, window: 0 | 1 | 2, now: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, c] of Object.entries(record)) {
    const v = valueAt(c, window, now);
    if (v > 1e-3) out.set(k, v);
  }
  return out;
}

/**
 * Device tags → interests: a truthy `<x>_interest` tag points at `x` (a kind, category or item
 * tag), and a string value names one directly (e.g. a `last_category` tag).
 */
export function interestsOf(tags: Record<string, number | string | boolean> | undefined): Set<string> {
  const out = new Set<string>();
  if (!tags) return out;
  for (const [name, value] of Object.entries(tags)) {
    if (value === false || value === 0 || value === '') continue;
    if (name.endsWith('_interest')) out.add(name.slice(0, -'_interest'.length));
    if (typeof value === 'string' && value.length <= 64) out.add(value);
  }
  return out;
}

export function signalsOf(
  profile: Profile,
  o: { now: number; byId: Map<string, CatalogItem>; stats: AppStats; tags?: Record<string, number | string | boolean>; tolerance?: number; segment: Segment },
): Signals {
  const seeds: number[] = [];
  for (const id of profile.recent.slice(-5)) {
    const item = o.byId.get(id);
    if (item) seeds.push(item.ix);
  }
  const co = new IxSums(seeds.length * NEIGHBOURS);
  for (const seed of seeds) o.stats.addNeighbours(seed, co);
  const memos = new Map<number, ItemMemo>();
  for (const id in profile.items) {
    const item = o.byId.get(id);
    if (item) memos.set(item.ix, profile.items[id]!);
  }
  return {
    profile,
    cat: decayed(profile.cat, WINDOW.week, o.now),
    kind: decayed(profile.kind, WINDOW.month, o.now),
    tag: decayed(profile.tag, WINDOW.week, o.now),
    seeds,
    co,
    memos,
    interests: interestsOf(o.tags),
    tolerance: o.tolerance,
    segment: o.segment,
  };
}

const SAVINGS = new Set(['fund', 'deposit', 'wealth']);

/** The item-only features (NUMERIC 0..3, CATEGORICAL kind and risk): the same for every user. */
export const ITEM_NUMERIC = 4;

/**
 * Writes the features of `item` into `num` / `cat` (scratch buffers, so scoring a few hundred
 * candidates allocates nothing per candidate).
 */
export function featurizeInto(scope: Scope, item: CatalogItem, slotKind: string, num: Float64Array | number[], cat: string[]): void {
  const { now, stats, signals: s } = scope;
  const levels = (scope.levels ??= new Map());
  let level = levels.get(item.kind);
  if (!level) levels.set(item.kind, (level = [`${scope.page}:${item.kind}`, s ? `${s.segment}:${item.kind}` : '']));
  itemNumericInto(stats, now, item, num);
  cat[0] = item.kind;
  cat[1] = item.risk ?? 'none';
  cat[2] = level[0];
  cat[3] = slotKind ? slotLevel(slotKind, item.kind) : '';
  cat[4] = level[1];
  if (s) personalInto(scope, s, item, num);
  else for (let j = ITEM_NUMERIC; j < NUMERIC.length; j++) num[j] = NaN;
}

/**
 * The `slot:kind` level, one string per pair for the process: slot kinds and item kinds are closed
 * sets, and a string built once keeps its hash, so the model's and the decision log's lookups of
 * it do not hash a fresh string per placed item.
 */
let slotLevels: Map<string, Map<string, string>> | undefined;
function slotLevel(slotKind: string, kind: string): string {
  let byKind = (slotLevels ??= new Map()).get(slotKind);
  if (!byKind) slotLevels.set(slotKind, (byKind = new Map()));
  let level = byKind.get(kind);
  if (level === undefined) byKind.set(kind, (level = `${slotKind}:${kind}`));
  return level;
}

/** NUMERIC 0..3, from the item and the app's statistics. */
export function itemNumericInto(stats: AppStats, now: number, item: CatalogItem, num: Float64Array | number[]): void {
  num[0] = stats.popularity(item.ix, now);
  num[1] = stats.ctr(item.ix, now);
  num[2] = Math.log1p(Math.max(0, now - item.start) / DAY);
  num[3] = item.rate !== undefined && SAVINGS.has(item.kind) ? item.rate : NaN;
}

/** NUMERIC 4..11, from the user's signals. */
export function personalInto(scope: Scope, s: Signals, item: CatalogItem, num: Float64Array | number[]): void {
  const { now } = scope;
  let tags = 0;
  let matches = 0;
  const interests = s.interests.size > 0;
  if (interests) matches = +s.interests.has(item.kind) + +s.interests.has(item.category);
  for (const t of item.tags) {
    if (s.tag.size) tags += s.tag.get(t) ?? 0;
    if (interests && s.interests.has(t)) matches++;
  }
  const memo = s.memos.get(item.ix);
  num[4] = s.cat.size ? Math.log1p(s.cat.get(item.category) ?? 0) : 0;
  num[5] = s.kind.size ? Math.log1p(s.kind.get(item.kind) ?? 0) : 0;
  num[6] = Math.log1p(tags);
  num[7] = memo ? Math.log1p(memoInterest(memo, now)) : 0;
  num[8] = memo ? memoImpressions(memo, now) : 0;
  num[9] = s.co.size ? s.co.get(item.ix) : 0;
  num[10] = matches;
  num[11] = item.riskLevel && s.tolerance ? 1 - (s.tolerance - item.riskLevel) / 4 : NaN;
}

/** True when the signals hold nothing: every personal numeric feature is 0 (risk fit aside). */
export function isCold(s: Signals): boolean {
  return !s.cat.size && !s.kind.size && !s.tag.size && !s.seeds.length && !s.co.size && !s.interests.size && !s.profile.recent.length && !hasKeys(s.profile.items);
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

export function featurize(scope: Scope, item: CatalogItem, slotKind = ''): Vector {
  const num = new Array<number>(NUMERIC.length);
  const cat = new Array<string>(CATEGORICAL.length);
  featurizeInto(scope, item, slotKind, num, cat);
  return { num, cat };
}

/** A logged feature object (decision-log.ts writes them) back as a vector. */
export function deserialize(json: string): Vector {
  const o = JSON.parse(json) as Record<string, unknown>;
  const num = NUMERIC.map((name) => (typeof o[name] === 'number' ? (o[name] as number) : NaN));
  return { num, cat: CATEGORICAL.map((name) => (typeof o[name] === 'string' ? (o[name] as string) : '')) };
}

const CATEGORY_NAMES = new Map(CATEGORIES.map((c) => [c.category, c.name]));

export function categoryName(category: string, locale: Locale): string {
  return (CATEGORY_NAMES.get(category) ?? REMINDER_NAMES[category])?.[locale] ?? category.replace(/_/g, ' ');
}

/** The plain-language label of a feature's contribution to this item, in the user's words. */
export function reasonLabel(feature: string, locale: Locale, item: CatalogItem, s: Signals | undefined): string {
  const template = REASONS[feature]?.[locale] ?? feature;
  if (!template.includes('{')) return template;
  const values: Record<string, string> = {};
  if (template.includes('{category}')) values.category = categoryName(item.category, locale);
  if (template.includes('{kind}')) values.kind = KIND_NAMES[item.kind]?.[locale] ?? item.kind;
  if (template.includes('{tag}')) {
    let tag = item.tags[0] ?? '';
    if (s) {
      let best = -1;
      for (const t of item.tags) {
        const v = (s.tag.get(t) ?? 0) + (s.interests.has(t) ? 1 : 0);
        if (v > best) [tag, best] = [t, v];
      }
    }
    values.tag = TAG_NAMES[tag]?.[locale] ?? tag.replace(/_/g, ' ');
  }
  if (template.includes('{rate}')) values.rate = item.highlight?.value ?? (item.rate !== undefined ? `${item.rate.toFixed(2)}%` : '');
  if (template.includes('{tolerance}')) values.tolerance = s?.tolerance ? `C${s.tolerance}` : '';
  if (template.includes('{risk}')) values.risk = item.risk ?? '';
  return fill(template, values);
}

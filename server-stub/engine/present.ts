/** A catalog item as the wire contract's `Item`, in the request's locale. */
import type { Item, Reason } from '../../sdk/contract';
import { DAY } from './catalog';
import { BADGES, CTA, DISCLOSURE, type Locale } from './i18n';
import { needsDisclosure, type CatalogItem } from './types';

export interface Placement {
  position: number;
  strategy: string;
  /** predicted click probability */
  score: number;
  explored: boolean;
  reasons: Reason[];
  hot: boolean;
}

export function imagePath(id: string): string {
  return `/v1/images/${encodeURIComponent(id)}.svg`;
}

/** The fields that depend only on the item and the locale, in wire order. */
function own(item: CatalogItem, locale: Locale): Partial<Item> {
  const out: Partial<Item> = {
    id: item.id,
    kind: item.kind,
    category: item.category,
    title: item.title[locale],
    image: item.image ?? imagePath(item.id),
    url: item.url,
    cta: (item.cta ?? CTA[item.kind])![locale],
  };
  if (item.subtitle) out.subtitle = item.subtitle[locale];
  if (item.risk) out.risk = item.risk;
  if (needsDisclosure(item.kind)) out.disclosure = DISCLOSURE[locale];
  if (item.highlight) out.highlight = { label: item.highlight.label[locale], value: item.highlight.value };
  return out;
}

/** The fields that depend on this answer. */
function placed(item: CatalogItem, locale: Locale, now: number, p: Placement): Partial<Item> {
  const badges: string[] = [];
  if (now - item.start < 14 * DAY && now >= item.start) badges.push(BADGES.new[locale]);
  if (p.hot) badges.push(BADGES.hot[locale]);
  const out: Partial<Item> = { position: p.position, strategy: p.strategy, score: Math.round(p.score * 1e4) / 1e4, reasons: p.reasons };
  if (badges.length) out.badges = badges;
  if (p.explored) out.explored = true;
  return out;
}

export function present(item: CatalogItem, locale: Locale, now: number, p: Placement): Item {
  return { ...own(item, locale), ...placed(item, locale, now, p) } as Item;
}

/** Strings kept at most in a cache: past it the cache starts over (a catalog far larger than the default). */
const CACHE_MAX = 50_000;

/** JSON text caches of one engine, whose catalog does not change */
export interface JsonCache {
  /** an item's own fields without the closing brace, per locale, by the item's index (no key string to build and hash per item) */
  heads: Map<string, (string | undefined)[]>;
  /** quoted strings: strategies, reason features and labels, badges */
  quoted: Map<string, string>;
  /** numbers as text: scores and contributions are rounded, so few (a double's shortest text costs ~0.5 µs) */
  numbers: Map<number, string>;
}

const cached = <K>(map: Map<K, string>, key: K, make: () => string) => {
  let s = map.get(key);
  if (s === undefined) {
    if (map.size >= CACHE_MAX) map.clear();
    map.set(key, (s = make()));
  }
  return s;
};

/**
 * `present()` as JSON text, equal once parsed. JSON.stringify of a 4-slot answer took ~100 µs on
 * the engine thread, a seventh of its time per decide, mostly in its cost per call and per string:
 * here an item's own fields are serialised once per locale, and the rest is concatenated from
 * strings and numbers written once each (all from small sets).
 */
export function presentJson(cache: JsonCache, item: CatalogItem, locale: Locale, now: number, p: Placement): string {
  const q = (s: string) => cached(cache.quoted, s, () => JSON.stringify(s));
  // as JSON.stringify writes a number
  const num = (n: number) => cached(cache.numbers, n, () => (Number.isFinite(n) ? String(n) : 'null'));
  const o = placed(item, locale, now, p);
  let heads = cache.heads.get(locale);
  if (!heads) cache.heads.set(locale, (heads = []));
  let json =
    (heads[item.ix] ??= JSON.stringify(own(item, locale)).slice(0, -1)) +
    `,"position":${o.position},"strategy":${q(o.strategy!)},"score":${num(o.score!)},"reasons":[`;
  o.reasons!.forEach((r, i) => (json += `${i ? ',' : ''}{"feature":${q(r.feature)},"label":${q(r.label)},"contribution":${num(r.contribution)}}`));
  json += ']';
  if (o.badges) json += `,"badges":[${o.badges.map(q).join(',')}]`;
  if (o.explored) json += ',"explored":true';
  return json + '}';
}

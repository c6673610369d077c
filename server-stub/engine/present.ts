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

export function present(item: CatalogItem, locale: Locale, now: number, p: Placement): Item {
  const badges: string[] = [];
  if (now - item.start < 14 * DAY && now >= item.start) badges.push(BADGES.new[locale]);
  if (p.hot) badges.push(BADGES.hot[locale]);
  const out: Item = {
    id: item.id,
    kind: item.kind,
    category: item.category,
    title: item.title[locale],
    image: item.image ?? imagePath(item.id),
    url: item.url,
    cta: (item.cta ?? CTA[item.kind])![locale],
    position: p.position,
    strategy: p.strategy,
    score: Math.round(p.score * 1e4) / 1e4,
    reasons: p.reasons,
  };
  if (item.subtitle) out.subtitle = item.subtitle[locale];
  if (badges.length) out.badges = badges;
  if (item.risk) out.risk = item.risk;
  if (needsDisclosure(item.kind)) out.disclosure = DISCLOSURE[locale];
  if (item.highlight) out.highlight = { label: item.highlight.label[locale], value: item.highlight.value };
  if (p.explored) out.explored = true;
  return out;
}

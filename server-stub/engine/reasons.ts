/**
 * "Why this?": an item's largest positive feature contributions, labelled in plain words in the
 * request's locale, after the campaign or exploration that placed it, if any. An item a
 * score-audience campaign placed carries, instead of the click model's reasons, the response
 * model's reasons for the user (score-audiences.ts): why this customer is in the audience.
 */
import type { Reason } from '../../sdk/contract';
import { CATEGORICAL, NUMERIC } from './feature-names';
import { reasonLabel, type Signals } from './features';
import { REASONS, type Locale } from './i18n';
import type { ResolvedCampaign } from './strategies/campaigns';
import type { CatalogItem, LabelCache } from './types';

const NAMES = [...NUMERIC, ...CATEGORICAL];
/** labels with {tag} or {tolerance} read the user's signals; every other label depends on the item and locale only */
const PERSONAL_LABEL = NAMES.map((name) => /\{(tag|tolerance)\}/.test(`${REASONS[name]?.['zh-CN']}${REASONS[name]?.en}`));

export type { LabelCache } from './types';
/** contributions below this are noise, not reasons */
const MIN = 0.02;
const TOP = 3;

export function buildReasons(o: {
  item: CatalogItem;
  contrib: Float64Array;
  locale: Locale;
  signals?: Signals;
  campaign?: ResolvedCampaign;
  explored: boolean;
  strategy?: string;
  labels?: LabelCache;
  /** the response model's reasons when a score-audience campaign placed the item */
  audience?: Reason[];
}): Reason[] {
  const reasons: Reason[] = [];
  if (o.campaign) reasons.push({ feature: 'campaign', label: o.campaign.label[o.locale], contribution: 0 });
  if (o.explored) reasons.push({ feature: 'explore', label: REASONS.explore![o.locale], contribution: 0 });
  if (o.audience) return reasons.concat(o.audience);
  // the TOP largest contributions ≥ MIN, largest first, by insertion into a short list
  const order: number[] = [];
  for (let j = 0; j < NAMES.length; j++) {
    const c = o.contrib[j]!;
    if (c < MIN) continue;
    let at = order.length;
    while (at > 0 && o.contrib[order[at - 1]!]! < c) at--;
    if (at >= TOP) continue;
    for (let i = Math.min(order.length, TOP - 1); i > at; i--) order[i] = order[i - 1]!;
    order[at] = j;
  }
  for (const j of order) {
    let label: string | undefined;
    if (o.labels && !PERSONAL_LABEL[j]) {
      const key = (o.item.ix * NAMES.length + j) * 2 + (o.locale === 'en' ? 1 : 0);
      label = o.labels.get(key);
      if (label === undefined) o.labels.set(key, (label = reasonLabel(NAMES[j]!, o.locale, o.item, o.signals)));
    }
    label ??= reasonLabel(NAMES[j]!, o.locale, o.item, o.signals);
    reasons.push({ feature: NAMES[j]!, label, contribution: Math.round(o.contrib[j]! * 1000) / 1000 });
  }
  if (!reasons.length && o.strategy === 'editorial') reasons.push({ feature: 'editorial', label: REASONS.editorial![o.locale], contribution: 0 });
  return reasons;
}

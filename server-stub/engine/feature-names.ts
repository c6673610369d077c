/**
 * The scorer's feature names, in vector order: `num[j]` is NUMERIC[j], `cat[j]` is CATEGORICAL[j].
 * A leaf module: the decision log, its writer thread and the reasons read the order without the
 * feature code (which reads the engine's statistics).
 */
export const NUMERIC = [
  'popularity', 'ctr', 'freshness', 'yield',
  'category_affinity', 'kind_affinity', 'tag_affinity', 'item_interest', 'fatigue', 'co_viewed', 'device_tags', 'risk_fit',
] as const;
export const CATEGORICAL = ['kind', 'risk', 'page_kind', 'slot_kind', 'segment_kind'] as const;
export type NumericFeature = (typeof NUMERIC)[number];
export type CategoricalFeature = (typeof CATEGORICAL)[number];
export type Feature = NumericFeature | CategoricalFeature;

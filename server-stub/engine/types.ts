/** Shapes shared by the engine's modules. */
import type { RiskLevel, RiskTolerance, SlotKind } from '../../sdk/contract';
import type { Localized } from './i18n';

export const KINDS = ['fund', 'deposit', 'wealth', 'loan', 'card', 'insurance', 'article', 'ad', 'reminder'] as const;
export type Kind = (typeof KINDS)[number];

/** Which items a slot kind may hold: ads only in `ad` slots, reminders only in `reminder` slots. */
export type Pool = 'product' | 'ad' | 'reminder';
export const POOLS: readonly Pool[] = ['product', 'ad', 'reminder'];

export function poolOfKind(kind: Kind): Pool {
  return kind === 'ad' ? 'ad' : kind === 'reminder' ? 'reminder' : 'product';
}
export function poolOfSlot(kind: SlotKind): Pool {
  return kind === 'ad' ? 'ad' : kind === 'reminder' ? 'reminder' : 'product';
}

/** Fund and wealth items carry the risk disclosure. */
export function needsDisclosure(kind: Kind): boolean {
  return kind === 'fund' || kind === 'wealth';
}

/**
 * When a reminder item applies: `no_risk_profile` while the user's tolerance is unknown,
 * `holds:<kind>` once the user holds an item of that kind. Conditions read the profile, so
 * personalisation-off requests never get conditional reminders.
 */
export type Condition = 'no_risk_profile' | `holds:${Kind}`;

/** One catalog item as the engine keeps it; `ix` is its index in the catalog array. */
export interface CatalogItem {
  ix: number;
  id: string;
  kind: Kind;
  category: string;
  risk?: RiskLevel;
  /** 1..5 for R1..R5, 0 when the item has no risk level */
  riskLevel: number;
  /** yield or interest rate in percent (APR for loans) */
  rate?: number;
  termDays?: number;
  minAmount?: number;
  tags: string[];
  /** epoch ms; the item is live in [start, end) */
  start: number;
  end?: number;
  title: Localized;
  subtitle?: Localized;
  url: string;
  /** an operator's own image URL; otherwise the engine serves `/v1/images/<id>.svg` */
  image?: string;
  cta?: Localized;
  highlight?: { label: Localized; value: string };
  /** prior popularity 0..1 (an operator's estimate; the generator draws one) */
  popularity: number;
  /** editorial priority, higher first (curated lists, cold users, personalisation off) */
  editorial: number;
  condition?: Condition;
}

/** 1..5 for C1..C5. */
export function toleranceLevel(t: RiskTolerance | undefined): number | undefined {
  return t ? Number(t[1]) : undefined;
}

/**
 * The highest risk level a user may be shown: the stored tolerance (R2 when none is stored),
 * lowered to the tolerance the request carries when that one is lower. A sent tolerance is the
 * page's word and never raises the cap: the stored one is the bank's (or an earlier identify's),
 * and with none stored the unknown-tolerance cap stands in for it.
 */
export function riskCap(stored: RiskTolerance | undefined, sent?: RiskTolerance): number {
  return Math.min(toleranceLevel(stored) ?? 2, toleranceLevel(sent) ?? 5);
}

export type Segment = 'new' | 'active' | 'dormant' | 'churn_risk';
export const SEGMENTS: readonly Segment[] = ['new', 'active', 'dormant', 'churn_risk'];

/** Reason labels that depend on the item and locale only, by `(ix * features + feature) * 2 + locale`
 * (reasons.ts); bounded by the catalog. */
export type LabelCache = Map<number, string>;

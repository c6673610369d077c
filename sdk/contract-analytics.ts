/**
 * The analytics API's answers (`GET /admin/v1/apps/:app/analytics/<name>`), as TypeScript types
 * shared by the server-stub and the console. Never imported by the SDK bundle: types only, no code.
 *
 * Every analysis takes the common filters `from`, `to` (UTC dates YYYY-MM-DD, both included;
 * default the 30 days ending today), `channel` (web | app), `segment` (the `segment` identify trait),
 * `audience` (a saved audience's id) and `format=csv`; its own parameters are listed with it. Dates
 * in answers are UTC days (YYYY-MM-DD); a `start` is the first day of an interval (a day, or 7 days
 * from `from`); rates are shares in [0, 1] to 4 decimals, 0 when their denominator is 0.
 */

export const ANALYSES = ['acquisition', 'activation', 'funnel', 'path', 'event', 'viral', 'matching', 'churn'] as const;
export type AnalysisName = (typeof ANALYSES)[number];

interface Base {
  from: string;
  to: string;
}

/** `interval` day|week (day), `by` channel|source|medium|campaign|referrer (source), `activation` event (loan_apply_submit), `days` N (7) */
export interface AcquisitionAnswer extends Base {
  analysis: 'acquisition';
  interval: 'day' | 'week';
  by: string;
  activation: { event: string; days: number };
  totals: { new: number; activated: number; rate: number };
  groups: { value: string; new: number; activated: number; rate: number }[];
  series: { start: string; new: number; activated: number; groups: Record<string, { new: number; activated: number }> }[];
}

/** `interval` day|week (week), `dormantDays` D (14), `campaign` a utm_campaign (none) */
export interface ActivationAnswer extends Base {
  analysis: 'activation';
  interval: 'day' | 'week';
  dormantDays: number;
  series: { start: string; active: number; new: number; returning: number; reactivated: number; dormant: number }[];
  dormantAtStart: number;
  campaign: { campaign: string; broughtBack: number; share: number } | null;
}

/** `steps` name[:prop=value…],… (the demo's loan application), `window` 30m|12h|7d… (7d), `by` channel|segment|source|prop:<name> (none) */
export interface FunnelAnswer extends Base {
  analysis: 'funnel';
  windowMs: number;
  steps: {
    step: string;
    customers: number;
    fromPrevious: number;
    fromFirst: number;
    medianMsFromPrevious: number | null;
    droppedAfter: number;
  }[];
  by: string | null;
  groups: { value: string; customers: number[]; conversion: number }[];
}

/** `start` event (loan_apply_exit) or `end` event, `steps` 1–5 (3), `top` labels kept per step 1–20 (5) */
export interface PathAnswer extends Base {
  analysis: 'path';
  direction: 'next' | 'previous';
  anchor: string;
  sessions: number;
  /** `id` is `<depth>:<label>`; depth 0 is the anchor; labels are event names, `page:<path>`, `(end)`, `(other)` */
  nodes: { id: string; depth: number; label: string; count: number }[];
  links: { source: string; target: string; count: number }[];
  paths: { events: string[]; count: number }[];
}

/** `events` a,b,… (the 10 most frequent), `interval` day|week (day), `by` channel|segment|prop:<name> (none), `compare` true|false (true) */
export interface EventAnswer extends Base {
  analysis: 'event';
  interval: 'day' | 'week';
  by: string | null;
  previous: { from: string; to: string } | null;
  events: {
    event: string;
    count: number;
    uniques: number;
    previous: { count: number; uniques: number; change: number | null } | null;
    series: { start: string; count: number; uniques: number; previousCount?: number; previousUniques?: number }[];
    groups: { value: string; count: number; uniques: number }[];
  }[];
}

/** no parameters of its own */
export interface ViralAnswer extends Base {
  analysis: 'viral';
  invitations: number;
  senders: number;
  accepted: number;
  acceptance: number;
  cohort: number;
  kFactor: number;
  cycleTimeMs: number | null;
  topInviters: { customer: string; accepted: number }[];
}

interface MatchingSums {
  impressions: number;
  clicks: number;
  conversions: number;
  /** the sum of the conversions' `value` property */
  conversionValue: number;
  ctr: number;
  cvr: number;
}

/** `by` strategy|slot|campaign|model|segment|channel|explored (strategy); campaign '' is items no campaign placed */
export interface MatchingAnswer extends Base {
  analysis: 'matching';
  by: string;
  totals: MatchingSums;
  groups: (MatchingSums & { value: string; explored: MatchingSums; exploited: MatchingSums })[];
  series: (MatchingSums & { start: string })[];
  /** feedback events whose decision is not in the decision log */
  unmatchedFeedback: number;
  /**
   * Candidates the suitability rule removed, summed over the decisions logged in the range: each
   * decision counts the catalog items of the pools its slots draw from whose risk level is above
   * the customer's cap (the strategies never see them). All channels and segments (the decision
   * log keeps neither); decisions logged before the engine counted them add 0.
   */
  suitabilityRemoved: number;
  /** the same per model version, with the decisions logged */
  suitability: { model: string; decisions: number; removed: number }[];
}

/** `weeks` columns 1–26 (8), `top` customers listed 1–10000 (100), `minRisk` 0–1 (0.5) */
export interface ChurnAnswer extends Base {
  analysis: 'churn';
  retention: { weeks: number; cohorts: { start: string; customers: number; retained: (number | null)[]; rates: (number | null)[] }[] };
  risk: {
    asOf: string;
    horizonDays: number;
    model: { kind: 'additive'; trainedOn: number; churned: number; auc: number; features: string[] } | null;
    scored: number;
    atRisk: number;
    minRisk: number;
    customers: { customer: string; score: number; features: Record<string, number>; reasons: { feature: string; label: string; contribution: number }[] }[];
  };
}

export type AnalysisAnswer = AcquisitionAnswer | ActivationAnswer | FunnelAnswer | PathAnswer | EventAnswer | ViralAnswer | MatchingAnswer | ChurnAnswer;

/** `POST /admin/v1/apps/:app/analytics/<name>/audience?<its parameters>&list=<list>` with `{ name }` */
export interface AudienceRequest {
  name: string;
}

/** A saved audience: campaigns target it as `{ segmentId: id }`. */
export interface AudienceAnswer {
  id: string;
  app: string;
  name: string;
  analysis: AnalysisName;
  params: Record<string, string>;
  size: number;
  createdAt: number;
}

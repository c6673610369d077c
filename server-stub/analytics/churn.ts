/**
 * Churn (流失): weekly retention cohorts (a retention matrix), and a churn-risk score per customer
 * with its reasons. Definitions: README "Analytics".
 *
 * The risk model is the additive scorer of server-stub/models (its main terms), trained on the
 * stored history itself: the customers active in the 8 weeks before `asOf − 28 days` are the rows,
 * the target is "no active day in the 28 days that followed", the features are the activity
 * features below as of that moment. Scored with the same features as of `asOf`, each customer's
 * reasons are the terms that raise their risk most. Trained once per app and `asOf` (memo, refitted
 * when new events came and the fit is older than routes.ts's MODEL_TTL_MS), so a repeated request
 * costs only the scoring.
 */
import type { ChurnAnswer } from '../../sdk/contract-analytics';
import { compile, scoreRow, sigmoid } from '../models/additive';
import { auc } from '../models/metrics';
import { fitMains } from '../models/train-additive';
import type { ModelSpec } from '../models/spec';
import type { Table } from '../models/table';
import { bad, dateOf, DAY_MS, int, keyOf, ratio, type Filters, type Query } from './params';
import type { ActiveDays, AnalyticsStore, Customer } from './store';

export const HORIZON = 28;
const LOOKBACK = 56;
const FEATURES = ['days_since_last', 'active_days_28', 'active_days_prev_28', 'events_28', 'tenure_days'] as const;
const LABELS: Record<(typeof FEATURES)[number], string> = {
  days_since_last: 'days since the last visit',
  active_days_28: 'active days in the last 4 weeks',
  active_days_prev_28: 'active days in the 4 weeks before',
  events_28: 'events in the last 4 weeks',
  tenure_days: 'days since the first visit',
};
/** fewest training rows of each class the model is trained on */
const MIN_CLASS = 20;

/** Per customer: their active days (ascending) and event counts. */
type Activity = Map<number, ActiveDays>;

/** whether `days` (ascending) holds a day in [a, b] */
function within(days: readonly number[] | undefined, a: number, b: number): boolean {
  if (!days) return false;
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]! < a) lo = mid + 1;
    else hi = mid;
  }
  return lo < days.length && days[lo]! <= b;
}

/** The features of a customer as of day `t` (days before t only), log1p'd as the model reads them. */
function features(c: Customer, a: ActiveDays | undefined, t: number): number[] {
  let last = -Infinity;
  let a28 = 0;
  let prev = 0;
  let events = 0;
  const days = a?.days ?? [];
  for (let i = 0; i < days.length; i++) {
    const d = days[i]!;
    const n = a!.n[i]!;
    if (d >= t) break;
    if (d > last) last = d;
    if (d >= t - 28) {
      a28++;
      events += n;
    } else if (d >= t - 56) prev++;
  }
  const since = last === -Infinity ? LOOKBACK : t - 1 - last;
  return [since, a28, prev, events, t - Math.floor(c.firstTs / DAY_MS)].map((x) => Math.log1p(Math.max(0, x)));
}

/** active in the LOOKBACK days before t, and first seen before t */
const eligible = (c: Customer, a: ActiveDays | undefined, t: number) => Math.floor(c.firstTs / DAY_MS) < t && within(a?.days, t - LOOKBACK, t - 1);

const SPEC: ModelSpec = {
  target: { name: 'churn', column: 'churned', positive: ['1'] },
  features: FEATURES.map((name) => ({ name, type: 'numeric' as const, transform: 'log1p' as const })),
  mustNotUse: [],
};

interface Trained {
  compiled: ReturnType<typeof compile>;
  rows: number;
  positives: number;
  auc: number;
}

function train(customers: Customer[], act: Activity, t: number): Trained | null {
  const t0 = t - HORIZON;
  const rows: number[][] = [];
  const y: number[] = [];
  for (const c of customers) {
    const days = act.get(c.cid);
    if (!eligible(c, days, t0)) continue;
    rows.push(features(c, days, t0));
    y.push(within(days?.days, t0, t - 1) ? 0 : 1);
  }
  const positives = y.reduce((s, v) => s + v, 0);
  if (positives < MIN_CLASS || rows.length - positives < MIN_CLASS) return null;
  const table: Table = {
    spec: SPEC,
    n: rows.length,
    y: Uint8Array.from(y),
    cols: FEATURES.map((_, j) => Float64Array.from(rows, (r) => r[j]!)),
    levels: FEATURES.map(() => undefined),
  };
  const { model } = fitMains(table, undefined, { epochs: 8, hidden: 4, batch: 512, seed: 7 });
  const compiled = compile(model);
  const p = rows.map((r) => sigmoid(scoreRow(compiled, r)));
  return { compiled, rows: rows.length, positives, auc: Math.round(auc(p, y) * 1e4) / 1e4 };
}

function run(store: AnalyticsStore, f: Filters, q: Query, memo: Map<string, unknown>) {
  const weeks = int(q, 'weeks', 8, 1, 26);
  const top = int(q, 'top', 100, 1, 10_000);
  const minRiskText = q.minRisk ?? '0.5';
  const minRisk = Number(minRiskText);
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(minRiskText)) throw bad('minRisk', `a probability from 0 to 1, got "${minRiskText}"`);
  const all = store.customers(f.app);
  const kept = all.filter((c) => (!f.channel || c.channel === f.channel) && (!f.keep || f.keep(c.cid)));
  const t = f.toDay + 1;
  const key = `churn\u0001${f.app}\u0001${t}`;
  let model = memo.get(key) as Trained | undefined | null;
  // scoring reads the LOOKBACK days before t; training, HORIZON days more
  const lo = Math.min(f.fromDay, t - LOOKBACK - (model === undefined ? HORIZON : 0));
  const act: Activity = store.activeDays(f.app, lo, t);

  // retention: cohorts by week of first touch, from `from`; week k counts them active in its days
  const cohorts: ChurnAnswer['retention']['cohorts'] = [];
  for (let start = f.fromDay; start <= f.toDay; start += 7) {
    const members = kept.filter((c) => {
      const d = Math.floor(c.firstTs / DAY_MS);
      return d >= start && d < start + 7 && d <= f.toDay;
    });
    const retained: (number | null)[] = [];
    for (let k = 0; k < weeks; k++) {
      const a = start + 7 * k;
      if (a > f.toDay) {
        retained.push(null);
        continue;
      }
      retained.push(members.filter((c) => within(act.get(c.cid)?.days, a, Math.min(a + 6, f.toDay))).length);
    }
    cohorts.push({ start: dateOf(start), customers: members.length, retained, rates: retained.map((r) => (r === null ? null : ratio(r, members.length))) });
  }

  // risk: trained on every customer of the app, scored for the kept ones
  // too little history is not remembered: the next request, with more, may train
  if (model === undefined) {
    model = train(all, act, t);
    if (model) memo.set(key, model);
  }
  const scored: { c: Customer; score: number; x: number[]; out: Float64Array }[] = [];
  if (model) {
    for (const c of kept) {
      const days = act.get(c.cid);
      if (!eligible(c, days, t)) continue;
      const x = features(c, days, t);
      const out = new Float64Array(model.compiled.num.length + model.compiled.pairs.length);
      scored.push({ c, score: sigmoid(scoreRow(model.compiled, x, out)), x, out });
    }
  }
  scored.sort((a, b) => b.score - a.score || a.c.cid - b.c.cid);
  const atRisk = scored.filter((s) => s.score >= minRisk);
  const answer: ChurnAnswer = {
    analysis: 'churn',
    from: dateOf(f.fromDay),
    to: dateOf(f.toDay),
    retention: { weeks, cohorts },
    risk: {
      asOf: dateOf(t),
      horizonDays: HORIZON,
      model: model && { kind: 'additive', trainedOn: model.rows, churned: model.positives, auc: model.auc, features: [...FEATURES] },
      scored: scored.length,
      atRisk: atRisk.length,
      minRisk,
      customers: atRisk.slice(0, top).map((s) => ({
        customer: keyOf(s.c),
        score: Math.round(s.score * 1e4) / 1e4,
        features: Object.fromEntries(FEATURES.map((n, j) => [n, Math.round(Math.expm1(s.x[j]!))])),
        reasons: FEATURES.map((feature, j) => ({ feature, label: LABELS[feature], contribution: Math.round(s.out[j]! * 1e4) / 1e4 }))
          .filter((r) => r.contribution > 0)
          .sort((a, b) => b.contribution - a.contribution)
          .slice(0, 3),
      })),
    },
  };
  return { answer, lists: { at_risk: atRisk.map((s) => keyOf(s.c)) } };
}

export const churn = { name: 'churn' as const, lists: ['at_risk'], run };

/**
 * Matching (匹配), recommendation effectiveness: impressions, clicks, conversions and conversion value
 * of served items per slot, strategy, campaign, model version, segment or channel, explored and
 * exploited apart, and the candidates suitability removed. Definitions: README "Analytics". Read from the an_matching rollup (feed.ts joins each
 * feedback event to its logged decision item), so the answer costs one small range scan.
 */
import type { MatchingAnswer } from '../../sdk/contract-analytics';
import { by as byParam, dateOf, ratio, type Filters, type Query } from './params';
import type { AnalyticsStore } from './store';

export const MATCHING_BY = ['strategy', 'slot', 'campaign', 'model', 'segment', 'channel', 'explored'] as const;

interface Sums {
  impressions: number;
  clicks: number;
  conversions: number;
  conversionValue: number;
}
const rates = (s: Sums) => ({ ...s, conversionValue: Math.round(s.conversionValue * 100) / 100, ctr: ratio(s.clicks, s.impressions), cvr: ratio(s.conversions, s.impressions) });

function run(store: AnalyticsStore, f: Filters, q: Query) {
  const dim = byParam(q, MATCHING_BY, 'strategy', false)!.name as (typeof MATCHING_BY)[number];
  const groups = new Map<string, { all: Sums; explored: Sums; exploited: Sums }>();
  const total: Sums = { impressions: 0, clicks: 0, conversions: 0, conversionValue: 0 };
  const zero = (): Sums => ({ impressions: 0, clicks: 0, conversions: 0, conversionValue: 0 });
  const add = (s: Sums, r: { imp: number; clk: number; conv: number; value: number }) => {
    s.impressions += r.imp;
    s.clicks += r.clk;
    s.conversions += r.conv;
    s.conversionValue += r.value;
  };
  const series = new Map<number, Sums>();
  for (let d = f.fromDay; d <= f.toDay; d++) series.set(d, zero());
  // segment and audience filters need the customer; the rollup keeps the segment trait only
  for (const r of store.matching(f.app, f.fromDay, f.toDay + 1)) {
    if ((f.channel && r.channel !== f.channel) || (f.segment !== undefined && r.segment !== f.segment)) continue;
    const value = dim === 'explored' ? (r.explored ? 'explored' : 'exploited') : String(r[dim]);
    let g = groups.get(value);
    if (!g) groups.set(value, (g = { all: zero(), explored: zero(), exploited: zero() }));
    add(g.all, r);
    add(r.explored ? g.explored : g.exploited, r);
    add(total, r);
    add(series.get(r.day)!, r);
  }
  const suitability = store.removed(f.app, f.fromDay, f.toDay + 1);
  const answer: MatchingAnswer = {
    analysis: 'matching',
    from: dateOf(f.fromDay),
    to: dateOf(f.toDay),
    by: dim,
    totals: rates(total),
    groups: [...groups]
      .map(([value, g]) => ({ value, ...rates(g.all), explored: rates(g.explored), exploited: rates(g.exploited) }))
      .sort((a, b) => b.impressions - a.impressions || (a.value < b.value ? -1 : 1)),
    series: [...series].map(([d, s]) => ({ start: dateOf(d), ...rates(s) })),
    unmatchedFeedback: store.unmatched(f.app),
    suitabilityRemoved: suitability.reduce((n, m) => n + m.removed, 0),
    suitability,
  };
  return { answer, lists: {} as Record<string, string[]> };
}

export const matching = { name: 'matching' as const, lists: [] as string[], run };

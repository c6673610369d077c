// @vitest-environment node
// Each strategy on its own, against the generated catalog and real (in-memory) statistics.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateCatalog } from '../../server-stub/engine/catalog';
import { signalsOf } from '../../server-stub/engine/features';
import { buildIndexes } from '../../server-stub/engine/indexes';
import { bump, newProfile } from '../../server-stub/engine/profile';
import { migrateEngine } from '../../server-stub/engine/schema';
import { createStats } from '../../server-stub/engine/stats';
import { affinity } from '../../server-stub/engine/strategies/affinity';
import { activeCampaigns, audienceProblem, DEFAULT_CAMPAIGNS, resolveCampaigns, type Campaign } from '../../server-stub/engine/strategies/campaigns';
import { takeEligible, type StrategyContext } from '../../server-stub/engine/strategies/context';
import { editorial } from '../../server-stub/engine/strategies/editorial';
import { fresh } from '../../server-stub/engine/strategies/fresh';
import { item2item } from '../../server-stub/engine/strategies/item2item';
import { trending } from '../../server-stub/engine/strategies/trending';
import { poolOfKind, type Pool } from '../../server-stub/engine/types';
import { DAY, T0 } from './engine-fixtures';

const items = generateCatalog({ size: 2000, now: T0 });
const index = buildIndexes(items, T0);
const isLive = (ix: number) => items[ix]!.start <= T0 && (items[ix]!.end === undefined || items[ix]!.end! > T0);

function setup(o: { pool?: Pool; cap?: number; profile?: ReturnType<typeof newProfile>; tags?: Record<string, boolean> } = {}) {
  const db = new Database(':memory:');
  migrateEngine(db);
  const stats = createStats(db, index, 'demo');
  const pool = o.pool ?? 'product';
  const cap = o.cap ?? 5;
  const signals = () => (o.profile || o.tags ? signalsOf(o.profile ?? newProfile(T0), { now: T0, byId: index.byId, stats, tags: o.tags, segment: 'active' }) : undefined);
  const ctx: StrategyContext = {
    index, stats, pool, cap, now: T0, signals: signals(),
    eligible: (ix) => poolOfKind(items[ix]!.kind) === pool && items[ix]!.riskLevel <= cap && isLive(ix),
  };
  /** the context again, with signals read after the statistics changed */
  const again = (): StrategyContext => ({ ...ctx, signals: signals() });
  return { ctx, stats, again };
}

const suitable = (list: number[], cap: number) => list.every((ix) => items[ix]!.riskLevel <= cap);

describe('trending', () => {
  it('ranks by prior popularity when cold, then by what customers engage with now', () => {
    const { ctx, stats } = setup({ cap: 3 });
    const cold = trending(ctx, 20);
    expect(cold).toHaveLength(20);
    expect(suitable(cold, 3)).toBe(true);
    const pops = cold.map((ix) => items[ix]!.popularity);
    expect(pops).toEqual([...pops].sort((a, b) => b - a));
    const unknown = items.find((i) => i.popularity < 0.05 && i.riskLevel <= 3 && poolOfKind(i.kind) === 'product' && isLive(i.ix));
    for (let k = 0; k < 40; k++) stats.count(unknown!.ix, 'clk', T0 - 1000);
    // the lists are refreshed at most every 5 s
    expect(trending(ctx, 20)[0]).not.toBe(unknown!.ix);
    expect(trending({ ...ctx, now: T0 + 5_000 }, 20)[0]).toBe(unknown!.ix);
    // clicks fade: a week later the burst no longer leads
    const later = setup({ cap: 3 });
    for (let k = 0; k < 40; k++) later.stats.count(unknown!.ix, 'clk', T0 - 21 * DAY);
    expect(trending(later.ctx, 20)[0]).not.toBe(unknown!.ix);
  });

  it('respects the risk cap per list, so a cautious user still gets a full list', () => {
    const { ctx } = setup({ cap: 1 });
    const list = trending(ctx, 30);
    expect(list).toHaveLength(30);
    expect(suitable(list, 1)).toBe(true);
  });
});

describe('editorial and fresh', () => {
  it('editorial follows the curated order within the pool', () => {
    const { ctx } = setup({ pool: 'ad', cap: 2 });
    const list = editorial(ctx, 10);
    expect(list.every((ix) => items[ix]!.kind === 'ad')).toBe(true);
    const order = list.map((ix) => items[ix]!.editorial);
    expect(order).toEqual([...order].sort((a, b) => b - a));
  });

  it('fresh lists items launched in the last 30 days, newest first, never ones not started', () => {
    const { ctx } = setup();
    const list = fresh(ctx, 30);
    expect(list.length).toBeGreaterThan(5);
    const starts = list.map((ix) => items[ix]!.start);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    for (const s of starts) expect(s).toBeLessThanOrEqual(T0);
    for (const s of starts) expect(T0 - s).toBeLessThanOrEqual(30 * DAY);
  });
});

describe('affinity', () => {
  it('follows the categories and tags the user engaged with', () => {
    const profile = newProfile(T0);
    profile.cat.index_fund = bump(undefined, 6, T0);
    profile.tag.travel = bump(undefined, 3, T0);
    const { ctx } = setup({ profile });
    const list = affinity(ctx, 30);
    expect(list.length).toBe(30);
    const categories = list.map((ix) => items[ix]!.category);
    expect(categories[0]).toBe('index_fund');
    expect(categories.filter((c) => c === 'index_fund').length).toBeGreaterThan(5);
    expect(list.some((ix) => items[ix]!.tags.includes('travel') && items[ix]!.category !== 'index_fund')).toBe(true);
  });

  it("follows the device's real-time tags", () => {
    const { ctx } = setup({ tags: { deposit_interest: true } });
    const list = affinity(ctx, 10);
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((ix) => items[ix]!.kind === 'deposit')).toBe(true);
  });

  it('has nothing to say about an unknown user', () => {
    expect(affinity(setup().ctx, 10)).toEqual([]);
  });
});

describe('item-to-item', () => {
  it('suggests what was viewed in the same sessions as the user’s recent items', () => {
    const profile = newProfile(T0);
    const products = items.filter((i) => poolOfKind(i.kind) === 'product' && isLive(i.ix));
    const [a, b, c, d] = products;
    profile.recent = [a!.id];
    const { stats, again } = setup({ profile });
    for (let k = 0; k < 5; k++) stats.coview(a!.ix, b!.ix);
    stats.coview(a!.ix, c!.ix);
    stats.coview(c!.ix, d!.ix);
    expect(item2item(again(), 10)).toEqual([b!.ix, c!.ix]);
    expect(stats.similarity(a!.ix, b!.ix)).toBeGreaterThan(stats.similarity(a!.ix, c!.ix));
  });

  it('needs seeds', () => {
    expect(item2item(setup({ profile: newProfile(T0) }).ctx, 10)).toEqual([]);
  });
});

describe('campaigns', () => {
  const logs: string[] = [];
  const extra: Campaign = { id: 'ghost', label: { 'zh-CN': '幽灵', en: 'Ghost' }, priority: 100, start: T0 + DAY, pins: [{ itemId: 'no-such-item', slotKind: 'ad' }] };
  const resolved = resolveCampaigns([...DEFAULT_CAMPAIGNS, extra], index, (m) => logs.push(m));

  it('resolve item ids at load, report unknown ones, and sort by priority', () => {
    expect(logs).toEqual(['campaign ghost: no item "no-such-item" in the catalog; ignored']);
    expect(resolved.map((c) => c.id)).toEqual(['ghost', 'welcome', 'churn_rescue', 'reactivation', 'term_deposit_top20', 'wealth_week', 'loan_rates']);
    expect(resolved.find((c) => c.id === 'welcome')!.pinned.map((p) => items[p.ix]!.id)).toEqual(['welcome-fund', 'welcome-ad']);
  });

  it('match segment, page and time window; segment and score-audience rules need the segment', () => {
    const ids = (o: Parameters<typeof activeCampaigns>[1]) => activeCampaigns(resolved, o).map((c) => c.id);
    expect(ids({ now: T0, page: 'home', segment: 'new' })).toEqual(['welcome', 'term_deposit_top20']);
    // the welcome offers are Home's: a newcomer's other pages are not filled with them
    expect(ids({ now: T0, page: 'loans', segment: 'new' })).toEqual(['loan_rates']);
    expect(ids({ now: T0, page: 'wealth', segment: 'new' })).toEqual(['term_deposit_top20', 'wealth_week']);
    expect(ids({ now: T0, page: 'wealth', segment: 'dormant' })).toEqual(['reactivation', 'term_deposit_top20', 'wealth_week']);
    // score audiences read the profile too: personalisation off (no segment) sees none
    expect(ids({ now: T0, page: 'wealth', segment: undefined })).toEqual(['wealth_week']);
    expect(ids({ now: T0 + 2 * DAY, page: 'home', segment: 'churn_risk' })).toEqual(['ghost', 'churn_rescue', 'term_deposit_top20']);
  });
});

describe('campaign score audiences', () => {
  const label = { 'zh-CN': '为您精选', en: 'For you' };
  it('a malformed audience is a 4xx-shaped problem naming the field; an unknown target names the known ones', () => {
    expect(audienceProblem({ model: 'subscribed', topPercent: 0 }, new Set(['subscribed']), 'campaigns.2')).toEqual({
      code: 'bad_audience', message: 'campaigns.2.audience.topPercent: must be more than 0 and at most 100', path: 'campaigns.2.audience.topPercent',
    });
    expect(audienceProblem({ model: 'subscribed' }, new Set(['subscribed']), 'c')?.message).toBe('c.audience: give exactly one of minScore or topPercent');
    expect(audienceProblem({ model: 'subscribed', minScore: 0.5, topPercent: 10 }, new Set(['subscribed']), 'c')?.code).toBe('bad_audience');
    expect(audienceProblem({ topPercent: 10 }, new Set(['subscribed']), 'c')).toMatchObject({ code: 'invalid_field', path: 'c.audience.model' });
    expect(audienceProblem({ model: 'churn', minScore: 0.5 }, new Set(['subscribed', 'card']), 'campaigns.0')).toEqual({
      code: 'unknown_model',
      message: expect.stringMatching(/^campaigns\.0\.audience\.model: no response model for target "churn" in the registry \(it has: card, subscribed\)/),
      path: 'campaigns.0.audience.model',
    });
    expect(audienceProblem({ model: 'subscribed', topPercent: 10 }, new Set(['subscribed']), 'c')).toBeUndefined();
  });

  it('at load: a malformed audience drops its campaign, an unknown target is reported and kept (it matches once a model is live)', () => {
    const logs: string[] = [];
    const campaigns: Campaign[] = [
      { id: 'bad', label, priority: 3, audience: { model: 'subscribed', topPercent: 150 } },
      { id: 'later', label, priority: 2, audience: { model: 'churn', topPercent: 5 } },
      { id: 'ok', label, priority: 1, audience: { model: 'subscribed', minScore: 0.3 } },
    ];
    const resolved = resolveCampaigns(campaigns, index, (m) => logs.push(m), () => new Set(['subscribed']));
    expect(resolved.map((c) => c.id)).toEqual(['later', 'ok']);
    expect(logs).toEqual([
      'campaign bad.audience.topPercent: must be more than 0 and at most 100',
      expect.stringMatching(/^campaign later\.audience\.model: no response model for target "churn"/),
    ]);
  });
});

describe('takeEligible', () => {
  it('looks at a bounded prefix of a list', () => {
    const { ctx } = setup();
    const seen: number[] = [];
    const probe = { ...ctx, eligible: (ix: number) => (seen.push(ix), ix % 2 === 0) };
    expect(takeEligible(probe, [1, 3, 5, 7, 9, 2, 4], 2, 5)).toEqual([]);
    expect(seen).toEqual([1, 3, 5, 7, 9]);
    expect(takeEligible(probe, [1, 2, 3, 4, 6], 2)).toEqual([2, 4]);
  });
});

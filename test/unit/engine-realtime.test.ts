// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../server-stub/engine';
import { generateCatalog } from '../../server-stub/engine/catalog';
import { bump, segmentOf, valueAt, type Profile } from '../../server-stub/engine/profile';
import { DAY, ev, identify, memoryEngine, request, served, T0, view } from './engine-fixtures';

const items = generateCatalog({ size: 300, now: T0 });
const live = items.filter((i) => i.start <= T0 && (i.end === undefined || i.end > T0));
const bond = live.find((i) => i.category === 'bond_fund')!;
const bond2 = live.filter((i) => i.category === 'bond_fund')[1]!;
const card = live.find((i) => i.kind === 'card')!;

function profile(t: ReturnType<typeof memoryEngine>, key: string): Profile | undefined {
  const data = t.db.prepare('SELECT data FROM engine_profiles WHERE app_key = ? AND user_key = ?').pluck().get('demo', key) as string | undefined;
  return data === undefined ? undefined : (JSON.parse(data) as Profile);
}

describe('decayed counters', () => {
  it('keep ~1, 7 and 30 days of memory and accept late events', () => {
    let c = bump(undefined, 1, T0);
    c = bump(c, 1, T0);
    expect(valueAt(c, 0, T0)).toBeCloseTo(2);
    expect(valueAt(c, 0, T0 + DAY)).toBeCloseTo(2 / Math.E);
    expect(valueAt(c, 1, T0 + 7 * DAY)).toBeCloseTo(2 / Math.E);
    expect(valueAt(c, 2, T0 + 7 * DAY)).toBeGreaterThan(1.5);
    // an event that arrives late counts for what it is worth now
    const late = bump(c, 1, T0 - DAY);
    expect(valueAt(late, 0, T0)).toBeCloseTo(2 + 1 / Math.E);
    // negative evidence never drives a counter below zero
    expect(valueAt(bump(c, -5, T0), 1, T0)).toBe(0);
  });
});

describe('ingest updates profiles in real time', () => {
  it('counts views per category, kind, tag and item, and remembers recent items', () => {
    const t = memoryEngine();
    t.ingest([view('u1', bond.id), view('u1', bond.id), view('u1', card.id)]);
    const p = profile(t, 'u1')!;
    expect(valueAt(p.cat.bond_fund, 1, T0)).toBeCloseTo(2, 1);
    expect(valueAt(p.kind.card, 1, T0)).toBeCloseTo(1, 1);
    for (const tag of bond.tags) expect(valueAt(p.tag[tag], 1, T0)).toBeGreaterThan(1.9);
    expect(p.items[bond.id]![0]).toBeCloseTo(2, 1);
    expect(p.recent).toEqual([bond.id, card.id]);
  });

  it('counts impressions per UTC day and ads per session', () => {
    const t = memoryEngine();
    const ad = live.find((i) => i.kind === 'ad')!;
    t.ingest([ev({ user: 'u1', type: 'impression', itemId: bond.id }), ev({ user: 'u1', type: 'impression', itemId: bond.id }), ev({ user: 'u1', type: 'impression', itemId: ad.id })]);
    let p = profile(t, 'u1')!;
    expect(p.items[bond.id]![3]).toBe(2);
    expect(p.sessionAds).toBe(1);
    // the next day starts from zero; a new session too
    t.clock.now = T0 + DAY;
    t.ingest([ev({ user: 'u1', type: 'impression', itemId: bond.id, ts: T0 + DAY - 1, sessionId: 'session-2' })]);
    p = profile(t, 'u1')!;
    expect(p.items[bond.id]![3]).toBe(1);
    expect(p.sessionAds).toBe(0);
    expect(p.session).toBe('session-2');
  });

  it('marks dismissed, not-interested and held items; not-interested lowers the interest', () => {
    const t = memoryEngine();
    t.ingest([view('u1', bond.id), view('u1', bond.id)]);
    const before = valueAt(profile(t, 'u1')!.cat.bond_fund, 1, T0);
    t.ingest([ev({ user: 'u1', type: 'dismiss', itemId: card.id }), ev({ user: 'u1', type: 'not_interested', itemId: bond2.id })]);
    expect(valueAt(profile(t, 'u1')!.cat.bond_fund, 1, T0)).toBe(0);
    t.ingest([ev({ user: 'u1', name: 'purchase', properties: { itemId: bond.id, amount: 1000 } })]);
    const p = profile(t, 'u1')!;
    expect(Object.keys(p.dismissed)).toEqual([card.id]);
    expect(Object.keys(p.notInterested)).toEqual([bond2.id]);
    expect(Object.keys(p.held)).toEqual([bond.id]);
    expect(valueAt(p.cat.bond_fund, 1, T0)).toBeCloseTo(3, 1);
    expect(before).toBeCloseTo(2, 1);
  });

  it('merges the anonymous profile into the user on identify, and follows the alias afterwards', () => {
    const t = memoryEngine();
    t.ingest([view('anon-9', bond.id), view('anon-9', bond.id)]);
    expect(profile(t, 'anon-9')).toBeDefined();
    t.ingest([identify('u9', { riskTolerance: 'C4', segment: 'active', locale: 'zh-CN' }, 'anon-9')]);
    expect(profile(t, 'anon-9')).toBeUndefined();
    // an event queued before identify, delivered after it, still lands on the user
    t.ingest([view('anon-9', card.id)]);
    const p = profile(t, 'u9')!;
    expect(p.risk).toBe('C4');
    expect(p.segment).toBe('active');
    expect(p.locale).toBe('zh-CN');
    expect(valueAt(p.cat.bond_fund, 1, T0)).toBeCloseTo(2, 1);
    expect(p.recent).toEqual([bond.id, card.id]);
    expect(t.db.prepare('SELECT user_id FROM engine_aliases WHERE anonymous_id = ?').pluck().get('anon-9')).toBe('u9');
  });

  it('ignores traits outside the contract and clamps device clocks ahead of ours', () => {
    const t = memoryEngine();
    t.ingest([identify('u1', { riskTolerance: 'C9', segment: 'vip' }), view('u1', bond.id, { ts: T0 + 30 * DAY })]);
    const p = profile(t, 'u1')!;
    expect(p.risk).toBeUndefined();
    expect(p.segment).toBeUndefined();
    expect(p.last).toBe(T0);
  });

  it('persists everything: a new engine on the same store sees held items and trending stats', () => {
    const t = memoryEngine({ policy: { epsilon: 0 } });
    t.ingest([identify('u1', { riskTolerance: 'C5' }), ev({ user: 'u1', name: 'purchase', properties: { itemId: bond.id } })]);
    const clicks = Array.from({ length: 30 }, (_, i) => ev({ user: `v${i}`, type: 'click', itemId: bond2.id }));
    t.ingest(clicks);
    t.engine.close();
    const again = createEngine({ db: t.db, modelDir: '/nonexistent', now: () => T0, policy: { epsilon: 0 } });
    const ids = served(again.decide('demo', request({ userId: 'u1' }))).map((i) => i.id);
    expect(ids).not.toContain(bond.id);
    expect(ids).toContain(bond2.id);
    // for someone new, bond2 is what the crowd clicks
    const stranger = served(again.decide('demo', request({ user: 'stranger' })));
    expect(stranger.find((i) => i.id === bond2.id)?.strategy).toBe('trending');
    expect(t.db.prepare('SELECT clk FROM engine_item_stats WHERE item_id = ?').pluck().get(bond2.id)).toBeCloseTo(30, 0);
    again.close();
  });

  it('records session co-views for item-to-item, checkpointed write-behind', () => {
    const t = memoryEngine();
    t.ingest([view('u1', bond.id), view('u1', card.id), view('u2', bond.id), view('u2', card.id, { sessionId: 'other' })]);
    expect(t.db.prepare('SELECT count(*) FROM engine_coviews').pluck().get()).toBe(0);
    t.engine.flush();
    const rows = t.db.prepare('SELECT a, b, n FROM engine_coviews ORDER BY a').all();
    expect(rows).toEqual(
      [
        { a: bond.id, b: card.id, n: 1 },
        { a: card.id, b: bond.id, n: 1 },
      ].sort((x, y) => (x.a < y.a ? -1 : 1)),
    );
  });
});

describe('segments', () => {
  it('come from identify, else from activity', () => {
    const t = memoryEngine();
    t.ingest([view('u1', bond.id, { ts: T0 - 100 * DAY }), view('u1', bond.id, { ts: T0 - 2 * DAY })]);
    const p = profile(t, 'u1')!;
    expect(segmentOf(undefined, T0)).toBe('new');
    expect(segmentOf(p, T0)).toBe('dormant');
    expect(segmentOf(p, T0 + 20 * DAY)).toBe('active');
    expect(segmentOf(p, T0 + 40 * DAY)).toBe('dormant');
    expect(segmentOf({ ...p, segment: 'churn_risk' }, T0)).toBe('churn_risk');
  });
});

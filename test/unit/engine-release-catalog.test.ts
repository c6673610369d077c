// @vitest-environment node
// An app's release is its catalog and its campaign caps: the real engine on an in-memory SQLite,
// releases activated as the registry activates them, the clock the only thing set by hand.
import { describe, expect, it } from 'vitest';
import type { Campaign, CatalogItem, Release, RuleSet } from '../../sdk/contract-admin';
import { schemas } from '../../sdk/contract';
import { localDays } from '../../server-stub/engine/caps';
import { seedRuleSet } from '../../server-stub/rules/seed';
import { DAY, ev, HOUR, memoryEngine, request, served, T0 } from './engine-fixtures';

const seed = seedRuleSet({ now: T0 });
let version = 1;
const release = (rules: RuleSet): Release => ({ version: ++version, publishedAt: T0, rules: structuredClone(rules) });

const item = (o: Partial<CatalogItem> & Pick<CatalogItem, 'id' | 'kind'>): CatalogItem => ({
  category: o.kind === 'fund' ? 'equity_fund' : o.kind,
  title: { 'zh-CN': `新品 ${o.id}`, en: `New ${o.id}` },
  tags: ['growth'],
  start: T0 - 30 * DAY,
  ...o,
});

const pin = (id: string, itemId: string, o: Partial<Campaign> = {}): Campaign => ({
  id,
  label: { 'zh-CN': '测试', en: `Campaign ${id}` },
  pages: ['home'],
  priority: 500,
  pins: [{ itemId, slotKind: 'picks' }],
  ...o,
});

const impression = (user: string, itemId: string, ts: number) =>
  ev({ type: 'impression', name: 'impression', anonymousId: user, userId: user, itemId, slotId: 'home.today', decisionId: 'd-test', position: 0, ts });

describe("a release's items are the app's catalog", () => {
  it('decides only from the live release: an added item is served with its image and reasons, a removed one never again', () => {
    const { engine, ingest } = memoryEngine();
    const added = item({ id: 'brand-new-deposit', kind: 'deposit', category: 'term_deposit', risk: 'R1', rate: 2.9, editorial: 50, popularity: 1 });
    const small = { ...seed, items: [...seed.items.filter((i) => i.kind !== 'deposit').slice(0, 40), added] };
    small.campaigns = small.campaigns.filter((c) => [...(c.pins ?? []).map((p) => p.itemId), ...(c.boost?.itemIds ?? [])].every((id) => small.items.some((i) => i.id === id)));
    engine.activate('demo', release({ ...small, campaigns: [...small.campaigns, pin('launch', added.id)] }));
    const ids = new Set(small.items.map((i) => i.id));
    const answer = engine.decide('demo', request({ user: 'u-new' }));
    expect(schemas().decideResponse.parse(answer)).toEqual(answer);
    expect(answer.release).toBe(version);
    const first = answer.slots['home.today']!.items[0]!;
    expect(first).toMatchObject({ id: added.id, title: 'New brand-new-deposit', strategy: 'campaign', image: '/v1/images/brand-new-deposit.svg' });
    expect(first.reasons.map((r) => r.label)).toContain('Campaign launch');
    expect(engine.image(added.id)).toContain('<svg');
    for (let u = 0; u < 30; u++) for (const x of served(engine.decide('demo', request({ user: `u${u}` })))) expect(ids.has(x.id), x.id).toBe(true);

    // its events are counted against the release's items (the item exists for the statistics)
    ingest([ev({ user: 'u1', name: 'item_view', properties: { itemId: added.id }, ts: T0 })]);
    engine.activate('demo', release({ ...small, items: small.items.filter((i) => i.id !== added.id) }));
    expect(engine.image(added.id)).toBeUndefined();
    for (let u = 0; u < 60; u++) for (const x of served(engine.decide('demo', request({ user: `u${u}` })))) expect(x.id).not.toBe(added.id);
    // an event naming the removed item is applied without it
    ingest([ev({ user: 'u1', name: 'item_view', properties: { itemId: added.id }, ts: T0 })]);
  });

  it('keeps suitability for release items: a pinned R5 fund reaches a C5 customer, never an unknown or C3 one', () => {
    const { engine, ingest } = memoryEngine();
    const risky = item({ id: 'r5-launch-fund', kind: 'fund', risk: 'R5', editorial: 90, popularity: 1 });
    engine.activate('demo', release({ ...seed, items: [...seed.items, risky], campaigns: [...seed.campaigns, pin('risky', risky.id, { priority: 900 })] }));
    ingest([ev({ type: 'identify', name: 'identify', anonymousId: 'c5', userId: 'c5', properties: { riskTolerance: 'C5' }, ts: T0 })]);
    ingest([ev({ type: 'identify', name: 'identify', anonymousId: 'c3', userId: 'c3', properties: { riskTolerance: 'C3' }, ts: T0 })]);
    expect(engine.decide('demo', request({ user: 'c5', userId: 'c5' })).slots['home.today']!.items[0]!.id).toBe(risky.id);
    for (const user of ['c3', 'nobody']) {
      const answer = engine.decide('demo', request({ user, userId: user }));
      expect(served(answer).map((x) => x.id)).not.toContain(risky.id);
      for (const x of served(answer)) if (x.risk) expect(Number(x.risk[1])).toBeLessThanOrEqual(user === 'c3' ? 3 : 2);
    }
    // the preview of a draft decides under the draft's items as well, with no side effect
    const draft = { ...seed, items: [...seed.items, { ...risky, id: 'draft-only', risk: 'R1' as const }], campaigns: [pin('draft', 'draft-only')] };
    expect(engine.preview('demo', draft, request({ user: 'c3', userId: 'c3' })).answer.slots['home.today']!.items[0]!.id).toBe('draft-only');
    expect(served(engine.decide('demo', request({ user: 'c3', userId: 'c3' }))).map((x) => x.id)).not.toContain('draft-only');
  });

  it('answers empty slots for a release without items, and serves again once items come back', () => {
    const { engine } = memoryEngine();
    engine.activate('demo', release({ ...seed, items: [], campaigns: [], triggers: [] }));
    const empty = engine.decide('demo', request());
    expect(served(empty)).toEqual([]);
    expect(JSON.parse(engine.decideJson('demo', request())).slots['home.today'].items).toEqual([]);
    engine.activate('demo', release(seed));
    expect(served(engine.decide('demo', request())).length).toBeGreaterThan(0);
  });

  it('keeps the catalog (and its statistics) of a release that changes campaigns only', () => {
    const { engine, ingest } = memoryEngine();
    engine.activate('demo', release(seed));
    const target = seed.items.find((i) => i.kind === 'card')!.id;
    for (let n = 0; n < 20; n++) ingest([ev({ user: `v${n}`, name: 'item_view', properties: { itemId: target }, ts: T0 })]);
    engine.decideJson('demo', request());
    const before = engine.diagnostics().sizes;
    expect(before.jsonHeads).toBeGreaterThan(0);
    // the answer pieces of the catalog decided with are still held: it is the same catalog
    engine.activate('demo', release({ ...seed, campaigns: seed.campaigns.slice(1) }));
    expect(engine.diagnostics().sizes.jsonHeads).toBe(before.jsonHeads);
    engine.activate('demo', release({ ...seed, items: seed.items.slice(1), campaigns: [] }));
    expect(engine.diagnostics().sizes.jsonHeads).toBe(0);
  });
});

describe('campaign caps', () => {
  // T0 is 10:00 UTC, 18:00 in Shanghai: the Shanghai day ends at 16:00 UTC, the UTC one at 24:00
  const X = 'capped-card';
  const setup = (caps: Campaign['caps'], timeZone?: string) => {
    const t = memoryEngine(timeZone ? { timeZone } : {});
    const card = item({ id: X, kind: 'card', category: 'credit_card', editorial: -50, popularity: 0 });
    t.engine.activate('demo', release({ ...seed, items: [...seed.items, card], campaigns: [...seed.campaigns, pin('cap', X, { caps })] }));
    const pinned = (user = 'u1', o: Parameters<typeof request>[0] = {}) =>
      t.engine.decide('demo', request({ user, userId: user, ...o })).slots['home.today']!.items.some((i) => i.id === X && i.strategy === 'campaign');
    return { ...t, pinned };
  };

  it('stops pinning a campaign once the user saw it perDay times, until midnight in the app time zone', () => {
    const { clock, ingest, pinned } = setup({ perDay: 2 });
    expect(pinned()).toBe(true);
    ingest([impression('u1', X, clock.now)]);
    expect(pinned()).toBe(true);
    ingest([impression('u1', X, clock.now + 1)]);
    expect(pinned()).toBe(false);
    expect(pinned('u2')).toBe(true);
    clock.now = Date.UTC(2025, 2, 14, 15, 59, 59);
    expect(pinned()).toBe(false);
    clock.now = Date.UTC(2025, 2, 14, 16, 0, 0);
    expect(pinned()).toBe(true);
  });

  it('days begin where the configured zone says: in UTC the same impressions hold until 00:00 UTC', () => {
    const { clock, ingest, pinned } = setup({ perDay: 1 }, 'UTC');
    ingest([impression('u1', X, clock.now)]);
    clock.now = Date.UTC(2025, 2, 14, 16);
    expect(pinned()).toBe(false);
    clock.now = Date.UTC(2025, 2, 15, 0);
    expect(pinned()).toBe(true);
  });

  it('holds a lifetime cap across days, counts an anonymous visitor for the user they become, and is never live without personalisation', () => {
    const { clock, ingest, pinned } = setup({ lifetime: 3 });
    ingest([impression('anon-9', X, clock.now)].map((e) => ({ ...e, userId: undefined })));
    ingest([ev({ type: 'identify', name: 'identify', anonymousId: 'anon-9', userId: 'u9', properties: {}, ts: clock.now })]);
    ingest([impression('u9', X, clock.now), impression('u9', X, clock.now + DAY)]);
    expect(pinned('u9')).toBe(false);
    clock.now += 30 * DAY;
    expect(pinned('u9')).toBe(false);
    expect(pinned('u10')).toBe(true);
    expect(pinned('u10', { personalized: false })).toBe(false);
  });

  it('stops boosting at the cap as well', () => {
    const t = memoryEngine();
    const card = item({ id: X, kind: 'card', category: 'credit_card', editorial: -50, popularity: 0 });
    const boost: Campaign = { id: 'lift', label: { 'zh-CN': '提升', en: 'Lift' }, priority: 1, boost: { itemIds: [X], by: 50 }, caps: { perDay: 1 } };
    t.engine.activate('demo', release({ ...seed, items: [...seed.items, card], campaigns: [boost] }));
    const boosted = () =>
      served(t.engine.decide('demo', request({ user: 'u1', userId: 'u1' }))).some((i) => i.id === X && i.strategy === 'campaign');
    expect(boosted()).toBe(true);
    t.ingest([impression('u1', X, t.clock.now)]);
    expect(boosted()).toBe(false);
  });

  it('counts impressions only while the campaign runs, and only of its own items', () => {
    const { clock, ingest, pinned } = setup({ perDay: 1 });
    ingest([impression('u1', seed.items[20]!.id, clock.now)]);
    expect(pinned()).toBe(true);
    const again = setup({ perDay: 1 });
    again.engine.activate('demo', release({ ...seed, items: [...seed.items, item({ id: X, kind: 'card', editorial: -50 })], campaigns: [pin('cap', X, { caps: { perDay: 1 }, start: clock.now + HOUR })] }));
    again.ingest([impression('u1', X, clock.now)]);
    again.clock.now = clock.now + 2 * HOUR;
    expect(again.pinned()).toBe(true);
  });

  it('numbers local days from 1970-01-01 in the zone', () => {
    const shanghai = localDays('Asia/Shanghai');
    expect(shanghai(Date.UTC(2025, 2, 14, 15, 59)) + 1).toBe(shanghai(Date.UTC(2025, 2, 14, 16)));
    expect(localDays('UTC')(Date.UTC(2025, 2, 14, 23, 59))).toBe(Math.floor(Date.UTC(2025, 2, 14) / DAY));
    // a zone with daylight saving: Berlin's day begins at 23:00 UTC in winter, 22:00 UTC in summer
    const berlin = localDays('Europe/Berlin');
    expect(berlin(Date.UTC(2025, 0, 10, 23)) - berlin(Date.UTC(2025, 0, 10, 22, 59))).toBe(1);
    expect(berlin(Date.UTC(2025, 6, 10, 22)) - berlin(Date.UTC(2025, 6, 10, 21, 59))).toBe(1);
  });
});

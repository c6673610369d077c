// @vitest-environment node
// Properties of the one-pass arbitration over random catalogs, users and slot requests.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RISK_TOLERANCES, schemas, SLOT_KINDS, type DecideResponse, type RiskTolerance, type SlotRequest, type SlotwiseEvent } from '../../sdk/contract';
import { DEFAULT_POLICY, perCategoryLimit } from '../../server-stub/engine/arbitrate';
import type { Campaign } from '../../server-stub/engine/strategies/campaigns';
import { KINDS, SEGMENTS, type Kind, type Segment } from '../../server-stub/engine/types';
import { DAY, ev, identify, memoryEngine, request, T0 } from './engine-fixtures';

interface Row {
  id: string;
  kind: Kind;
  category: string;
  risk?: string;
  start: number;
  end?: number;
  title: string;
  popularity: number;
  editorial: number;
  rate?: number;
  tags: string[];
  condition?: string;
}

const rowArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  category: fc.constantFrom('a', 'b', 'c', 'd'),
  risk: fc.option(fc.constantFrom('R1', 'R2', 'R3', 'R4', 'R5'), { nil: undefined }),
  timing: fc.constantFrom('live', 'live', 'live', 'live', 'future', 'expired'),
  popularity: fc.double({ min: 0, max: 1, noNaN: true }),
  editorial: fc.integer({ min: 0, max: 5 }),
  rate: fc.option(fc.double({ min: 0, max: 8, noNaN: true }), { nil: undefined }),
  tags: fc.subarray(['t1', 't2', 't3']),
  condition: fc.constantFrom(undefined, undefined, 'no_risk_profile', 'holds:fund', 'holds:deposit'),
});

const catalogArb = fc.array(rowArb, { minLength: 4, maxLength: 60 }).map((rows) =>
  rows.map((r, i): Row => ({
    id: `i${i}`,
    kind: r.kind,
    category: r.category,
    ...(r.risk ? { risk: r.risk } : {}),
    start: r.timing === 'future' ? T0 + DAY : T0 - 10 * DAY,
    ...(r.timing === 'expired' ? { end: T0 - DAY } : {}),
    title: `Item ${i}`,
    popularity: r.popularity,
    editorial: r.editorial,
    ...(r.rate !== undefined ? { rate: r.rate } : {}),
    tags: r.tags,
    ...(r.kind === 'reminder' && r.condition ? { condition: r.condition } : {}),
  })),
);

const ACTIONS = ['view', 'click', 'impression', 'impression', 'dismiss', 'not_interested', 'purchase'] as const;
type Action = (typeof ACTIONS)[number];

const historyArb = fc.array(fc.record({ action: fc.constantFrom(...ACTIONS), item: fc.nat(), times: fc.integer({ min: 1, max: 4 }) }), { maxLength: 30 });

const userArb = fc.record({
  tolerance: fc.option(fc.constantFrom(...RISK_TOLERANCES), { nil: undefined }),
  segment: fc.option(fc.constantFrom(...SEGMENTS), { nil: undefined }),
  history: historyArb,
  tags: fc.option(fc.constantFrom<Record<string, boolean | number | string>>({ fund_interest: true }, { loan_interest: 3 }, { last_category: 'b' }), { nil: undefined }),
});

const slotsArb = fc
  .array(fc.record({ kind: fc.constantFrom(...SLOT_KINDS), count: fc.integer({ min: 1, max: 8 }), exclude: fc.array(fc.nat(), { maxLength: 6 }) }), { minLength: 1, maxLength: 5 })
  .map((slots) => slots.map((s, i) => ({ id: `slot${i}`, ...s })));

function events(user: string, catalog: Row[], u: { tolerance?: RiskTolerance; segment?: Segment; history: { action: Action; item: number; times: number }[] }): SlotwiseEvent[] {
  const out: SlotwiseEvent[] = [];
  const traits = { ...(u.tolerance ? { riskTolerance: u.tolerance } : {}), ...(u.segment ? { segment: u.segment } : {}) };
  if (Object.keys(traits).length) out.push(identify(user, traits));
  for (const h of u.history) {
    const item = catalog[h.item % catalog.length]!;
    for (let k = 0; k < h.times; k++) {
      const at = { ts: T0 - 1000 - k, userId: user, anonymousId: user };
      if (h.action === 'view') out.push(ev({ ...at, name: 'item_view', properties: { itemId: item.id } }));
      else if (h.action === 'purchase') out.push(ev({ ...at, name: 'purchase', properties: { itemId: item.id, amount: 100 } }));
      else out.push(ev({ ...at, type: h.action === 'impression' ? 'impression' : h.action, itemId: item.id }));
    }
  }
  return out;
}

/** What the rules say about one user, computed from the history independently of the engine. */
function oracle(catalog: Row[], u: { tolerance?: RiskTolerance; history: { action: Action; item: number; times: number }[] }) {
  const impressions = new Map<string, number>();
  const marked = new Set<string>();
  const held = new Set<string>();
  let ads = 0;
  for (const h of u.history) {
    const item = catalog[h.item % catalog.length]!;
    if (h.action === 'impression') {
      impressions.set(item.id, (impressions.get(item.id) ?? 0) + h.times);
      if (item.kind === 'ad') ads += h.times;
    }
    if (h.action === 'dismiss' || h.action === 'not_interested') marked.add(item.id);
    if (h.action === 'purchase') held.add(item.id);
  }
  const cap = u.tolerance ? Number(u.tolerance[1]) : 2;
  const heldKinds = new Set([...held].map((id) => catalog.find((r) => r.id === id)!.kind));
  return { impressions, marked, held, ads, cap, heldKinds };
}

const poolOf = (kind: string) => (kind === 'ad' ? 'ad' : kind === 'reminder' ? 'reminder' : 'product');

/** The rules every answer obeys, personalised or not. */
function checkCommon(answer: DecideResponse, catalog: Row[], slots: (SlotRequest & { exclude?: string[] })[], cap: number) {
  expect(schemas().decideResponse.safeParse(answer).success).toBe(true);
  const byId = new Map(catalog.map((r) => [r.id, r]));
  const all = Object.values(answer.slots).flatMap((s) => s.items.map((i) => i.id));
  expect(new Set(all).size).toBe(all.length);
  for (const slot of slots) {
    const items = answer.slots[slot.id]!.items;
    expect(items.length).toBeLessThanOrEqual(slot.count);
    expect(items.map((i) => i.position)).toEqual(items.map((_, k) => k));
    const perCategory = new Map<string, number>();
    for (const item of items) {
      const row = byId.get(item.id)!;
      // suitability
      if (row.risk) expect(Number(row.risk[1])).toBeLessThanOrEqual(cap);
      expect(item.risk).toBe(row.risk);
      // slot kinds: ads only in ad slots, reminders only in reminder slots
      expect(poolOf(row.kind)).toBe(poolOf(slot.kind));
      // live, not excluded
      expect(row.start).toBeLessThanOrEqual(T0);
      if (row.end !== undefined) expect(row.end).toBeGreaterThan(T0);
      expect(slot.exclude ?? []).not.toContain(item.id);
      perCategory.set(row.category, (perCategory.get(row.category) ?? 0) + 1);
    }
    for (const n of perCategory.values()) expect(n).toBeLessThanOrEqual(perCategoryLimit(DEFAULT_POLICY, slot.count));
  }
}

function withExcludes(catalog: Row[], slots: { id: string; kind: (typeof SLOT_KINDS)[number]; count: number; exclude: number[] }[]): SlotRequest[] {
  return slots.map((s) => ({ id: s.id, kind: s.kind, count: s.count, exclude: [...new Set(s.exclude.map((i) => catalog[i % catalog.length]!.id))] }));
}

describe('arbitration properties', () => {
  it('suitability, kinds, eligibility, caps, no duplicates and diversity hold for every personalised answer', () => {
    fc.assert(
      fc.property(catalogArb, userArb, slotsArb, (catalog, user, rawSlots) => {
        const t = memoryEngine({ catalog });
        t.ingest(events('u', catalog, user));
        const slots = withExcludes(catalog, rawSlots);
        const answer = t.engine.decide('demo', request({ userId: 'u', anonymousId: 'u', slots, ...(user.tags ? { tags: user.tags } : {}) }));
        const o = oracle(catalog, user);
        checkCommon(answer, catalog, slots, o.cap);
        const byId = new Map(catalog.map((r) => [r.id, r]));
        for (const item of Object.values(answer.slots).flatMap((s) => s.items)) {
          const row = byId.get(item.id)!;
          expect(o.marked.has(item.id)).toBe(false);
          expect(o.held.has(item.id)).toBe(false);
          expect(o.impressions.get(item.id) ?? 0).toBeLessThan(DEFAULT_POLICY.itemPerDay);
          if (row.kind === 'ad') expect(o.ads).toBeLessThan(DEFAULT_POLICY.adsPerSession);
          if (row.condition === 'no_risk_profile') expect(user.tolerance).toBeUndefined();
          if (row.condition?.startsWith('holds:')) expect(o.heldKinds.has(row.condition.slice(6) as Kind)).toBe(true);
        }
        t.engine.close();
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('a tolerance sent with the request lowers the stored one and never raises it (R2 standing in for none stored)', () => {
    const tolerance = fc.option(fc.constantFrom(...RISK_TOLERANCES), { nil: undefined });
    fc.assert(
      fc.property(catalogArb, slotsArb, tolerance, tolerance, fc.boolean(), (catalog, rawSlots, stored, sent, personalized) => {
        const t = memoryEngine({ catalog });
        if (stored) t.ingest([identify('u', { riskTolerance: stored })]);
        const slots = withExcludes(catalog, rawSlots);
        const answer = t.engine.decide('demo', request({ userId: 'u', anonymousId: 'u', slots, ...(sent && { riskTolerance: sent }), ...(!personalized && { personalized: false }) }));
        const cap = Math.min(stored ? Number(stored[1]) : 2, sent ? Number(sent[1]) : 5);
        checkCommon(answer, catalog, slots, cap);
        // an answer below what the page said is provisional: the device asks again next time
        expect(answer.ttlMs === 0).toBe(!!sent && Number(sent[1]) > cap);
        t.engine.close();
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('personalisation off: the answer depends on no personal feature', () => {
    fc.assert(
      fc.property(catalogArb, userArb, userArb, slotsArb, fc.option(fc.constantFrom(...RISK_TOLERANCES), { nil: undefined }), (catalog, a, b, rawSlots, tolerance) => {
        const t = memoryEngine({ catalog });
        // same tolerance (suitability still applies), everything else differs
        t.ingest(events('a', catalog, { ...a, tolerance }));
        t.ingest(events('b', catalog, { ...b, tolerance }));
        if (tolerance) t.ingest([identify('c', { riskTolerance: tolerance })]);
        const slots = withExcludes(catalog, rawSlots);
        const ask = (user: string, tags?: Record<string, boolean | number | string>) =>
          t.engine.decide('demo', request({ userId: user, anonymousId: user, sessionId: `s-${user}`, slots, personalized: false, ...(tags ? { tags } : {}) }));
        const strip = ({ decisionId: _, ...rest }: DecideResponse) => rest;
        const answerA = ask('a', a.tags);
        checkCommon(answerA, catalog, slots, tolerance ? Number(tolerance[1]) : 2);
        expect(strip(ask('b', b.tags))).toEqual(strip(answerA));
        expect(strip(ask('c'))).toEqual(strip(answerA));
        t.engine.close();
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('pinned campaign items win their slot, in priority order', () => {
    fc.assert(
      fc.property(
        catalogArb,
        fc.constantFrom(...SEGMENTS),
        fc.option(fc.constantFrom(...RISK_TOLERANCES), { nil: undefined }),
        slotsArb,
        fc.nat(),
        fc.nat(),
        (catalog, segment, tolerance, rawSlots, x, y) => {
          const cap = tolerance ? Number(tolerance[1]) : 2;
          const fits = (r: Row) =>
            r.start <= T0 && r.end === undefined && (!r.risk || Number(r.risk[1]) <= cap) && (!r.condition || (r.condition === 'no_risk_profile' && !tolerance));
          const eligible = catalog.filter(fits);
          fc.pre(eligible.length >= 2);
          const first = eligible[x % eligible.length]!;
          const second = eligible.filter((r) => r.id !== first.id && poolOf(r.kind) === poolOf(first.kind))[y % eligible.length];
          const kind = poolOf(first.kind) === 'product' ? rawSlots[0]!.kind === 'feed' ? 'feed' : 'picks' : (poolOf(first.kind) as 'ad' | 'reminder');
          const slots: SlotRequest[] = [...rawSlots.map((s) => ({ id: s.id, kind: s.kind, count: s.count })), { id: 'target', kind, count: 3 }];
          // a pin never overrides suitability or liveness, whatever its priority
          const forbidden = catalog.filter((r) => (r.risk && Number(r.risk[1]) > cap) || r.start > T0 || r.end !== undefined);
          const campaigns: Campaign[] = [
            { id: 'forbidden', label: { 'zh-CN': '禁', en: 'no' }, priority: 50, pins: forbidden.map((r) => ({ itemId: r.id, slotKind: kind })) },
            { id: 'low', label: { 'zh-CN': '低', en: 'low' }, segments: [segment], priority: 1, pins: second ? [{ itemId: second.id, slotKind: kind }] : [] },
            { id: 'high', label: { 'zh-CN': '高', en: 'high' }, segments: [segment], priority: 9, pins: [{ itemId: first.id, slotKind: kind }] },
            { id: 'elsewhere', label: { 'zh-CN': '别处', en: 'elsewhere' }, segments: [segment], pages: ['loans'], priority: 99, pins: [{ itemId: first.id, slotId: 'target' }] },
          ];
          const t = memoryEngine({ catalog, campaigns });
          t.ingest([identify('u', { segment, ...(tolerance ? { riskTolerance: tolerance } : {}) })]);
          const answer = t.engine.decide('demo', request({ userId: 'u', anonymousId: 'u', slots }));
          checkCommon(answer, catalog, slots, cap);
          const shown = new Set(Object.values(answer.slots).flatMap((s) => s.items.map((i) => i.id)));
          for (const r of forbidden) expect(shown.has(r.id)).toBe(false);
          // a pin by kind goes to the first slot of that kind
          const slot = slots.find((s) => s.kind === kind)!;
          const items = answer.slots[slot.id]!.items;
          expect(items[0]).toMatchObject({ id: first.id, strategy: 'campaign' });
          expect(items[0]!.reasons[0]).toMatchObject({ feature: 'campaign', label: 'high' });
          if (second && slot.count > 1) {
            expect(items[1]).toMatchObject({ id: second.id, strategy: 'campaign' });
            expect(items[1]!.reasons[0]).toMatchObject({ feature: 'campaign', label: 'low' });
          }
          // another segment sees no pins
          const other = SEGMENTS.find((s) => s !== segment)!;
          t.ingest([identify('v', { segment: other, ...(tolerance ? { riskTolerance: tolerance } : {}) })]);
          const theirs = t.engine.decide('demo', request({ userId: 'v', anonymousId: 'v', slots }));
          expect(Object.values(theirs.slots).flatMap((s) => s.items).some((i) => i.strategy === 'campaign' && (i.id === first.id || i.id === second?.id))).toBe(false);
          t.engine.close();
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);
});

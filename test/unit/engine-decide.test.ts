// @vitest-environment node
// Decisions on the generated catalog: contract, reasons, disclosure, campaigns, caps, logging.
import { describe, expect, it } from 'vitest';
import { schemas } from '../../sdk/contract';
import { pageSection } from '../../server-stub/engine/arbitrate';
import { PERSONAL, type Feature } from '../../server-stub/engine/features';
import { generateCatalog } from '../../server-stub/engine/catalog';
import { DISCLOSURE } from '../../server-stub/engine/i18n';
import { DAY, ev, identify, memoryEngine, request, served, T0, view } from './engine-fixtures';

const catalog = generateCatalog({ size: 300, now: T0 });
const live = catalog.filter((i) => i.start <= T0 && (i.end === undefined || i.end > T0));
const of = (category: string) => live.filter((i) => i.category === category);

describe('decide', () => {
  it('answers every slot per the contract, in the request locale', () => {
    const { engine } = memoryEngine();
    for (const locale of ['en', 'zh-CN', 'zh-TW', 'fr']) {
      const answer = engine.decide('demo', request({ locale }));
      expect(schemas().decideResponse.parse(answer)).toEqual(answer);
      expect(Object.keys(answer.slots)).toEqual(['home.today', 'home.feed', 'home.ad', 'home.reminders']);
      expect(answer.slots['home.today']!.items).toHaveLength(4);
      expect(answer.slots['home.feed']!.items).toHaveLength(6);
      expect(answer.slots['home.ad']!.items).toHaveLength(1);
      const zh = locale.startsWith('zh');
      for (const item of served(answer)) {
        const source = catalog.find((c) => c.id === item.id)!;
        expect(item.title).toBe(source.title[zh ? 'zh-CN' : 'en']);
        expect(item.image).toBe(`/v1/images/${item.id}.svg`);
        if (source.kind === 'fund' || source.kind === 'wealth') expect(item.disclosure).toBe(DISCLOSURE[zh ? 'zh-CN' : 'en']);
        else expect(item.disclosure).toBeUndefined();
        if (source.highlight) expect(item.highlight).toEqual({ label: source.highlight.label[zh ? 'zh-CN' : 'en'], value: source.highlight.value });
      }
    }
  });

  it('answers slots whatever their ids, __proto__ and constructor included', () => {
    const { engine } = memoryEngine();
    const answer = engine.decide('demo', request({ slots: [{ id: '__proto__', kind: 'picks', count: 2 }, { id: 'constructor', kind: 'feed', count: 2 }] }));
    expect(Object.keys(answer.slots)).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(answer)).slots.constructor.items).toHaveLength(2);
    expect(Object.getOwnPropertyNames(JSON.parse(JSON.stringify(answer)).slots)).toContain('__proto__');
  });

  it('personalises: interest in a category shows up in picks with a plain-language reason', () => {
    const { engine, ingest } = memoryEngine({ policy: { epsilon: 0 } });
    const bonds = of('bond_fund');
    ingest([identify('u1', { riskTolerance: 'C3', segment: 'active' }), ...bonds.slice(0, 4).flatMap((b) => [view('u1', b.id, { userId: 'u1' }), view('u1', b.id, { userId: 'u1' })])]);
    const answer = engine.decide('demo', request({ userId: 'u1', locale: 'en' }));
    const picks = answer.slots['home.today']!.items;
    const bondPick = picks.find((i) => i.category === 'bond_fund');
    expect(bondPick).toBeDefined();
    expect(bondPick!.reasons[0]).toMatchObject({ feature: 'category_affinity', label: 'You have been looking at bond funds' });
    expect(bondPick!.reasons[0]!.contribution).toBeGreaterThan(0.5);
    const zh = engine.decide('demo', request({ userId: 'u1', locale: 'zh-CN' }));
    expect(served(zh).flatMap((i) => i.reasons).some((r) => r.label === '您最近常看债券基金')).toBe(true);
    // reasons are the largest contributions, largest first
    for (const item of served(answer)) {
      const model = item.reasons.filter((r) => r.feature !== 'campaign' && r.feature !== 'explore');
      expect(model.map((r) => r.contribution)).toEqual([...model.map((r) => r.contribution)].sort((a, b) => b - a));
      expect(model.length).toBeLessThanOrEqual(3);
    }
  });

  it('uses the device tags of the request', () => {
    const { engine, ingest } = memoryEngine({ policy: { epsilon: 0 } });
    ingest([identify('u2', { riskTolerance: 'C5', segment: 'active' })]);
    const plain = engine.decide('demo', request({ userId: 'u2' }));
    const tagged = engine.decide('demo', request({ userId: 'u2', tags: { loan_interest: true } }));
    const loans = (a: typeof plain) => served(a).filter((i) => i.kind === 'loan').length;
    expect(loans(tagged)).toBeGreaterThan(loans(plain));
    expect(served(tagged).find((i) => i.kind === 'loan')!.reasons.map((r) => r.feature)).toContain('device_tags');
  });

  it('runs the default campaigns: welcome, reactivation, churn rescue, wealth week, loan rates', () => {
    const { engine, ingest, clock } = memoryEngine({ policy: { epsilon: 0 } });
    // nobody knows a first-time visitor: a new customer
    const cold = engine.decide('demo', request({ user: 'first-visit' }));
    expect(cold.slots['home.today']!.items[0]).toMatchObject({ id: 'welcome-fund', strategy: 'campaign' });
    expect(cold.slots['home.ad']!.items[0]).toMatchObject({ id: 'welcome-ad', strategy: 'campaign' });
    expect(cold.slots['home.today']!.items[0]!.reasons[0]).toMatchObject({ feature: 'campaign', label: 'Welcome offer for new customers' });
    // the other segments' offers are theirs: they do not reach a newcomer through the editorial list
    expect(served(cold).map((i) => i.id)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^(comeback|rescue)-/)]));
    // and the welcome offers stay on Home
    expect(served(engine.decide('demo', request({ user: 'first-visit', page: '/loans.html' }))).map((i) => i.id)).not.toContain('welcome-fund');
    // someone back after 60 days away
    ingest([view('back', live[20]!.id, { ts: T0 - 60 * DAY })]);
    const back = engine.decide('demo', request({ user: 'back' }));
    expect(back.slots['home.ad']!.items[0]!.id).toBe('comeback-ad');
    expect(back.slots['home.today']!.items[0]!.id).toBe('comeback-deposit');
    // churn risk, flagged by the bank through identify
    ingest([identify('leaving', { segment: 'churn_risk', riskTolerance: 'C2' })]);
    const leaving = engine.decide('demo', request({ userId: 'leaving' }));
    expect(leaving.slots['home.today']!.items[0]!.id).toBe('rescue-deposit');
    expect(served(leaving).find((i) => i.id === 'rescue-card')?.strategy).toBe('campaign');
    // wealth week runs on the wealth page for everyone, personalisation off included
    ingest([identify('regular', { segment: 'active' })]);
    clock.now = T0 + 1;
    expect(engine.decide('demo', request({ userId: 'regular', page: '/wealth.html' })).slots['home.ad']!.items[0]).toMatchObject({ id: 'wealth-week-ad', strategy: 'campaign' });
    // and the loan rate offer on the loans page
    expect(engine.decide('demo', request({ userId: 'regular', page: '/loans.html' })).slots['home.ad']!.items[0]).toMatchObject({ id: 'loan-rate-ad', strategy: 'campaign' });
    expect(engine.decide('demo', request({ userId: 'regular', page: '/index.html' })).slots['home.ad']!.items[0]!.strategy).not.toBe('campaign');
    const off = engine.decide('demo', request({ user: 'first-visit', page: 'wealth', personalized: false }));
    expect(off.slots['home.ad']!.items[0]).toMatchObject({ id: 'wealth-week-ad', strategy: 'campaign' });
    expect(served(off).filter((i) => i.strategy === 'campaign').map((i) => i.id)).toEqual(['wealth-week-ad']);
  });

  it('caps an item at 3 impressions a day and ads at 3 per session', () => {
    const { engine, ingest, clock } = memoryEngine({ policy: { epsilon: 0 } });
    ingest([identify('u3', { segment: 'active' })]);
    const first = engine.decide('demo', request({ userId: 'u3' }));
    const top = first.slots['home.today']!.items[0]!.id;
    const ad = first.slots['home.ad']!.items[0]!.id;
    ingest([0, 1, 2].map(() => ev({ userId: 'u3', type: 'impression', itemId: top, decisionId: first.decisionId })));
    expect(served(engine.decide('demo', request({ userId: 'u3' }))).map((i) => i.id)).not.toContain(top);
    ingest([0, 1, 2].map(() => ev({ userId: 'u3', type: 'impression', itemId: ad })));
    expect(engine.decide('demo', request({ userId: 'u3' })).slots['home.ad']!.items).toEqual([]);
    // a new session may see ads again; a new day the item again
    expect(engine.decide('demo', request({ userId: 'u3', sessionId: 'session-2' })).slots['home.ad']!.items).toHaveLength(1);
    clock.now = T0 + DAY;
    expect(served(engine.decide('demo', request({ userId: 'u3', sessionId: 'session-3' }))).map((i) => i.id)).toContain(top);
  });

  it('honours exclude, dismissals, "not interested" and holdings', () => {
    const { engine, ingest } = memoryEngine({ policy: { epsilon: 0 } });
    ingest([identify('u4', { segment: 'active', riskTolerance: 'C5' })]);
    const first = served(engine.decide('demo', request({ userId: 'u4' }))).filter((i) => i.kind !== 'reminder');
    const [a, b, c, d] = first.map((i) => i.id);
    ingest([ev({ userId: 'u4', type: 'dismiss', itemId: a }), ev({ userId: 'u4', type: 'not_interested', itemId: b }), ev({ userId: 'u4', name: 'purchase', properties: { itemId: c } })]);
    const slots = request().slots.map((s) => ({ ...s, exclude: [d!] }));
    const again = served(engine.decide('demo', request({ userId: 'u4', slots }))).map((i) => i.id);
    for (const id of [a, b, c, d]) expect(again).not.toContain(id);
  });

  it('shows reminders whose condition holds', () => {
    const { engine, ingest } = memoryEngine({ policy: { epsilon: 0 } });
    const deposit = live.find((i) => i.kind === 'deposit')!;
    ingest([identify('saver', { segment: 'active' }), ev({ userId: 'saver', name: 'purchase', properties: { itemId: deposit.id } })]);
    const reminders = (user: string) => engine.decide('demo', request({ userId: user })).slots['home.reminders']!.items.map((i) => i.id);
    expect(reminders('saver')).toEqual(expect.arrayContaining(['reminder-deposit-maturing', 'reminder-risk-assessment']));
    ingest([identify('saver', { riskTolerance: 'C3' })]);
    expect(reminders('saver')).not.toContain('reminder-risk-assessment');
    expect(reminders('nobody')).not.toContain('reminder-deposit-maturing');
  });

  it('explores a share of positions, marked explored', () => {
    const never = memoryEngine({ policy: { epsilon: 0 } }).engine;
    const always = memoryEngine({ policy: { epsilon: 1 } }).engine;
    const usual = memoryEngine().engine;
    expect(served(never.decide('demo', request())).some((i) => i.explored)).toBe(false);
    const explored = served(always.decide('demo', request({ slots: [{ id: 'feed', kind: 'feed', count: 10 }] })));
    expect(explored.every((i) => i.explored && i.reasons[0]!.feature === 'explore')).toBe(true);
    let total = 0;
    let marked = 0;
    for (let k = 0; k < 200; k++) {
      const items = served(usual.decide('demo', request({ user: `v${k}`, slots: [{ id: 'feed', kind: 'feed', count: 10 }] })));
      total += items.length;
      marked += items.filter((i) => i.explored).length;
    }
    expect(marked / total).toBeGreaterThan(0.05);
    expect(marked / total).toBeLessThan(0.15);
  });

  it('logs every decision, one row per served item in the view, so impressions and clicks join to it', () => {
    const { engine, db } = memoryEngine();
    const answer = engine.decide('demo', request({ userId: 'u5' }));
    const off = engine.decide('demo', request({ userId: 'u5', personalized: false }));
    engine.flush();
    expect(db.prepare('SELECT count(*) FROM engine_decisions').pluck().get()).toBe(2);
    const rows = db.prepare('SELECT * FROM engine_decision_items WHERE decision_id = ? ORDER BY slot_id, position').all(answer.decisionId) as Record<string, unknown>[];
    const expected = served(answer).map((i) => ({ slot_id: i.slot, item_id: i.id, position: i.position, strategy: i.strategy, score: i.score, explored: i.explored ? 1 : 0 }));
    expect(rows.map(({ slot_id, item_id, position, strategy, score, explored }) => ({ slot_id, item_id, position, strategy, score, explored }))).toEqual(
      expect.arrayContaining(expected),
    );
    expect(rows).toHaveLength(expected.length);
    for (const row of rows) {
      expect(row).toMatchObject({ app_key: 'demo', user_key: 'u5', personalized: 1, model: 'default', ts: T0 });
      const features = JSON.parse(row.features as string);
      expect(features.kind).toBe(catalog.find((c) => c.id === row.item_id)!.kind);
      expect(typeof features.popularity).toBe('number');
      expect(features.slot_kind).toMatch(/^(picks|feed|ad|reminder):/);
      expect(features.segment_kind).toMatch(/^new:/);
    }
    const offRows = db.prepare('SELECT user_key, personalized, features FROM engine_decision_items WHERE decision_id = ?').all(off.decisionId) as { user_key: null; personalized: number; features: string }[];
    expect(offRows.length).toBeGreaterThan(0);
    for (const row of offRows) {
      expect(row).toMatchObject({ user_key: null, personalized: 0 });
      expect(Object.keys(JSON.parse(row.features)).filter((f) => PERSONAL.has(f as Feature))).toEqual([]);
    }
  });

  it('reads the page section from paths and names', () => {
    expect(pageSection('/')).toBe('home');
    expect(pageSection('/index.html')).toBe('home');
    expect(pageSection('/demo/wealth.html?x=1#y')).toBe('wealth');
    expect(pageSection('http://localhost:8787/loans.html')).toBe('loans');
    expect(pageSection('wealth')).toBe('wealth');
    expect(pageSection('')).toBe('home');
  });
});

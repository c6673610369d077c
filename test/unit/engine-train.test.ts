// @vitest-environment node
// Training on simulated logs whose click probability depends on known features. The logs are made
// the real way: the store's ingest (events table + engine), the engine's decisions and its log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schemas, type SlotwiseEvent } from '../../sdk/contract';
import { openDb } from '../../server-stub/store/db';
import { sqliteStore } from '../../server-stub/store/sqlite';
import { createEngine } from '../../server-stub/engine';
import { generateCatalog } from '../../server-stub/engine/catalog';
import { NUMERIC } from '../../server-stub/engine/features';
import { compile, numericContribution, saveModel } from '../../server-stub/engine/model';
import { prng } from '../../server-stub/engine/random';
import { auc, trainModel } from '../../server-stub/engine/train';
import { createEngineService } from '../../server-stub/engine/service';
import { createIngest } from '../../server-stub/ingest/events';
import { ev, identify, request, T0 } from './engine-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'slotwise-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FAVOURITES = ['money_market', 'bond_fund', 'mixed_fund', 'term_deposit', 'wealth_fixed', 'consumer_loan', 'credit_card', 'health_insurance'];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('training', () => {
  it('computes AUC with ties', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75);
    expect(auc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
    expect(auc([0.9, 0.1], [1, 0])).toBe(1);
  });

  it('learns the known effects from simulated logs and beats the popularity baseline', async () => {
    const db = openDb(dir);
    const clock = { now: T0 };
    const engine = createEngine({ db, modelDir: join(dir, 'models'), now: () => clock.now, catalogSize: 300, policy: { epsilon: 0.15 } });
    const service = createEngineService({ db, engine, log: () => {} });
    const ingest = createIngest({ store: sqliteStore(db), handOver: (m) => service.ingest(m), now: () => clock.now, log: () => {} });
    const send = async (events: SlotwiseEvent[]) => {
      for (let i = 0; i < events.length; i += 500) await ingest('demo', { sentAt: clock.now, events: events.slice(i, i + 500) });
    };
    const catalog = generateCatalog({ size: 300, now: T0 });
    const byId = new Map(catalog.map((i) => [i.id, i]));
    const live = catalog.filter((i) => i.start <= T0 && (i.end === undefined || i.end > T0 + 86_400_000));
    const random = prng(42);
    const users = Array.from({ length: 240 }, (_, k) => ({ id: `sim-${k}`, favourite: FAVOURITES[k % FAVOURITES.length]! }));

    // each user shows an interest first: a few views in their favourite category
    await send(
      users.flatMap((u) => {
        const theirs = live.filter((i) => i.category === u.favourite);
        return [
          identify(u.id, { riskTolerance: 'C5', segment: 'active' }),
          ...Array.from({ length: 3 }, (_, k) => ev({ userId: u.id, anonymousId: u.id, name: 'item_view', properties: { itemId: theirs[(k * 7 + u.id.length) % theirs.length]!.id } })),
        ];
      }),
    );

    // then they see pages and click, with a probability that depends on known features:
    // + the favourite category, + the item's yield, − having been shown the item earlier today
    const shown = new Map<string, number>();
    for (let round = 0; round < 6; round++) {
      clock.now += 20 * 60_000;
      const events: SlotwiseEvent[] = [];
      for (const u of users) {
        const answer = engine.decide('demo', request({ userId: u.id, anonymousId: u.id, sessionId: `${u.id}-${round}`, slots: [{ id: 'picks', kind: 'picks', count: 4 }, { id: 'feed', kind: 'feed', count: 6 }] }));
        for (const [slotId, { items }] of Object.entries(answer.slots)) {
          for (const item of items) {
            const source = byId.get(item.id)!;
            const key = `${u.id}|${item.id}`;
            const before = shown.get(key) ?? 0;
            shown.set(key, before + 1);
            const rate = source.rate !== undefined && ['fund', 'deposit', 'wealth'].includes(source.kind) ? source.rate : 2.5;
            const p = sigmoid(-2.8 + 2.4 * +(source.category === u.favourite) + 0.35 * Math.max(-3, Math.min(3, rate - 2.5)) - 0.9 * before);
            const attribution = { userId: u.id, anonymousId: u.id, sessionId: `${u.id}-${round}`, ts: clock.now, decisionId: answer.decisionId, slotId, itemId: item.id, position: item.position };
            events.push(ev({ ...attribution, type: 'impression' }));
            if (random() < p) events.push(ev({ ...attribution, type: 'click' }));
          }
        }
      }
      await send(events);
    }
    engine.flush();
    engine.close();

    const result = trainModel({ db, epochs: 20, now: clock.now });
    const { metrics } = result;
    console.log(
      `training on simulated logs: ${metrics.rows} examples (${metrics.positives} clicks), held-out ${metrics.heldOut}: ` +
        `model AUC ${metrics.auc.toFixed(4)} vs popularity baseline AUC ${metrics.baselineAuc.toFixed(4)}`,
    );
    expect(metrics.rows).toBeGreaterThan(10_000);
    expect(metrics.auc).toBeGreaterThan(metrics.baselineAuc);
    expect(metrics.auc).toBeGreaterThan(metrics.baselineAuc + 0.05);

    // the learned contributions have the right signs
    const m = compile(result.file);
    const c = (name: (typeof NUMERIC)[number], x: number) => numericContribution(m.num[NUMERIC.indexOf(name)]!, x);
    expect(c('category_affinity', Math.log1p(4))).toBeGreaterThan(c('category_affinity', 0) + 0.5);
    expect(c('yield', 4)).toBeGreaterThan(c('yield', 1.5));
    expect(c('fatigue', 2)).toBeLessThan(c('fatigue', 0));

    // the server picks the new model up at start and serves with it
    saveModel(join(dir, 'models'), result.file);
    const next = createEngine({ db, modelDir: join(dir, 'models'), now: () => clock.now, catalogSize: 300 });
    expect(next.modelVersion).toBe(result.file.version);
    const answer = next.decide('demo', request({ userId: users[1]!.id, anonymousId: users[1]!.id }));
    expect(schemas().decideResponse.safeParse(answer).success).toBe(true);
    const picks = answer.slots['home.today']!.items.filter((i) => i.strategy !== 'campaign' && !i.explored);
    expect(picks.some((i) => i.category === users[1]!.favourite)).toBe(true);
    next.close();
    db.close();
  }, 120_000);

  it('refuses to train on too little data, with the numbers', () => {
    const db = openDb(mkdtempSync(join(tmpdir(), 'slotwise-train-empty-')));
    createEngine({ db, modelDir: join(dir, 'none'), now: () => T0 }).close();
    expect(() => trainModel({ db })).toThrow('not enough logged impressions to train: 0 examples, 0 clicks (need ≥ 100 examples with ≥ 10 clicks and ≥ 10 non-clicks)');
    db.close();
  });
});

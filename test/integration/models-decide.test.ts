// Response models at work in decisions, end to end: the real SDK (over fake-indexeddb) against the
// real server-stub on loopback, with a model registry in its data directory. A campaign aimed at
// "the top 20 % by model `responds`" reaches a customer whose identify traits score high, with the
// model's reasons in the item's "why this?", and not one who scores low; marking another model live
// (from this process, as `npm run models -- live` would) changes the next decide, with no restart;
// and suitability still wins over any score.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item, RiskTolerance } from '../../sdk/contract';
import { createClient } from '../../sdk/index';
import type { SlotwiseClient } from '../../sdk/types';
import { generateCatalog } from '../../server-stub/engine/catalog';
import type { Campaign } from '../../server-stub/engine/strategies/campaigns';
import type { AdditiveModel } from '../../server-stub/models/additive';
import { createProfileScorer } from '../../server-stub/models/realtime';
import { topPercentCutoff, withReference } from '../../server-stub/models/reference';
import { createRegistry, fingerprint, type Entry } from '../../server-stub/models/registry';
import { fitMains } from '../../server-stub/models/train-additive';
import { startServer, type TestServer } from '../helpers/server';
import { planted, plantedSpec } from '../unit/models-synthetic';

const spec = { ...plantedSpec(), target: { name: 'responds', column: 'y', positive: ['1'] } };
const table = (n: number, seed: number) => ({ ...planted(n, seed), spec });

/** the same model with every shape turned upside down: who ranked high by it ranks low by this one */
function flipped(m: AdditiveModel): AdditiveModel {
  return {
    ...m,
    terms: m.terms.map((t) =>
      t.kind === 'numeric' ? { ...t, w2: t.w2.map((w) => -w), center: -t.center }
      : t.kind === 'categorical' ? { ...t, values: t.values.map((v) => -v) }
      : { ...t, table: t.table.map((v) => -v) },
    ),
  };
}

/** f1 = 1.5·sin(x1) at its peak, f2 = −0.8·x2 at x2 = −2, the best level: high by the planted truth */
const HIGH = { x1: 1.57, x2: -2, x3: 0, level: 'd' };
const LOW = { x1: -1.57, x2: 2, x3: 0, level: 'a' };
const TOP20: Campaign = {
  id: 'deposit_top20',
  label: { en: 'Picked for you', 'zh-CN': '为您精选' },
  audience: { model: 'responds', topPercent: 20 },
  priority: 50,
  pins: [{ itemId: 'rescue-deposit', slotKind: 'picks' }],
};
const PICKS = [{ id: 'home.today', kind: 'picks', count: 4 }] as const;

let server: TestServer;
let dataDir: string;
let models: { a: Entry; b: Entry };
let riskyId: string;
const clients: SlotwiseClient[] = [];

/** a fresh device for `userId` (no cached answer): identify with traits, deliver, then decide */
async function decideAs(userId: string, traits: Record<string, unknown>): Promise<Item[]> {
  const c = createClient({ appKey: 'demo', endpoint: server.url, autocapture: false, indexedDB: new IDBFactory() });
  clients.push(c);
  c.identify(userId, traits);
  await c.flush();
  const d = await c.decide([...PICKS]);
  return d.slots['home.today']!.items;
}

const fromCampaign = (items: Item[], label: string) => items.filter((i) => i.reasons.some((r) => r.feature === 'campaign' && r.label === label));

describe('score audiences in decisions (real SDK ↔ real server, registry on disk)', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sw-models-decide-'));
    const registry = createRegistry({ dir: join(dataDir, 'models', 'registry') });
    const train = table(4000, 1);
    const fitted = fitMains(train, table(1500, 2), { seed: 3, epochs: 15 }).model;
    const a = registry.register({ model: withReference(fitted, train), metrics: {}, creator: 'test', fingerprint: fingerprint('a', train.n) });
    const b = registry.register({ model: withReference(flipped(fitted), train), metrics: {}, creator: 'test', fingerprint: fingerprint('b', train.n) });
    models = { a, b };
    registry.markLive(a.id, 'test');

    // a live R4 fund of the generated catalog, pinned for everyone the model scores at all
    const now = Date.now();
    riskyId = generateCatalog({ now }).find((i) => i.kind === 'fund' && i.risk === 'R4' && i.start <= now && (i.end === undefined || i.end > now + 3_600_000))!.id;
    const risky: Campaign = { id: 'risky', label: { en: 'High-risk pick', 'zh-CN': '高风险' }, audience: { model: 'responds', minScore: 0 }, priority: 40, pins: [{ itemId: riskyId, slotKind: 'picks' }] };
    const unknown: Campaign = { id: 'ghost', label: { en: 'Ghost', 'zh-CN': '幽灵' }, audience: { model: 'churn', topPercent: 5 }, priority: 30 };
    server = await startServer({ dataDir });
    // the operator's campaigns, published as the demo app's next release (what the admin API does)
    const rules = server.handle().rules.live('demo')!.rules;
    await server.handle().rules.publish('demo', { ...rules, campaigns: [TOP20, risky, unknown] });
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the traits score as the test expects under model a (the premise of what follows)', () => {
    const score = createProfileScorer(models.a.model);
    const cut = topPercentCutoff(models.a.model.reference!, 20);
    expect(score(HIGH).score).toBeGreaterThan(cut);
    expect(score(LOW).score).toBeLessThan(cut);
    expect(createProfileScorer(models.b.model)(LOW).score).toBeGreaterThan(topPercentCutoff(models.b.model.reference!, 20));
  });

  it('a campaign naming a target with no model is reported clearly at load', () => {
    expect(server.logs.join('\n')).toMatch(/campaign ghost\.audience\.model: no response model for target "churn" in the registry \(it has: responds(, subscribed)?\)/);
  });

  it('top 20 % by the live model: the high scorer sees the pinned item with the model reasons; the low scorer does not', async () => {
    const high = await decideAs('cust-high', { riskTolerance: 'C3', ...HIGH });
    const [pinned] = fromCampaign(high, 'Picked for you');
    expect(pinned?.id).toBe('rescue-deposit');
    expect(pinned!.strategy).toBe('campaign');
    const model = pinned!.reasons.filter((r) => r.feature.startsWith('responds.'));
    expect(model.length).toBeGreaterThan(0);
    expect(model.length).toBeLessThanOrEqual(2);
    for (const r of model) {
      expect(r.contribution).toBeGreaterThan(0);
      expect(r.label).toMatch(/^(x1|x2|x3|level): /);
    }
    // the two strongest of the user's contributions under model a, largest first
    expect(model[0]!.contribution).toBeGreaterThanOrEqual(model.at(-1)!.contribution);

    const low = await decideAs('cust-low', { riskTolerance: 'C3', ...LOW });
    expect(fromCampaign(low, 'Picked for you')).toEqual([]);
    expect(low.flatMap((i) => i.reasons).filter((r) => r.feature.startsWith('responds.'))).toEqual([]);

    // no traits: scored as a typical customer, outside the top 20 %
    const bare = await decideAs('cust-bare', { riskTolerance: 'C3' });
    expect(fromCampaign(bare, 'Picked for you')).toEqual([]);
  });

  it('another model marked live is used by the next decide, without a restart; a rollback too', async () => {
    const registry = createRegistry({ dir: join(dataDir, 'models', 'registry') });
    registry.markLive(models.b.id, 'test');
    expect(fromCampaign(await decideAs('cust-high', { riskTolerance: 'C3', ...HIGH }), 'Picked for you')).toEqual([]);
    expect(fromCampaign(await decideAs('cust-low', { riskTolerance: 'C3', ...LOW }), 'Picked for you').map((i) => i.id)).toEqual(['rescue-deposit']);
    registry.rollback('responds', 'test');
    expect(fromCampaign(await decideAs('cust-high', { riskTolerance: 'C3', ...HIGH }), 'Picked for you').map((i) => i.id)).toEqual(['rescue-deposit']);
  });

  it('suitability wins over a score audience: the R4 pick never reaches a C2 customer, however high the score', async () => {
    const shown = async (user: string, tolerance: RiskTolerance) => (await decideAs(user, { riskTolerance: tolerance, ...HIGH })).map((i) => i.id);
    expect(await shown('cust-c5', 'C5')).toContain(riskyId); // the pin works where it is allowed
    for (const tolerance of ['C1', 'C2', 'C3'] as const) expect(await shown(`cust-${tolerance}`, tolerance)).not.toContain(riskyId);
  });
});

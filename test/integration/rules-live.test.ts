// Rules as data, live: the real server-stub on loopback, a release activated through the registry
// (not reachable over HTTP), seen by the next decide, the config (ETag/304) and the config stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerSchemas, ruleSchemas, type Config, type DecideResponse } from '../../sdk/contract';
import { ruleSetSchemas, type Campaign, type RuleSet } from '../../sdk/contract-admin';
import { preview } from '../../server-stub/rules/preview';
import { RulesError } from '../../server-stub/rules/registry';
import { startServer, type TestServer } from '../helpers/server';

let server: TestServer;
const key = { 'x-slotwise-key': 'demo' };

const decideBody = (page = '/index.html') =>
  JSON.stringify({
    anonymousId: `a-${Math.random()}`,
    sessionId: 's1',
    context: { page, channel: 'web', locale: 'en' },
    slots: [{ id: 'home.today', kind: 'picks', count: 4 }],
  });

async function decide(page?: string): Promise<DecideResponse> {
  const res = await fetch(`${server.url}/v1/decide`, { method: 'POST', headers: { ...key, 'content-type': 'application/json' }, body: decideBody(page) });
  expect(res.status).toBe(200);
  const json = await res.json();
  expect(answerSchemas().decideResponse.safeParse(json).success).toBe(true);
  return json as DecideResponse;
}

/** an open config stream: the versions it announced so far (and the configs it pushed), and a wait for the next */
async function openStream(app = 'demo') {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/v1/config/stream?key=${app}`, { signal: controller.signal, headers: { origin: 'http://localhost:3000' } });
  const versions: number[] = [];
  const configs: { id: number; config: Config }[] = [];
  const waiters: (() => void)[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += value;
        let at: number;
        while ((at = text.indexOf('\n\n')) >= 0) {
          const event = text.slice(0, at);
          text = text.slice(at + 2);
          const data = /^data: (\d+)$/m.exec(event);
          if (data) versions.push(Number(data[1]));
          if (/^event: config$/m.test(event)) configs.push({ id: Number(/^id: (\d+)$/m.exec(event)![1]), config: JSON.parse(/^data: (.*)$/m.exec(event)![1]!) });
          waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      // aborted
    }
  })();
  const until = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (versions.length < n && Date.now() < deadline) await new Promise<void>((r) => (waiters.push(r), setTimeout(r, 200)));
    return versions;
  };
  return { res, versions, configs, until, close: () => controller.abort() };
}

const pinCampaign: Campaign = {
  id: 'card_push',
  label: { 'zh-CN': '信用卡推广', en: 'Card push' },
  pages: ['home'],
  priority: 100,
  pins: [{ itemId: 'rescue-card', slotKind: 'picks' }],
};

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

describe('rules as data, live', () => {
  it('seeds the demo app once from the code defaults, as release 1, valid by the contract', async () => {
    const live = server.handle().rules.live('demo')!;
    expect(live.version).toBe(1);
    expect(ruleSetSchemas().ruleSet.safeParse(live.rules).success).toBe(true);
    expect(live.rules.campaigns.map((c) => c.id)).toContain('welcome');
    expect(live.rules.items.some((i) => i.id === 'rescue-card')).toBe(true);
    expect(await server.handle().rules.releases('demo')).toEqual([{ version: 1, publishedAt: live.publishedAt, live: true }]);
  });

  it('answers the config with its release and an ETag, and 304 to If-None-Match', async () => {
    const res = await fetch(`${server.url}/v1/config`, { headers: key });
    expect(res.status).toBe(200);
    const config = await res.json();
    expect(ruleSchemas().config.safeParse(config).success).toBe(true);
    expect(config.release).toBe(1);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"1-cfg-/);
    const again = await fetch(`${server.url}/v1/config`, { headers: { ...key, 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await fetch(`${server.url}/v1/config`, { headers: { ...key, 'if-none-match': '"0-cfg-x"' } });
    expect(other.status).toBe(200);
  });

  it('refuses a rule set that may not go live, naming the field, and changes nothing', async () => {
    const rules = server.handle().rules.live('demo')!.rules;
    const bad: RuleSet = { ...rules, campaigns: [...rules.campaigns, { ...pinCampaign, pins: [{ itemId: 'no-such-item', slotKind: 'picks' }] }] };
    const error = await server.handle().rules.publish('demo', bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RulesError);
    expect((error as RulesError).body().error).toMatchObject({ code: 'unknown_item', path: `campaigns.${rules.campaigns.length}.pins.0.itemId` });
    expect(server.handle().rules.version('demo')).toBe(1);
    expect((await decide()).release).toBe(1);
  });

  it('activates a release pinning an item: the stream announces it, the next decide shows it under the new release', async () => {
    const stream = await openStream();
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(await stream.until(1)).toEqual([1]);

    const before = await decide();
    expect(before.release).toBe(1);
    expect(before.slots['home.today']!.items[0]!.id).not.toBe('rescue-card');
    const oldEtag = (await fetch(`${server.url}/v1/config`, { headers: key })).headers.get('etag')!;

    const rules = server.handle().rules.live('demo')!.rules;
    const release = await server.handle().rules.publish('demo', { ...rules, campaigns: [...rules.campaigns, pinCampaign] });
    expect(release.version).toBe(2);
    expect(await stream.until(2)).toEqual([1, 2]);

    const after = await decide();
    expect(after.release).toBe(2);
    const first = after.slots['home.today']!.items[0]!;
    expect(first).toMatchObject({ id: 'rescue-card', strategy: 'campaign' });
    expect(first.reasons[0]).toMatchObject({ feature: 'campaign', label: 'Card push' });
    // a page the campaign does not aim at is not changed by it
    expect((await decide('/loans.html')).slots['home.today']!.items.map((i) => i.id)).not.toContain('rescue-card');

    const config = await fetch(`${server.url}/v1/config`, { headers: { ...key, 'if-none-match': oldEtag } });
    expect(config.status).toBe(200);
    expect((await config.json()).release).toBe(2);
    stream.close();
  });

  it('changes the device rules of the config with the release, and pushes that config on the stream before the version', async () => {
    const stream = await openStream();
    await stream.until(1);
    const rules = server.handle().rules.live('demo')!.rules;
    const trigger = { ...rules.triggers[0]!, id: 'new_trigger' };
    await server.handle().rules.publish('demo', { ...rules, triggers: [...rules.triggers, trigger], tags: rules.tags.slice(1) });
    expect(await stream.until(2)).toEqual([2, 3]);
    const res = await fetch(`${server.url}/v1/config`, { headers: key });
    const config = await res.json();
    expect(config.release).toBe(3);
    expect(config.triggers.map((t: { id: string }) => t.id)).toContain('new_trigger');
    expect(config.tags).toHaveLength(rules.tags.length - 1);
    // the pushed config is the fetched one, so its ETag revalidates: 304
    expect(stream.configs).toEqual([{ id: 3, config }]);
    expect(ruleSchemas().config.safeParse(stream.configs[0]!.config).success).toBe(true);
    const etag = `"${stream.configs[0]!.config.release}-${stream.configs[0]!.config.version}"`;
    expect((await fetch(`${server.url}/v1/config`, { headers: { ...key, 'if-none-match': etag } })).status).toBe(304);
    stream.close();
  });

  it('rolls back to an earlier release as a new version, and keeps the live release across a restart', async () => {
    const rolled = await server.handle().rules.rollback('demo', 1);
    expect(rolled.version).toBe(4);
    expect((await decide()).slots['home.today']!.items.map((i) => i.id)).not.toContain('rescue-card');
    await server.restart();
    expect(server.handle().rules.version('demo')).toBe(4);
    expect((await decide()).release).toBe(4);
    expect((await server.handle().rules.releases('demo')).map((r) => r.version)).toEqual([4, 3, 2, 1]);
  });

  it('previews a rule set without making it live and without a decision log row', async () => {
    const rules = server.handle().rules.live('demo')!.rules;
    await server.handle().engine.flush();
    const rows = () => server.query<{ n: number }>('SELECT count(*) AS n FROM engine_decisions')[0]!.n;
    const logged = rows();
    const { answer, campaigns } = await server.handle().engine.preview('demo', { ...rules, campaigns: [...rules.campaigns, pinCampaign] }, JSON.parse(decideBody()));
    expect(answer.slots['home.today']!.items[0]!.id).toBe('rescue-card');
    expect(campaigns).toContain('card_push');
    await server.handle().engine.flush();
    expect(rows()).toBe(logged);
    expect((await decide()).slots['home.today']!.items.map((i) => i.id)).not.toContain('rescue-card');
    // a real decide does log: the count above could have moved
    await server.handle().engine.flush();
    expect(rows()).toBe(logged + 1);
  });

  it('previews a sample: its events make the tags a tag-audience campaign aims at, and run the triggers', async () => {
    const rules = server.handle().rules.live('demo')!.rules;
    const draft = { ...rules, campaigns: [...rules.campaigns, { ...pinCampaign, id: 'fund_fans', tags: [{ name: 'fund_interest' }] }] };
    const t = Date.now();
    const views = [0, 1, 2].map((i) => ({ name: 'item_view', ts: t - 1000 + i, properties: { kind: 'fund' } }));
    const sample = { page: '/index.html', slots: [{ id: 'home.today', kind: 'picks' as const, count: 4 }], locale: 'en' };
    const fans = await preview(server.handle().engine, 'demo', draft, { ...sample, events: [...views, { name: 'loan_apply_exit', ts: t, properties: { step: 2 } }] });
    expect(fans.tags).toMatchObject({ fund_interest: 3 });
    expect(fans.campaigns).toContain('fund_fans');
    expect(fans.answer.slots['home.today']!.items[0]!.id).toBe('rescue-card');
    expect(fans.triggers.fired.map((f) => f.triggerId)).toEqual(['loan_abandoned']);
    const others = await preview(server.handle().engine, 'demo', draft, sample);
    expect(others.campaigns).not.toContain('fund_fans');
    expect(others.answer.slots['home.today']!.items.map((i) => i.id)).not.toContain('rescue-card');
    await expect(preview(server.handle().engine, 'demo', { ...draft, tags: [{}] }, sample)).rejects.toBeInstanceOf(RulesError);
    // the sample's tolerance stands in for the stored one: a C5 sample may see R3–R5, a new visitor R1–R2 only
    const feed = { ...sample, slots: [{ id: 'home.feed', kind: 'feed' as const, count: 30 }] };
    const level = (p: Awaited<ReturnType<typeof preview>>) => Math.max(0, ...p.answer.slots['home.feed']!.items.map((i) => Number(i.risk?.[1] ?? 0)));
    expect(level(await preview(server.handle().engine, 'demo', draft, feed))).toBeLessThanOrEqual(2);
    expect(level(await preview(server.handle().engine, 'demo', draft, { ...feed, traits: { riskTolerance: 'C5' } }))).toBeGreaterThan(2);
  });

  it("decides from the release's items: an added item is served with its image, a removed one is gone everywhere", async () => {
    const rules = server.handle().rules.live('demo')!.rules;
    const added = {
      id: 'launch-deposit', kind: 'deposit' as const, category: 'term_deposit', risk: 'R1' as const, rate: 3.1, tags: ['guaranteed'],
      title: { 'zh-CN': '新品定存', en: 'Launch Deposit' }, highlight: { label: { 'zh-CN': '年利率', en: 'Rate' }, value: '3.10%' },
    };
    const launch: Campaign = { ...pinCampaign, id: 'launch', label: { 'zh-CN': '新品', en: 'New in' }, pins: [{ itemId: added.id, slotKind: 'picks' }] };
    const on = await server.handle().rules.publish('demo', { ...rules, items: [...rules.items, added], campaigns: [...rules.campaigns, launch] });
    const answer = await decide();
    expect(answer.release).toBe(on.version);
    expect(answer.slots['home.today']!.items[0]).toMatchObject({ id: added.id, title: 'Launch Deposit', highlight: { label: 'Rate', value: '3.10%' }, image: '/v1/images/launch-deposit.svg' });
    const image = await fetch(`${server.url}${answer.slots['home.today']!.items[0]!.image}`);
    expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    expect(await image.text()).toContain('3.10%');

    const off = await server.handle().rules.publish('demo', rules);
    for (let n = 0; n < 10; n++) {
      const again = await decide();
      expect(again.release).toBe(off.version);
      expect(again.slots['home.today']!.items.map((i) => i.id)).not.toContain(added.id);
    }
    expect((await fetch(`${server.url}/v1/images/launch-deposit.svg`)).status).toBe(404);
  });

  it("enforces a campaign's cap from the impressions POST /v1/events stored, per user", async () => {
    const rules = server.handle().rules.live('demo')!.rules;
    await server.handle().rules.publish('demo', { ...rules, campaigns: [...rules.campaigns, { ...pinCampaign, id: 'capped', caps: { perDay: 2 } }] });
    const ask = async (userId: string) => {
      const res = await fetch(`${server.url}/v1/decide`, {
        method: 'POST', headers: { ...key, 'content-type': 'application/json' },
        body: JSON.stringify({ anonymousId: userId, userId, sessionId: 's1', context: { page: '/index.html', channel: 'web', locale: 'en' }, slots: [{ id: 'home.today', kind: 'picks', count: 4 }] }),
      });
      return ((await res.json()) as DecideResponse).slots['home.today']!.items[0]!;
    };
    const seen = (answer: DecideResponse['slots'][string]['items'][number], n: number) => ({
      id: `cap-${n}`, type: 'impression', name: 'impression', ts: Date.now(), anonymousId: 'cap-user', userId: 'cap-user', sessionId: 's1',
      decisionId: 'd-cap', slotId: 'home.today', itemId: answer.id, position: 0, properties: {},
      context: { channel: 'web', locale: 'en', sdk: { name: 'slotwise', version: '0.0.0-test' } },
    });
    for (let n = 0; n < 2; n++) {
      const first = await ask('cap-user');
      expect(first).toMatchObject({ id: 'rescue-card', strategy: 'campaign' });
      const sent = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { ...key, 'content-type': 'application/json' }, body: JSON.stringify({ sentAt: Date.now(), events: [seen(first, n)] }) });
      expect(sent.status).toBe(200);
    }
    // stored and acknowledged: the next decide is made after the engine applied them
    expect(await ask('cap-user')).not.toMatchObject({ id: 'rescue-card', strategy: 'campaign' });
    expect(await ask('someone-else')).toMatchObject({ id: 'rescue-card', strategy: 'campaign' });
  });

  it('answers the stream only to a known key, and 405 to other methods', async () => {
    expect((await fetch(`${server.url}/v1/config/stream`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/config/stream?key=nope`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/config/stream?key=demo`, { method: 'POST' })).status).toBe(405);
  });
});

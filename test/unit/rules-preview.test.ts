// @vitest-environment node
// rules/: the seed, the release store and registry, the config streams' bounds, the server's copy
// of the device's rule semantics (held to sdk/rules.ts), and the trigger dry run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Matcher, SlotwiseEvent, TagRule, TriggerRule } from '../../sdk/contract';
import { checkRuleSet, ruleSetSchemas, type Release } from '../../sdk/contract-admin';
import { matches as deviceMatches } from '../../sdk/rules';
import { openDb } from '../../server-stub/store/db';
import { matches, tagsOf } from '../../server-stub/rules/match';
import { dryRun, dryRunTriggers } from '../../server-stub/rules/preview';
import { createRulesRegistry, RulesError } from '../../server-stub/rules/registry';
import { seedRuleSet } from '../../server-stub/rules/seed';
import { createRulesStore } from '../../server-stub/rules/store';
import { createReleaseStreams } from '../../server-stub/rules/stream';
import { HttpError } from '../../server-stub/wire/errors';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const db = () => {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-rules-'));
  dirs.push(dir);
  return openDb(dir);
};
const NOW = Date.UTC(2026, 11, 7, 12);

describe('the seed', () => {
  it('is the code defaults as a rule set that may go live', () => {
    const rules = seedRuleSet({ now: NOW });
    expect(ruleSetSchemas().ruleSet.safeParse(rules).success).toBe(true);
    expect(checkRuleSet(rules)).toEqual([]);
    expect(rules.items).toHaveLength(300);
    expect(rules.slots[0]!.slots.map((s) => s.id)).toEqual(['home.today', 'home.feed', 'home.ad', 'home.reminders']);
  });
});

describe('the registry', () => {
  const engine = () => {
    const swapped: number[] = [];
    return { swapped, activate: async (_app: string, r: Release) => void swapped.push(r.version) };
  };

  it('seeds a fresh store once, and numbers releases after it, never twice the same under concurrent publishes', async () => {
    const d = db();
    const seed = { app: 'demo', rules: () => seedRuleSet({ now: NOW }) };
    const r = await createRulesRegistry({ store: await createRulesStore({ kind: 'sqlite', db: d }), now: () => NOW, seed });
    const e = engine();
    r.attach(e);
    expect(r.version('demo')).toBe(1);
    const base = r.live('demo')!.rules;
    const seen: number[] = [];
    r.subscribe('demo', (v) => seen.push(v));
    const [a, b] = await Promise.all([r.publish('demo', base), r.publish('demo', base)]);
    expect([a.version, b.version]).toEqual([2, 3]);
    expect(e.swapped).toEqual([2, 3]);
    expect(seen).toEqual([2, 3]);
    // a second registry on the same store: no new seed, the live release as it was
    const again = await createRulesRegistry({ store: await createRulesStore({ kind: 'sqlite', db: d }), now: () => NOW, seed });
    expect(again.version('demo')).toBe(3);
    expect((await again.releases('demo')).map((x) => [x.version, x.live])).toEqual([[3, true], [2, false], [1, false]]);
    d.close();
  });

  it('refuses bad rules with every problem named, a stale version with 409, and keeps the live release', async () => {
    const d = db();
    const r = await createRulesRegistry({ store: await createRulesStore({ kind: 'sqlite', db: d }), now: () => NOW, seed: { app: 'demo', rules: () => seedRuleSet({ now: NOW }) } });
    const base = r.live('demo')!.rules;
    const bad = { ...base, items: [...base.items, { ...base.items[0]! }], campaigns: [{ ...base.campaigns[0]!, end: 1, start: 2 }, ...base.campaigns.slice(1)] };
    const e = (await r.publish('demo', bad).catch((x: unknown) => x)) as RulesError;
    expect(e).toBeInstanceOf(RulesError);
    expect(e.problems.map((p) => p.code)).toEqual(['duplicate_id', 'bad_window']);
    expect(e.body().error).toMatchObject({ code: 'duplicate_id', path: 'items.300.id' });
    const shape = (await r.publish('demo', { ...base, tags: 'x' }).catch((x: unknown) => x)) as RulesError;
    expect(shape.body().error.path).toBe('tags');
    // version 1 is stored: activating it makes the stored one live again, whatever rules came along
    expect(await r.activate('demo', { version: 1, publishedAt: NOW, rules: { ...base, campaigns: [] } })).toMatchObject({ version: 1 });
    expect(r.live('demo')!.rules.campaigns).toHaveLength(base.campaigns.length);
    await r.publish('demo', base);
    const older = (await r.activate('demo', { version: 2, publishedAt: NOW, rules: base }).catch((x: unknown) => x)) as Release;
    expect(older.version).toBe(2);
    const zero = await r.activate('demo', { version: 0, publishedAt: NOW, rules: base }).catch((x: unknown) => x);
    expect((zero as RulesError).body().error.path).toBe('version');
    expect(r.version('demo')).toBe(2);
    // a release from elsewhere (another instance) may skip numbers; one below the newest stored may not
    expect((await r.activate('demo', { version: 5, publishedAt: NOW, rules: base })).version).toBe(5);
    const behind = (await r.activate('demo', { version: 4, publishedAt: NOW, rules: base }).catch((x: unknown) => x)) as HttpError;
    expect(behind).toMatchObject({ status: 409, code: 'stale_release', path: 'version' });
    expect(r.version('demo')).toBe(5);
    d.close();
  });
});

describe('config streams', () => {
  it('announce the live version on connect and on change, beat, and are bounded per key', async () => {
    vi.useFakeTimers();
    const listeners = new Set<(v: number) => void>();
    let version = 4;
    const streams = createReleaseStreams({
      version: () => version,
      subscribe: (_app, fn) => (listeners.add(fn), () => listeners.delete(fn)),
      maxPerKey: 2,
      heartbeatMs: 1000,
    });
    const text: string[] = [];
    const a = streams.open('k', 'demo').getReader();
    const pump = async () => {
      for (;;) {
        const { value, done } = await a.read();
        if (done) return;
        text.push(new TextDecoder().decode(value));
      }
    };
    const pumped = pump();
    streams.open('k', 'demo');
    expect(() => streams.open('k', 'demo')).toThrow(HttpError);
    expect(streams.count('k')).toBe(2);
    version = 5;
    listeners.forEach((l) => l(5));
    await vi.advanceTimersByTimeAsync(1000);
    expect(text.join('')).toBe('retry: 2000\n\nid: 4\ndata: 4\n\nid: 5\ndata: 5\n\n: hb\n\n');
    await a.cancel();
    await pumped;
    expect(streams.count('k')).toBe(1);
    streams.close();
    expect(streams.count('k')).toBe(0);
    expect(listeners.size).toBe(0);
  });
});

describe("the device's rules on the server", () => {
  const event = (name: string, properties: Record<string, unknown>, ts = NOW, type: SlotwiseEvent['type'] = 'track'): SlotwiseEvent => ({
    id: 'e', type, name, ts, anonymousId: 'a', sessionId: 's', properties, context: { channel: 'web', sdk: { name: 'x', version: '1' } },
  });
  it("runs the device's matcher (sdk/contract-rules.ts), a sample without a type counting as a track", () => {
    expect(matches({ type: 'track', name: 'v' }, { name: 'v', ts: NOW })).toBe(true);
    expect(matches({ type: 'page' }, { name: 'v', ts: NOW })).toBe(false);
    expect(matches({ type: 'page' }, { type: 'page', name: 'v', ts: NOW })).toBe(true);
    // the one matcher: what the device answers for a full envelope, the server answers too
    const e = event('v', { step: '2' });
    for (const m of [{ where: [{ prop: 'step', op: 'eq', value: 2 }] }, { name: 'w' }] as Matcher[]) expect(matches(m, e)).toBe(deviceMatches(m, e));
  });

  it('makes tags from events as the device does', () => {
    const rules: TagRule[] = [
      { name: 'views', match: { name: 'item_view' }, agg: 'count', windowMs: 60_000, op: 'gte', threshold: 2 },
      { name: 'cat', match: { name: 'item_view' }, agg: 'last', property: 'category', windowMs: 60_000 },
      { name: 'spent', match: { name: 'pay' }, agg: 'sum', property: 'amount', windowMs: 60_000, op: 'gt', threshold: 100 },
      { name: 'old', match: { name: 'pay' }, agg: 'exists', windowMs: 1000 },
    ];
    const events = [
      { name: 'pay', ts: NOW - 30_000, properties: { amount: 80 } },
      { name: 'item_view', ts: NOW - 20_000, properties: { category: 'bond_fund' } },
      { name: 'item_view', ts: NOW - 10_000, properties: { category: 'mixed_fund' } },
      { name: 'pay', ts: NOW - 5000, properties: { amount: '30' } },
    ];
    expect(tagsOf(rules, events, NOW)).toEqual({ views: 2, cat: 'mixed_fund', spent: 110 });
    expect(tagsOf(rules, events, NOW + 41_000)).toEqual({ cat: 'mixed_fund' });
  });
});

describe('dryRunTriggers', () => {
  const reminder = { title: { en: 't' }, body: { en: 'b' } };
  const triggers: TriggerRule[] = [
    { id: 'now', when: { name: 'exit', where: [{ prop: 'step', op: 'lt', value: 4 }] }, delayMs: 0, caps: { perDay: 1 }, reminder },
    { id: 'stalled', when: { name: 'step' }, unless: { name: 'submit', withinMs: 60_000 }, delayMs: 0, reminder },
  ];
  it('fires at once, after the wait, cancels on unless and restarts, and holds the caps', () => {
    const run = dryRunTriggers({ triggers }, [
      { name: 'exit', ts: NOW, properties: { step: 2 } },
      { name: 'exit', ts: NOW + 1000, properties: { step: 3 } },
      { name: 'exit', ts: NOW + 1500, properties: { step: 5 } },
      { name: 'step', ts: NOW + 2000 },
      { name: 'submit', ts: NOW + 3000 },
      { name: 'step', ts: NOW + 4000 },
      { name: 'step', ts: NOW + 5000 },
    ]);
    expect(run.fired).toEqual([
      { triggerId: 'now', at: NOW, event: 0 },
      { triggerId: 'stalled', at: NOW + 65_000, event: 6 },
    ]);
    expect(run.cancelled).toEqual([
      { triggerId: 'now', at: NOW + 1000, event: 1, why: 'cap' },
      { triggerId: 'stalled', at: NOW + 62_000, event: 3, why: 'unless' },
      { triggerId: 'stalled', at: NOW + 64_000, event: 5, why: 'restarted' },
    ]);
  });

  it('an unless past its window does not cancel', () => {
    const run = dryRunTriggers({ triggers }, [{ name: 'step', ts: NOW }, { name: 'submit', ts: NOW + 61_000 }]);
    expect(run.fired).toEqual([{ triggerId: 'stalled', at: NOW + 60_000, event: 0 }]);
  });
});

describe('dryRun (the admin API\'s dry-run box)', () => {
  const tags = [
    { name: 'views', match: { type: 'track' as const, name: 'item_view' }, agg: 'count' as const, windowMs: 10_000 },
    { name: 'big', match: { type: 'track' as const, name: 'pay' }, agg: 'sum' as const, property: 'amount', windowMs: 60_000, op: 'gte' as const, threshold: 100 },
    { name: 'small', match: { type: 'track' as const, name: 'pay' }, agg: 'sum' as const, property: 'amount', windowMs: 60_000, op: 'gte' as const, threshold: 1000 },
  ];
  const triggers = [
    {
      id: 'abandon',
      when: { type: 'track' as const, name: 'step' },
      unless: { type: 'track' as const, name: 'done', withinMs: 5_000 },
      delayMs: 60_000,
      caps: { lifetime: 1 },
      reminder: { title: { 'zh-CN': 't', en: 't' }, body: { 'zh-CN': 'b', en: 'b' } },
    },
  ];
  const events = [
    { name: 'step', ts: 0 },
    { name: 'done', ts: 4_000 },
    { name: 'step', ts: 10_000 },
    { name: 'item_view', ts: 12_000 },
    { name: 'pay', properties: { amount: '60' }, ts: 16_000 },
    { name: 'pay', properties: { amount: 50 }, ts: 17_000 },
    { name: 'step', ts: 20_000 },
  ];

  it('says which tags hold at the last event, and when each trigger fires or why not', () => {
    // typed out of order: the dry run puts them in time order
    const r = dryRun({ tags, triggers }, [...events].reverse());
    // the view is inside the 10 s window that ends at the last event; the sum reaches 110, not 1000
    expect(r.tags).toEqual({ views: 1, big: 110 });
    expect({ fired: r.fired, cancelled: r.cancelled }).toEqual({
      fired: [{ triggerId: 'abandon', at: 80_000, event: 6 }],
      cancelled: [
        { triggerId: 'abandon', at: 60_000, event: 0, why: 'unless' },
        { triggerId: 'abandon', at: 70_000, event: 2, why: 'restarted' },
      ],
    });
  });
});

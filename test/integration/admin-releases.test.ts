// @vitest-environment node
/**
 * Drafts, releases and the audit log against the real server on loopback: a campaign drafted,
 * previewed, submitted, approved by a second publisher, seen by /v1/decide and /v1/config, rolled
 * back; validation naming the field; optimistic concurrency; no half release when a publish fails
 * midway; scheduling; every change audited, append-only, exportable as CSV.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../sdk/contract-admin';
import type { PostgresStore } from '../../server-stub/store/postgres';
import { startServer, type TestServer } from '../helpers/server';
import { login, PASSWORD, type Operator } from '../helpers/admin';

const key = { 'x-slotwise-key': 'demo', 'content-type': 'application/json' };
const decideRequest = (page = '/index.html') => ({
  anonymousId: `a-${Math.random()}`,
  sessionId: 's1',
  context: { page, channel: 'web', locale: 'en' },
  slots: [{ id: 'home.today', kind: 'picks', count: 4 }],
});

async function decide(s: TestServer) {
  const res = await fetch(`${s.url}/v1/decide`, { method: 'POST', headers: key, body: JSON.stringify(decideRequest()) });
  expect(res.status).toBe(200);
  const json = await res.json();
  return { release: json.release as number, ids: json.slots['home.today'].items.map((i: { id: string }) => i.id) as string[] };
}
const config = async (s: TestServer) => (await (await fetch(`${s.url}/v1/config`, { headers: key })).json()) as { release: number };

const pin: Campaign = {
  id: 'card_push',
  label: { 'zh-CN': '信用卡推广', en: 'Card push' },
  pages: ['home'],
  priority: 100,
  pins: [{ itemId: 'rescue-card', slotKind: 'picks' }],
};

async function team(s: TestServer) {
  const admin = s.handle().admin;
  const people: [string, 'viewer' | 'editor' | 'publisher' | 'admin'][] = [
    ['root', 'admin'],
    ['ed', 'editor'],
    ['pub1', 'publisher'],
    ['pub2', 'publisher'],
  ];
  const out: Record<string, Operator> = {};
  for (const [name, role] of people) {
    await admin.createUser({ username: name, role, apps: role === 'admin' ? ['*'] : ['demo'], password: PASSWORD });
    out[name] = await login(s.url, name, PASSWORD, { 'user-agent': `test-${name}` });
  }
  return out;
}

describe('admin API: a campaign from draft to live and back', () => {
  let s: TestServer;
  let t: Record<string, Operator>;
  beforeAll(async () => {
    s = await startServer();
    t = await team(s);
  }, 60_000);
  afterAll(() => s?.stop());

  it('starts from the demo seed, imported as live release 1', async () => {
    const app = await t.ed!.get('/apps/demo');
    expect(app.body).toMatchObject({ id: 'demo', live: 1, fourEyes: false });
    const campaigns = await t.ed!.get('/apps/demo/campaigns');
    expect(campaigns.body.items.find((e: { id: string }) => e.id === 'welcome')).toMatchObject({ status: 'live', rev: expect.any(String) });
    const tags = await t.ed!.get('/apps/demo/tags');
    expect(tags.body.items.length).toBeGreaterThan(0);
    expect(tags.body.items[0].id).toBe(tags.body.items[0].value.name);
    expect((await t.ed!.get('/apps/demo/releases')).body.items).toEqual([expect.objectContaining({ version: 1, status: 'live', createdBy: 'system' })]);
  });

  it('drafts, previews, submits under four-eyes, refuses self-approval, publishes on a second publisher, rolls back', async () => {
    expect((await t.root!.put('/apps/demo', { fourEyes: true })).body.fourEyes).toBe(true);

    const created = await t.ed!.post('/apps/demo/campaigns', pin);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'card_push', status: 'draft', value: pin, updatedBy: 'ed' });
    expect(created.headers.get('etag')).toBe(`"${created.body.rev}"`);
    expect((await t.ed!.get('/apps/demo/drafts')).body.items).toEqual([{ kind: 'campaigns', id: 'card_push', change: 'added', after: pin }]);

    // the preview shows the draft, the live decide does not
    const sample = { page: '/index.html', slots: [{ id: 'home.today', kind: 'picks', count: 4 }], traits: { riskTolerance: 'C3' } };
    const preview = await t.ed!.post('/apps/demo/preview', sample);
    expect(preview.status).toBe(200);
    expect(preview.body.answer.slots['home.today'].items[0]).toMatchObject({ id: 'rescue-card', strategy: 'campaign' });
    expect(preview.body.campaigns).toContain('card_push');
    expect((await decide(s)).ids).not.toContain('rescue-card');
    const badPreview = await t.ed!.post('/apps/demo/preview', { ...sample, slots: 'home' });
    expect([badPreview.status, badPreview.body.error.path]).toEqual([400, 'slots']);

    // a publisher submits; four-eyes: not they, not an editor, another publisher approves
    const submitted = await t.pub1!.post('/apps/demo/releases', { note: 'card push' });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ version: 2, status: 'pending', base: 1, createdBy: 'pub1', note: 'card push' });
    expect((await decide(s)).release).toBe(1);
    const self = await t.pub1!.post('/apps/demo/releases/2/approve');
    expect([self.status, self.body.error.code]).toEqual([403, 'four_eyes']);
    expect((await t.ed!.post('/apps/demo/releases/2/approve')).status).toBe(403);
    const approved = await t.pub2!.post('/apps/demo/releases/2/approve');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ version: 2, status: 'live', approvedBy: 'pub2', liveAt: expect.any(String) });
    expect((await t.pub2!.post('/apps/demo/releases/2/approve')).status).toBe(409);

    const after = await decide(s);
    expect(after.release).toBe(2);
    expect(after.ids[0]).toBe('rescue-card');
    expect((await config(s)).release).toBe(2);
    expect((await t.ed!.get('/apps/demo/drafts')).body.items).toEqual([]);
    expect((await t.ed!.get('/apps/demo/campaigns/card_push')).body.status).toBe('live');
    const diff = await t.ed!.get('/apps/demo/releases/2/diff');
    expect(diff.body).toEqual({ from: 1, to: 2, items: [{ kind: 'campaigns', id: 'card_push', change: 'added', after: pin }] });

    // roll back to 1: a new version 3 with 1's rules
    const rolled = await t.pub1!.post('/apps/demo/releases/1/rollback', {});
    expect(rolled.status).toBe(201);
    expect(rolled.body).toMatchObject({ version: 3, status: 'live', rollbackOf: 1, base: 2, createdBy: 'pub1' });
    const back = await decide(s);
    expect(back.release).toBe(3);
    expect(back.ids).not.toContain('rescue-card');
    expect((await config(s)).release).toBe(3);
    expect((await t.ed!.get('/apps/demo/releases/3/diff?against=1')).body.items).toEqual([]);
    expect((await t.ed!.get('/apps/demo/releases')).body.items.map((r: { version: number; status: string }) => `${r.version}:${r.status}`)).toEqual([
      '3:live',
      '2:superseded',
      '1:superseded',
    ]);
    expect((await t.pub1!.post('/apps/demo/releases/3/rollback', {})).status).toBe(409);

    // every change above is in the audit log, with who and from where
    const audit = (await t.ed!.get('/apps/demo/audit')).body.items.reverse();
    expect(audit.map((e: { action: string; actor: string }) => `${e.action} ${e.actor}`)).toEqual(
      expect.arrayContaining(['app.update root', 'draft.create ed', 'release.submit pub1', 'release.approve pub2', 'release.rollback pub1']),
    );
    const approval = audit.find((e: { action: string }) => e.action === 'release.approve');
    expect(approval).toMatchObject({ ip: '127.0.0.1', userAgent: 'test-pub2', target: 'release/2', diff: [{ kind: 'campaigns', id: 'card_push', change: 'added', after: pin }] });
    expect(Date.parse(approval.at)).toBeGreaterThan(0);
  });

  it('a pending release made before another went live cannot be approved (409), and is rejected', async () => {
    await t.ed!.post('/apps/demo/campaigns', { ...pin, id: 'later' });
    const pending = await t.pub1!.post('/apps/demo/releases', {});
    expect(pending.body).toMatchObject({ status: 'pending', base: 3 });
    await t.pub2!.post('/apps/demo/releases/2/rollback', {});
    const stale = await t.pub2!.post(`/apps/demo/releases/${pending.body.version}/approve`);
    expect([stale.status, stale.body.error.code]).toEqual([409, 'stale_release']);
    const rejected = await t.pub2!.post(`/apps/demo/releases/${pending.body.version}/reject`, { reason: 'stale' });
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'stale' });
    await t.ed!.post('/apps/demo/drafts/discard');
    expect((await t.root!.put('/apps/demo', { fourEyes: false })).body.fourEyes).toBe(false);
  });

  it('validates every save with the schema and checkRuleSet, the path relative to the body', async () => {
    const ed = t.ed!;
    const cases: [Promise<{ status: number; body: any }>, string, string?][] = [
      [ed.post('/apps/demo/campaigns', { ...pin, id: 'x1', pins: [{ itemId: 'no-such-item', slotKind: 'picks' }] }), 'pins.0.itemId', 'unknown_item'],
      [ed.post('/apps/demo/campaigns', { ...pin, id: 'x2', start: 2000, end: 1000 }), 'end', 'bad_window'],
      [ed.post('/apps/demo/campaigns', { ...pin, id: 'x3', priority: 'high' }), 'priority'],
      [ed.post('/apps/demo/campaigns', { ...pin, id: 'bad id!' }), 'id'],
      [ed.post('/apps/demo/items', { id: 'f1', kind: 'fund', category: 'funds', title: { 'zh-CN': '基金', en: 'Fund' }, tags: [] }), 'risk', 'missing_risk'],
      [ed.post('/apps/demo/campaigns', { ...pin, id: 'welcome' }), 'id', 'exists'],
      [ed.put('/apps/demo/campaigns/welcome', { ...pin, id: 'other' }, { 'if-match': '*' }), 'id'],
    ];
    for (const [pending, path, code] of cases) {
      const r = await pending;
      expect([r.status === 409 ? 409 : r.status, r.body.error?.path]).toEqual([code === 'exists' ? 409 : 400, path]);
      if (code) expect(r.body.error.code).toBe(code);
    }
    // a deletion that breaks another rule names that rule by id
    const card = { id: 'x-card', kind: 'card', category: 'cards', title: { 'zh-CN': '卡', en: 'Card' }, tags: [] };
    expect((await ed.post('/apps/demo/items', card)).status).toBe(201);
    const holder = await ed.post('/apps/demo/campaigns', { ...pin, id: 'holder', pins: [{ itemId: 'x-card', slotKind: 'picks' }] });
    expect(holder.status).toBe(201);
    const item = await ed.get('/apps/demo/items/x-card');
    const del = await ed.del('/apps/demo/items/x-card', { 'if-match': `"${item.body.rev}"` });
    expect([del.status, del.body.error.code, del.body.error.path]).toEqual([400, 'unknown_item', 'campaigns.holder.pins.0.itemId']);
    await ed.post('/apps/demo/drafts/discard');
  });

  it('guards edits with If-Match: 428 without, 409 when stale, and the new rev after', async () => {
    const ed = t.ed!;
    const live = await ed.get('/apps/demo/campaigns/welcome');
    const rev = live.body.rev;
    expect((await ed.put('/apps/demo/campaigns/welcome', live.body.value)).status).toBe(428);
    const edited = await ed.put('/apps/demo/campaigns/welcome', { ...live.body.value, priority: 7 }, { 'if-match': `"${rev}"` });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'draft', value: { priority: 7 } });
    expect(edited.body.rev).not.toBe(rev);
    const lost = await t.pub1!.put('/apps/demo/campaigns/welcome', { ...live.body.value, priority: 9 }, { 'if-match': `"${rev}"` });
    expect([lost.status, lost.body.error.code]).toEqual([409, 'stale']);
    // editing it back to the live value leaves no draft
    const reverted = await ed.put('/apps/demo/campaigns/welcome', live.body.value, { 'if-match': `"${edited.body.rev}"` });
    expect(reverted.body.status).toBe('live');
    expect((await ed.get('/apps/demo/drafts')).body.items).toEqual([]);
    // a deletion is a draft too, until published
    const gone = await ed.del('/apps/demo/campaigns/welcome', { 'if-match': `"${reverted.body.rev}"` });
    expect(gone.status).toBe(204);
    expect((await ed.get('/apps/demo/campaigns/welcome')).body.status).toBe('deleted');
    expect((await ed.get('/apps/demo/drafts')).body.items).toEqual([expect.objectContaining({ id: 'welcome', change: 'removed' })]);
    await ed.post('/apps/demo/drafts/discard');
  });

  it('dry-runs the draft triggers over a typed event sequence; 404 for an unknown app', async () => {
    const first = (await t.ed!.get('/apps/demo/triggers')).body.items[0].value;
    const { unless: _unless, ...rest } = first;
    const draft = { ...rest, id: 'dry_t', when: { type: 'track', name: 'dry_event' }, delayMs: 0 };
    expect((await t.ed!.post('/apps/demo/triggers', draft)).status).toBe(201);
    const dry = await t.ed!.post('/apps/demo/triggers/dry-run', { events: [{ type: 'track', name: 'other', ts: 1000 }, { type: 'track', name: 'dry_event', ts: 2000 }] });
    expect(dry.status).toBe(200);
    expect(dry.body.fired).toContainEqual({ triggerId: 'dry_t', at: 2000, event: 1 });
    const bad = await t.ed!.post('/apps/demo/triggers/dry-run', { events: [{ name: 'x', ts: 'now' }] });
    expect([bad.status, bad.body.error.path]).toEqual([400, 'events.0.ts']);
    await t.ed!.post('/apps/demo/drafts/discard');
    expect((await t.root!.get('/apps/nope/campaigns')).status).toBe(404);
  });

  it('makes apps and public app keys: a new key works on /v1 at once and stops when revoked; configured keys stay', async () => {
    const root = t.root!;
    expect((await root.post('/apps', { id: 'bank', name: 'Bank', fourEyes: true })).status).toBe(201);
    expect((await root.post('/apps', { id: 'bank' })).status).toBe(409);
    const made = await root.post('/apps/bank/keys');
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ app: 'bank', source: 'admin', createdBy: 'root' });
    const k = made.body.key;
    expect((await fetch(`${s.url}/v1/config`, { headers: { 'x-slotwise-key': k } })).status).toBe(200);
    expect((await root.get('/apps/demo/keys')).body.items).toEqual([{ key: 'demo', app: 'demo', source: 'config' }]);
    expect((await root.del('/apps/demo/keys/demo')).status).toBe(409);
    expect((await root.del(`/apps/bank/keys/${k}`)).status).toBe(204);
    expect((await fetch(`${s.url}/v1/config`, { headers: { 'x-slotwise-key': k } })).status).toBe(401);
    expect((await t.ed!.get('/apps')).body.items.map((a: { id: string }) => a.id)).toEqual(['demo']);
  });
});

describe('admin API: all or nothing, scheduling, the audit log', () => {
  let s: TestServer;
  let t: Record<string, Operator>;
  let failAt: string | undefined;
  beforeAll(async () => {
    s = await startServer({
      admin: {
        fault: (point) => {
          if (point === failAt) throw new Error(`injected fault at ${point}`);
        },
      },
    });
    t = await team(s);
  }, 60_000);
  afterAll(() => s?.stop());

  const snapshot = () => ({
    releases: s.query('SELECT app, version, status FROM admin_releases ORDER BY app, version'),
    apps: s.query('SELECT id, live FROM admin_apps ORDER BY id'),
    drafts: s.query('SELECT app, kind, id, body FROM admin_drafts ORDER BY kind, id'),
    audit: s.query('SELECT count(*) AS n FROM admin_audit')[0],
    registry: s.handle().rules.version('demo'),
  });

  it('leaves no half release when a publish fails midway (store written, or the engine refusing)', async () => {
    expect((await t.ed!.post('/apps/demo/campaigns', pin)).status).toBe(201);
    const before = snapshot();
    for (const point of ['publish:release-written', 'publish:before-commit']) {
      failAt = point;
      const r = await t.pub1!.post('/apps/demo/releases', {});
      expect([r.status, point]).toEqual([500, point]);
      expect(snapshot()).toEqual(before);
      expect((await decide(s)).release).toBe(1);
    }
    // the engine refusing after the store committed: undone, the release recorded as failed
    failAt = 'publish:activate';
    expect((await t.pub1!.post('/apps/demo/releases', {})).status).toBe(500);
    const after = snapshot();
    expect(after.apps).toEqual(before.apps);
    expect(after.drafts).toEqual(before.drafts);
    expect(after.registry).toBe(1);
    expect(after.releases).toEqual([...(before.releases as object[]), { app: 'demo', version: 2, status: 'failed' }]);
    expect((await decide(s)).ids).not.toContain('rescue-card');
    failAt = undefined;
    const ok = await t.pub1!.post('/apps/demo/releases', {});
    expect(ok.body).toMatchObject({ version: 3, status: 'live' });
    expect((await decide(s)).ids[0]).toBe('rescue-card');
  });

  it('schedules a release for later, and cancels a scheduled one whose base moved', async () => {
    await t.ed!.post('/apps/demo/campaigns', { ...pin, id: 'soon', pins: [] });
    const at = new Date(Date.now() + 1500).toISOString();
    const scheduled = await t.pub1!.post('/apps/demo/releases', { goLiveAt: at });
    expect(scheduled.body).toMatchObject({ version: 4, status: 'scheduled', goLiveAt: at });
    expect((await decide(s)).release).toBe(3);
    // the scheduler's own timer makes it live; wait for that (bounded), not for a time
    for (let i = 0; i < 100 && (await config(s)).release !== 4; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await config(s)).release).toBe(4);
    expect((await t.ed!.get('/apps/demo/releases/4')).body).toMatchObject({ status: 'live', liveAt: expect.any(String) });

    await t.ed!.post('/apps/demo/campaigns', { ...pin, id: 'later', pins: [] });
    const second = await t.pub1!.post('/apps/demo/releases', { goLiveAt: new Date(Date.now() + 1000).toISOString() });
    expect(second.body).toMatchObject({ status: 'scheduled', base: 4 });
    // release 3 comes back before `second` is due: it was cut against 4, so it must not undo that
    const rolled = await t.pub2!.post('/apps/demo/releases/3/rollback', {});
    const version = `/apps/demo/releases/${second.body.version}`;
    for (let i = 0; i < 100 && (await t.ed!.get(version)).body.status === 'scheduled'; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await t.ed!.get(version)).body).toMatchObject({ status: 'cancelled', reason: expect.stringContaining(`release ${rolled.body.version} went live`) });
    expect((await config(s)).release).toBe(rolled.body.version);
    // a scheduled release can also be withdrawn by hand
    const third = await t.pub1!.post('/apps/demo/releases', { goLiveAt: new Date(Date.now() + 60_000).toISOString() });
    const withdrawn = await t.pub2!.post(`/apps/demo/releases/${third.body.version}/reject`, { reason: 'not now' });
    expect(withdrawn.body).toMatchObject({ status: 'cancelled', reason: 'not now' });
    expect(await s.handle().admin.runDue()).toBe(0);
  });

  it('keeps the audit log append-only: the database refuses UPDATE and DELETE, and no code issues one', async () => {
    const store = s.handle().store;
    if (store.kind === 'postgres') {
      const { pool } = store as PostgresStore;
      await expect(pool.query("UPDATE admin_audit SET actor = 'someone else'")).rejects.toThrow(/append-only/);
      await expect(pool.query('DELETE FROM admin_audit')).rejects.toThrow(/append-only/);
      await expect(pool.query('TRUNCATE admin_audit')).rejects.toThrow(/append-only/);
    } else {
      const db = new Database(join(s.dataDir, 'slotwise.db'));
      try {
        expect(() => db.prepare("UPDATE admin_audit SET actor = 'someone else'").run()).toThrow(/append-only/);
        expect(() => db.prepare('DELETE FROM admin_audit').run()).toThrow(/append-only/);
      } finally {
        db.close();
      }
    }
    const dir = join(__dirname, '../../server-stub/admin');
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/UPDATE\s+admin_audit|DELETE\s+FROM\s+admin_audit|REPLACE\s+INTO\s+admin_audit/i);
    }
    expect(s.query<{ n: number }>('SELECT count(*) AS n FROM admin_audit')[0]!.n).toBeGreaterThan(10);
  });

  it('exports the audit log as CSV, paged, with formulas defused', async () => {
    const sly = await login(s.url, 'pub2', PASSWORD, { 'user-agent': '=HYPERLINK("http://evil.example")' });
    await sly.post('/apps/demo/tags', { name: 'csv_tag', match: { type: 'track', name: 'x' }, agg: 'count', windowMs: 60_000 });
    const json = await t.ed!.get('/apps/demo/audit?limit=1000');
    const res = await fetch(`${s.url}/admin/v1/apps/demo/audit?format=csv`, { headers: { cookie: t.ed!.cookie } });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="audit-demo.csv"/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,app,action,target,ip,userAgent,diff');
    expect(lines.length - 1).toBe(json.body.items.length);
    const tagLine = lines.find((l) => l.includes('tags/csv_tag'))!;
    expect(tagLine).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    // pages: newest first, no entry twice, `next` until the end
    const seen: number[] = [];
    let before: number | null | undefined;
    do {
      const page = await t.ed!.get(`/apps/demo/audit?limit=3${before ? `&before=${before}` : ''}`);
      seen.push(...page.body.items.map((e: { id: number }) => e.id));
      before = page.body.next;
    } while (before);
    expect(seen).toEqual(json.body.items.map((e: { id: number }) => e.id));
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    const all = await t.root!.get('/audit?limit=1000');
    expect(all.body.items.some((e: { action: string; app: null }) => e.action === 'user.create' && e.app === null)).toBe(true);
    expect((await t.ed!.get('/audit')).status).toBe(403);
  });
});

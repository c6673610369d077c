/**
 * Verified identity and the merged view over HTTP, against the real server (issue 20, "Show"), on
 * SQLite and on PostgreSQL (integration-pg). In `signed` mode a forged, expired, other app's or
 * missing token is served as anonymous, a page claiming another user sees nothing of theirs, and
 * unverified events never reach the claimed user's profile. In every mode the bank's assessment
 * caps the risk: the page may lower it, never raise it; an expired one falls to the app's policy.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DecideResponse } from '../../sdk/contract';
import { login, PASSWORD, type Operator } from '../helpers/admin';
import { csv, identityToken, upload } from '../helpers/customers';
import { startServer, type TestServer } from '../helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'slotwise-identity-'));
const catalogFile = join(dir, 'catalog.json');
/** funds of every level, R1–R2 too few to fill a slot: a C5 customer is shown R3+, an unknown one R1–R2 only */
writeFileSync(
  catalogFile,
  JSON.stringify(
    [1, 2, 3, 4, 5].flatMap((level) =>
      Array.from({ length: level <= 2 ? 2 : 6 }, (_, k) => ({ id: `fund-r${level}-${k}`, kind: 'fund', category: `cat-${k % 3}`, risk: `R${level}`, title: `Fund R${level} #${k}` })),
    ),
  ),
);

let s: TestServer;
let admin: Operator;
let secret: string;
let otherSecret: string;
const DAY = 86_400_000;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

beforeAll(async () => {
  s = await startServer({
    catalogFile,
    keys: [{ key: 'demo', app: 'demo' }, { key: 'other-key', app: 'other' }],
    rateLimit: false,
    customers: { identityCacheMs: 0 },
  });
  await s.handle().admin.createUser({ username: 'root', role: 'admin', apps: ['*'], password: PASSWORD });
  admin = await login(s.url, 'root');
  const csvFile = csv([
    ['userId', 'riskTolerance', 'riskAssessedAt', 'segment'],
    ['alice', 'C5', date(Date.now() - 30 * DAY), 'active'],
    ['bob', 'C2', date(Date.now() - 30 * DAY), 'active'],
    ['carol', 'C4', date(Date.now() - 400 * DAY), 'active'],
  ]);
  expect((await upload(s.url, admin, 'profiles', csvFile)).body.import.status).toBe('live');
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function decide(body: Record<string, unknown>, key = 'demo'): Promise<DecideResponse & { identity: string }> {
  const res = await fetch(`${s.url}/v1/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-slotwise-key': key },
    body: JSON.stringify({
      anonymousId: `anon-${++n}`, sessionId: `s-${n}`, context: { page: '/', channel: 'web', locale: 'en' },
      slots: [{ id: 'home.today', kind: 'picks', count: 8 }], ...body,
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as DecideResponse & { identity: string };
}
/** the answer reaches above R2 (only a known tolerance of C3+ can) and never above `cap` */
const reaches = (d: DecideResponse, cap: number) => {
  expect(maxRisk(d)).toBeGreaterThan(2);
  expect(maxRisk(d)).toBeLessThanOrEqual(cap);
};
const maxRisk = (d: DecideResponse) => Math.max(0, ...Object.values(d.slots).flatMap((slot) => slot.items.map((i) => (i.risk ? Number(i.risk[1]) : 0))));

async function track(body: Record<string, unknown>, userId: string | undefined, type = 'track', properties: Record<string, unknown> = {}) {
  const id = `e-${++n}-${Math.random().toString(36).slice(2)}`;
  const res = await fetch(`${s.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-slotwise-key': 'demo' },
    body: JSON.stringify({
      sentAt: Date.now(),
      events: [{ id, type, name: type === 'track' ? 'page_tap' : type, ts: Date.now(), anonymousId: `anon-e${n}`, sessionId: 's', properties, context: { channel: 'web', sdk: { name: 'test', version: '0' } }, ...(userId ? { userId } : {}) }],
      ...body,
    }),
  });
  expect(res.status).toBe(200);
  return id;
}

describe('open mode (the default): the page names the user, the bank caps the risk', () => {
  test('the answer says open; the batch assessment is authoritative and the page can only lower it', async () => {
    const a = await decide({ userId: 'alice' });
    expect(a.identity).toBe('open');
    reaches(a, 5);
    // bob is C2 in the bank's data: an identify claiming C5 and a decide sending C5 raise nothing
    await track({}, 'bob', 'identify', { riskTolerance: 'C5' });
    expect(maxRisk(await decide({ userId: 'bob', riskTolerance: 'C5' }))).toBe(2);
    // alice lowers hers for the session
    reaches(await decide({ userId: 'alice', riskTolerance: 'C3' }), 3);
  });

  test('an expired assessment: the page policy uses identify traits, conservative treats everyone as C1', async () => {
    await track({}, 'carol', 'identify', { riskTolerance: 'C4' });
    reaches(await decide({ userId: 'carol' }), 4);
    const put = await admin.put('/apps/demo/identity', { riskPolicy: 'conservative' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ mode: 'open', riskPolicy: 'conservative', validityDays: 365, hasSecret: false });
    expect(maxRisk(await decide({ userId: 'carol' }))).toBe(1);
    expect(maxRisk(await decide({}))).toBe(1);
    // a valid assessment is not touched by the policy
    reaches(await decide({ userId: 'alice' }), 5);
    // a longer validity period makes carol's assessment valid again
    await admin.put('/apps/demo/identity', { validityDays: 500 });
    reaches(await decide({ userId: 'carol' }), 4);
    await admin.put('/apps/demo/identity', { riskPolicy: 'page', validityDays: 365 });
  });
});

describe('signed mode', () => {
  beforeAll(async () => {
    expect((await admin.put('/apps/demo/identity', { mode: 'signed' })).status).toBe(409); // no secret yet
    const r = await admin.post('/apps/demo/identity/secret');
    expect(r.status).toBe(200);
    secret = r.body.secret;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    otherSecret = (await admin.post('/apps/other/identity/secret')).body.secret;
    expect((await admin.put('/apps/demo/identity', { mode: 'signed' })).body).toMatchObject({ mode: 'signed', hasSecret: true });
    const audit = await admin.get('/apps/demo/audit');
    expect(JSON.stringify(audit.body)).not.toContain(secret);
  });

  test('a valid token: verified, the customer and their data', async () => {
    const d = await decide({ userId: 'alice', identityToken: await identityToken(secret, 'alice') });
    expect(d.identity).toBe('verified');
    reaches(d, 5);
  });

  test('forged, expired, another app\'s and no token at all: served as anonymous', async () => {
    const tokens: [string, string | undefined][] = [
      ['forged', await identityToken('not-the-secret-but-long-enough-to-look-real', 'alice')],
      ['expired', await identityToken(secret, 'alice', -60)],
      ["another app's", await identityToken(otherSecret, 'alice')],
      ['tampered', (await identityToken(secret, 'bob')).replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ sub: 'alice', exp: 4e9 })).toString('base64url')}.`)],
      ['none', undefined],
    ];
    for (const [, token] of tokens) {
      const d = await decide({ userId: 'alice', ...(token ? { identityToken: token } : {}) });
      expect(d.identity).toBe('unverified');
      expect(maxRisk(d)).toBeLessThanOrEqual(2);
    }
  });

  test("a page that calls identify with another user's id sees nothing of that user", async () => {
    const bobs = await identityToken(secret, 'bob');
    const d = await decide({ userId: 'alice', identityToken: bobs });
    expect(d.identity).toBe('unverified');
    expect(maxRisk(d)).toBeLessThanOrEqual(2);
    // and a claimed tolerance of an unverified page raises nothing either
    expect(maxRisk(await decide({ userId: 'alice', riskTolerance: 'C5' }))).toBeLessThanOrEqual(2);
  });

  test('events: unverified ones never reach the claimed user; verified ones do', async () => {
    const unverified = await track({}, 'alice');
    const forged = await track({ identityToken: await identityToken(otherSecret, 'alice') }, 'alice', 'identify', { riskTolerance: 'C5' });
    const verified = await track({ identityToken: await identityToken(secret, 'alice') }, 'alice');
    await s.handle().engine.flush();
    const rows = s.query<{ id: string; user_id: string | null; properties: string }>(`SELECT id, user_id, properties FROM events WHERE id IN (?, ?, ?)`, unverified, forged, verified);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(unverified)!.user_id).toBeNull();
    expect(byId.get(forged)!.user_id).toBeNull();
    expect(JSON.parse(byId.get(forged)!.properties)).toEqual({});
    expect(byId.get(verified)!.user_id).toBe('alice');
  });

  test('rotation: the new secret works at once, the old one during the grace period', async () => {
    const old = secret;
    const r = await admin.post('/apps/demo/identity/secret');
    secret = r.body.secret;
    expect(secret).not.toBe(old);
    expect((await decide({ userId: 'alice', identityToken: await identityToken(secret, 'alice') })).identity).toBe('verified');
    expect((await decide({ userId: 'alice', identityToken: await identityToken(old, 'alice') })).identity).toBe('verified');
    const settings = await admin.get('/apps/demo/identity');
    expect(Date.parse(settings.body.previousValidUntil)).toBeGreaterThan(Date.now());
  });

  test('only an admin may change identity settings', async () => {
    await s.handle().admin.createUser({ username: 'pubx', role: 'publisher', apps: ['demo'], password: PASSWORD });
    const pub = await login(s.url, 'pubx');
    expect((await pub.put('/apps/demo/identity', { mode: 'open' })).status).toBe(403);
    expect((await pub.post('/apps/demo/identity/secret')).status).toBe(403);
    expect((await admin.put('/apps/demo/identity', { mode: 'sometimes' })).status).toBe(400);
  });
});


// Verified identity through the SDK in real Chromium (issue 20): an app in `signed` mode, the
// built ESM SDK (dist/index.js) on a page of the demo's origin, and a "bank backend" that signs
// HS256 tokens in Node (exposed to the page as window.bankToken). An expiring token is renewed
// through the host's refreshIdentityToken without losing an event; a page claiming another user
// with someone else's token sees nothing of that user.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { login, PASSWORD } from '../helpers/admin';
import { csv, identityToken, upload } from '../helpers/customers';
import { until } from './browser';
import { startDemo, type Demo } from './demo';

let demo: Demo;
let secret: string;
const DAY = 86_400_000;

beforeAll(async () => {
  demo = await startDemo({ server: { keys: [{ key: 'demo', app: 'demo' }, { key: 'bank', app: 'bank' }], customers: { identityCacheMs: 0 } } });
  await demo.server.handle().admin.createUser({ username: 'root', role: 'admin', apps: ['*'], password: PASSWORD });
  const ops = await login(demo.url, 'root');
  secret = (await ops.post('/apps/bank/identity/secret')).body.secret;
  expect((await ops.put('/apps/bank/identity', { mode: 'signed' })).status).toBe(200);
  const assessed = new Date(Date.now() - 10 * DAY).toISOString().slice(0, 10);
  const file = csv([['userId', 'riskTolerance', 'riskAssessedAt'], ['zoe', 'C5', assessed], ['yan', 'C1', assessed]]);
  expect((await upload(demo.url, ops, 'profiles', file, { app: 'bank' })).body.import.status).toBe('live');
});
afterAll(() => demo?.close());

/** A page with a client of app `bank` whose host signs tokens of `ttlS` seconds (or refuses: 0). */
async function bankPage(): Promise<Page> {
  const page = await demo.open('/');
  await page.exposeFunction('bankToken', (user: string, ttlS: number) => identityToken(secret, user, ttlS));
  // as text: an import() inside an evaluated function would be rewritten by the test runner
  await page.evaluate("import('/dist/index.js').then((m) => { window.createBankClient = m.createClient; })");
  await page.evaluate(async () => {
    const w = window as any;
    w.refreshes = [];
    w.answers = [];
    const createClient = w.createBankClient;
    w.bank = createClient({
      appKey: 'bank',
      endpoint: location.origin,
      autocapture: false,
      flush: { count: 500, intervalMs: 60_000 },
      refreshIdentityToken: async (user: string) => {
        w.refreshes.push(user);
        return w.refuse ? undefined : w.bankToken(user, 300);
      },
    });
    w.bank.on('decision', (d: unknown) => w.answers.push(d));
  });
  return page;
}

/**
 * the identity the server stated in its next decide answer to the page's `bank` client: the demo
 * page's own client (app `demo`) decides too, and a body that cannot be read (its page navigated
 * meanwhile) is skipped, not left to hang the wait
 */
const decideIdentity = (page: Page) =>
  new Promise<string>((resolve) => {
    page.on('response', async (r) => {
      if (!r.url().endsWith('/v1/decide') || r.request().headers()['x-slotwise-key'] !== 'bank') return;
      const body = (await r.json().catch(() => undefined)) as { identity?: string } | undefined;
      if (body?.identity) resolve(body.identity);
    });
  });

it('an expiring token is renewed through the host callback; no event is lost or left unattributed', async () => {
  const page = await bankPage();
  const ids: string[] = await page.evaluate(async () => {
    const w = window as any;
    // a token that expires in 10 s: within the SDK's 30 s margin, so it is renewed before the first send
    w.bank.identify('zoe', {}, { token: await w.bankToken('zoe', 10) });
    const ids = [1, 2, 3, 4, 5].map((n) => w.bank.track('e2e_signed', { n }));
    await w.bank.flush();
    return ids;
  });
  await until('5 events stored', () => demo.rows("name = 'e2e_signed'").length === 5, 20_000);
  const users = demo.server.query<{ user_id: string | null }>(`SELECT user_id FROM events WHERE name = 'e2e_signed'`);
  expect(users.map((u) => u.user_id)).toEqual(['zoe', 'zoe', 'zoe', 'zoe', 'zoe']);
  expect(new Set(demo.rows("name = 'e2e_signed'").map((r) => r.id))).toEqual(new Set(ids));
  expect(await page.evaluate(() => (window as any).refreshes)).toEqual(['zoe']);

  const stated = decideIdentity(page);
  await page.evaluate(() => (window as any).bank.decide([{ id: 'home.today', kind: 'picks', count: 8 }]));
  expect(await stated).toBe('verified');
});

it("a page that identifies as another user with someone else's token sees nothing of that user", async () => {
  const page = await bankPage();
  const stated = decideIdentity(page);
  const { risks, ids } = await page.evaluate(async () => {
    const w = window as any;
    w.refuse = true;
    // yan's token, zoe's id and a claimed C5: the server serves an anonymous visitor
    const ids = [w.bank.identify('zoe', { riskTolerance: 'C5' }, { token: await w.bankToken('yan', 300) }), w.bank.track('e2e_claim', {})];
    await w.bank.flush();
    const d = await w.bank.decide([{ id: 'home.today', kind: 'picks', count: 8 }]);
    return { ids, risks: d.slots['home.today'].items.map((i: { risk?: string }) => (i.risk ? Number(i.risk[1]) : 0)) as number[] };
  });
  expect(await stated).toBe('unverified');
  expect(Math.max(0, ...risks)).toBeLessThanOrEqual(2);
  await until('the event stored', () => demo.rows("name = 'e2e_claim'").length === 1, 20_000);
  // neither the event nor the identify reached zoe's profile
  const rows = demo.server.query<{ type: string; user_id: string | null; properties: string }>(`SELECT type, user_id, properties FROM events WHERE id IN (?, ?)`, ...ids);
  expect(rows).toHaveLength(2);
  for (const r of rows) expect(r.user_id).toBeNull();
  expect(rows.filter((r) => r.type === 'identify').map((r) => JSON.parse(r.properties))).toEqual([{}]);
});

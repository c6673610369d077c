// @vitest-environment node
/**
 * The admin API's doors, against the real server on loopback: every endpoint refuses a caller
 * without a session (401) and a role that may not (403); CSRF; session fixation; expiry on an
 * injected clock; the log-in limiter; tokens; how passwords and secrets are stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { call, login, operator, PASSWORD, sessionCookie, type Operator } from '../helpers/admin';

/** method, path, the least role that may, a body that would pass validation */
type Route = [method: string, path: string, role: 'signed-in' | 'viewer' | 'editor' | 'publisher' | 'admin' | 'admin*', body?: unknown];
const KINDS = ['campaigns', 'tags', 'triggers', 'slots', 'items'];
const ROUTES: Route[] = [
  ['GET', '/session', 'signed-in'],
  ['DELETE', '/session', 'signed-in'],
  ['GET', '/users', 'admin*'],
  ['POST', '/users', 'admin*', { username: 'zed', role: 'viewer', password: PASSWORD }],
  ['PUT', '/users/zed', 'admin*', { role: 'editor' }],
  ['GET', '/tokens', 'signed-in'],
  ['POST', '/tokens', 'admin*', { name: 'ci' }],
  ['DELETE', '/tokens/tok_x', 'signed-in'],
  ['GET', '/apps', 'signed-in'],
  ['POST', '/apps', 'admin*', { id: 'newapp' }],
  ['GET', '/apps/demo', 'viewer'],
  ['PUT', '/apps/demo', 'admin', { fourEyes: false }],
  ['GET', '/apps/demo/keys', 'viewer'],
  ['POST', '/apps/demo/keys', 'admin', {}],
  ['DELETE', '/apps/demo/keys/nokey', 'admin'],
  ...KINDS.flatMap((k): Route[] => [
    ['GET', `/apps/demo/${k}`, 'viewer'],
    ['POST', `/apps/demo/${k}`, 'editor', { id: `${k}-1` }],
    ['GET', `/apps/demo/${k}/x`, 'viewer'],
    ['PUT', `/apps/demo/${k}/x`, 'editor', { id: 'x' }],
    ['DELETE', `/apps/demo/${k}/x`, 'editor'],
  ]),
  ['GET', '/apps/demo/drafts', 'viewer'],
  ['POST', '/apps/demo/drafts/discard', 'editor', {}],
  ['POST', '/apps/demo/preview', 'viewer', { page: '/', slots: [{ id: 'home.today', kind: 'picks', count: 1 }] }],
  ['POST', '/apps/demo/triggers/dry-run', 'viewer', { events: [] }],
  ['GET', '/apps/demo/releases', 'viewer'],
  ['POST', '/apps/demo/releases', 'publisher', {}],
  ['GET', '/apps/demo/releases/1', 'viewer'],
  ['GET', '/apps/demo/releases/1/diff', 'viewer'],
  ['POST', '/apps/demo/releases/1/approve', 'publisher', {}],
  ['POST', '/apps/demo/releases/1/reject', 'publisher', {}],
  ['POST', '/apps/demo/releases/1/rollback', 'publisher', {}],
  ['GET', '/apps/demo/audit', 'viewer'],
  ['GET', '/apps/demo/analytics/funnel', 'viewer'],
  ['GET', '/apps/demo/analytics/churn?format=csv', 'viewer'],
  ['GET', '/apps/demo/audiences', 'viewer'],
  ['POST', '/apps/demo/analytics/funnel/audience?list=dropped:2', 'editor', { name: 'loan drop-outs' }],
  ['GET', '/audit', 'admin*'],
];

/** a real-time tag rule the contract accepts */
const tag = (name: string) => ({ name, match: { type: 'track', name: 'x' }, agg: 'count', windowMs: 60_000 });

const send = (o: Operator, [method, path, , body]: Route) =>
  method === 'GET' ? o.get(path) : method === 'DELETE' ? o.del(path) : method === 'PUT' ? o.put(path, body ?? {}) : o.post(path, body ?? {});

describe('admin API: authentication and roles', () => {
  let s: TestServer;
  const users: Record<string, Operator> = {};

  beforeAll(async () => {
    s = await startServer();
    const admin = s.handle().admin;
    await admin.createUser({ username: 'root', role: 'admin', password: PASSWORD });
    const made: [string, 'viewer' | 'editor' | 'publisher' | 'admin', string[]][] = [
      ['viewer', 'viewer', ['demo']],
      ['editor', 'editor', ['demo']],
      ['publisher', 'publisher', ['demo']],
      ['demoadmin', 'admin', ['demo']],
      ['outsider', 'publisher', ['bank']],
    ];
    for (const [name, role, apps] of made) await admin.createUser({ username: name, role, apps, password: PASSWORD });
    for (const name of ['root', ...made.map((m) => m[0])]) users[name] = await login(s.url, name);
  }, 60_000);
  afterAll(() => s?.stop());

  it('answers 401 on every endpoint without a session, also with an app key', async () => {
    for (const [method, path, , body] of ROUTES) {
      for (const headers of [{}, { 'x-slotwise-key': 'demo' }, { cookie: 'sw_admin=forged' }, { authorization: 'Bearer swp_forged' }] as Record<string, string>[]) {
        const r = await call(s.url, method, path, { body, headers: { ...headers, 'x-csrf-token': 'x' } });
        expect([r.status, r.body.error?.code, `${method} ${path}`]).toEqual([401, 'unauthorized', `${method} ${path}`]);
      }
    }
  });

  it('keeps the two APIs apart: a session opens no public route; every admin answer is no-store', async () => {
    const root = users.root!;
    const pub = await fetch(`${s.url}/v1/config`, { headers: { cookie: root.cookie, authorization: 'Bearer x' } });
    expect(pub.status).toBe(401);
    const ok = await root.get('/apps');
    const denied = await call(s.url, 'GET', '/apps');
    const patch = await call(s.url, 'PATCH', '/apps/demo', { headers: { cookie: root.cookie } });
    expect([patch.status, patch.headers.get('allow'), patch.body.error.code]).toEqual([405, 'GET, PUT', 'method_not_allowed']);
    expect((await call(s.url, 'GET', '/nothing/here')).status).toBe(404);
    for (const r of [ok, denied, patch]) {
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers 403 to a role below the one a route needs, and to a user of another app', async () => {
    const below: Record<string, string[]> = {
      viewer: ['outsider'],
      editor: ['viewer', 'outsider'],
      publisher: ['editor', 'outsider'],
      admin: ['publisher', 'outsider'],
      'admin*': ['demoadmin', 'publisher'],
    };
    let checked = 0;
    for (const route of ROUTES) {
      for (const name of below[route[2]] ?? []) {
        const r = await send(users[name]!, route);
        expect([r.status, r.body.error?.code, name, `${route[0]} ${route[1]}`]).toEqual([403, 'forbidden', name, `${route[0]} ${route[1]}`]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('answers 400 naming the field', async () => {
    const root = users.root!;
    const cases: [Promise<{ status: number; body: any }>, string][] = [
      [root.post('/users', { username: 'bob', role: 'owner', password: PASSWORD }), 'role'],
      [root.post('/users', { username: 'b o b', role: 'viewer', password: PASSWORD }), 'username'],
      [root.post('/users', { username: 'bob', role: 'viewer', password: 'short' }), 'password'],
      [root.post('/users', { username: 'bobby', role: 'viewer', password: 'bobby-is-my-name-1' }), 'password'],
      [root.post('/users', { username: 'bob', role: 'viewer', apps: [], password: PASSWORD }), 'apps'],
      [root.put('/users/viewer', { disabled: 'yes' }), 'disabled'],
      [root.post('/apps', { id: 'Bad App' }), 'id'],
      [root.put('/apps/demo', { fourEyes: 1 }), 'fourEyes'],
      [root.post('/tokens', {}), 'name'],
      [root.post('/tokens', { name: 'ci', expiresAt: 'tomorrow' }), 'expiresAt'],
      [root.post('/apps/demo/campaigns', { title: 'no id' }), 'id'],
      [root.post('/apps/demo/releases', { goLiveAt: 'soon' }), 'goLiveAt'],
      [root.get('/apps/demo/audit?limit=many'), 'limit'],
      [root.get('/apps/demo/audit?format=xml'), 'format'],
      [call(s.url, 'POST', '/session', { body: { username: 'root' } }), 'password'],
    ];
    for (const [pending, path] of cases) {
      const r = await pending;
      expect([r.status, r.body.error?.path]).toEqual([400, path]);
      expect(r.body.error.message).toMatch(/\S/);
    }
    const broken = await fetch(`${s.url}/admin/v1/apps/demo/campaigns`, {
      method: 'POST',
      headers: { cookie: root.cookie, 'x-csrf-token': root.csrf, 'content-type': 'application/json' },
      body: '{"id":',
    });
    expect(broken.status).toBe(400);
    // a cross-site form can post text/plain that parses as JSON (log-in CSRF): only JSON is read
    const form = await fetch(`${s.url}/admin/v1/session`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ username: 'root', password: PASSWORD }) });
    expect([form.status, (await form.json()).error.path]).toEqual([415, 'content-type']);
    expect(form.headers.get('set-cookie')).toBeNull();
    // an action without options needs no body
    const noBody = await fetch(`${s.url}/admin/v1/apps/demo/drafts/discard`, { method: 'POST', headers: { cookie: root.cookie, 'x-csrf-token': root.csrf } });
    expect(noBody.status).toBe(200);
  });

  it('refuses a state change with a cookie but a missing or wrong CSRF token (403); a read needs none', async () => {
    const ed = users.editor!;
    const missing = await call(s.url, 'POST', '/apps/demo/tags', { body: tag('t-csrf'), headers: { cookie: ed.cookie } });
    expect([missing.status, missing.body.error.code]).toEqual([403, 'csrf']);
    const wrong = await operator(s.url, 'editor', ed.cookie, users.viewer!.csrf).post('/apps/demo/tags', tag('t-csrf'));
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'csrf']);
    const logout = await call(s.url, 'DELETE', '/session', { headers: { cookie: ed.cookie } });
    expect(logout.status).toBe(403);
    expect((await ed.get('/apps/demo/tags')).body.items.map((e: { id: string }) => e.id)).not.toContain('t-csrf');
    expect((await ed.post('/apps/demo/tags', tag('t-csrf'))).status).toBe(201);
  });

  it('sets an HttpOnly, SameSite=Strict cookie on /admin, Secure only over https', async () => {
    const r = await call(s.url, 'POST', '/session', { body: { username: 'viewer', password: PASSWORD } });
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin/);
    expect(cookie).not.toMatch(/Secure/);
    expect(r.body).toMatchObject({ username: 'viewer', role: 'viewer', apps: ['demo'], csrfToken: expect.any(String) });
    const https = await s.handle().admin.fetch(
      new Request('https://bank.example/admin/v1/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'viewer', password: PASSWORD }),
      }),
    );
    expect(https.status).toBe(200);
    expect(https.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('makes a fresh session id at every log-in and drops the one sent with it (session fixation)', async () => {
    const first = await login(s.url, 'editor');
    const planted = 'sw_admin=attacker-chosen-id';
    const fromPlanted = await call(s.url, 'POST', '/session', { body: { username: 'editor', password: PASSWORD }, headers: { cookie: planted } });
    expect(sessionCookie(fromPlanted.headers)).not.toBe(planted);
    expect(sessionCookie(fromPlanted.headers)).toMatch(/^sw_admin=[\w-]{40,}$/);
    const again = await call(s.url, 'POST', '/session', { body: { username: 'editor', password: PASSWORD }, headers: { cookie: first.cookie } });
    const second = sessionCookie(again.headers);
    expect(second).not.toBe(first.cookie);
    expect(again.body.csrfToken).not.toBe(first.csrf);
    expect((await first.get('/session')).status).toBe(401);
    expect((await call(s.url, 'GET', '/session', { headers: { cookie: second } })).status).toBe(200);
    // the store keeps hashes of session ids, never the ids
    const ids = s.query<{ id: string }>('SELECT id FROM admin_sessions').map((r) => r.id);
    expect(ids).not.toContain(second.slice('sw_admin='.length));
  });

  it('logs out: the cookie is cleared and the session no longer opens anything', async () => {
    const v = await login(s.url, 'viewer');
    const out = await v.del('/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/sw_admin=;.*Max-Age=0/);
    expect((await v.get('/apps')).status).toBe(401);
  });

  it('stores passwords as salted scrypt hashes and never logs them', () => {
    const rows = s.query<{ username: string; password: string }>('SELECT username, password FROM admin_users');
    expect(rows.length).toBe(6);
    for (const r of rows) {
      expect(r.password).toMatch(/^scrypt\$32768\$8\$1\$[\w+/=]+\$[\w+/=]+$/);
      expect(r.password).not.toContain(PASSWORD);
    }
    expect(new Set(rows.map((r) => r.password)).size).toBe(rows.length);
    expect(s.logs.join('\n')).not.toContain(PASSWORD);
    const audit = s.query<{ diff: string }>('SELECT diff FROM admin_audit').map((r) => r.diff).join('\n');
    expect(audit).not.toContain(PASSWORD);
    expect(audit).not.toContain('scrypt$');
  });

  it('personal access tokens: made by an admin, shown once, stored hashed, no CSRF, scoped like the user, revocable', async () => {
    const made = await users.root!.post('/tokens', { username: 'editor', name: 'ci pipeline' });
    expect(made.status).toBe(201);
    const token: string = made.body.token;
    expect(token).toMatch(/^swp_/);
    const bearer = { authorization: `Bearer ${token}` };
    const write = await call(s.url, 'POST', '/apps/demo/tags', { body: tag('t-token'), headers: bearer });
    expect(write.status).toBe(201);
    const publish = await call(s.url, 'POST', '/apps/demo/releases', { body: {}, headers: bearer });
    expect(publish.status).toBe(403);
    const stored = s.query<Record<string, unknown>>('SELECT * FROM admin_tokens');
    expect(JSON.stringify(stored)).not.toContain(token.slice(4));
    const listed = await users.root!.get('/tokens');
    expect(listed.body.items).toEqual([expect.objectContaining({ id: made.body.id, username: 'editor', name: 'ci pipeline', lastUsedAt: expect.any(String) })]);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((await users.editor!.get('/tokens')).body.items).toHaveLength(1);
    expect((await users.viewer!.get('/tokens')).body.items).toHaveLength(0);
    expect((await users.root!.del(`/tokens/${made.body.id}`)).status).toBe(204);
    expect((await call(s.url, 'GET', '/apps', { headers: bearer })).status).toBe(401);
  });

  it('a disabled user loses sessions and tokens at once; the last full admin cannot be disabled', async () => {
    const root = users.root!;
    const temp = await root.post('/users', { username: 'temp', role: 'editor', apps: ['demo'], password: PASSWORD });
    expect(temp.status).toBe(201);
    const t = await login(s.url, 'temp');
    const tok = (await root.post('/tokens', { username: 'temp', name: 'x' })).body.token;
    expect((await root.put('/users/temp', { disabled: true })).body.disabled).toBe(true);
    expect((await t.get('/apps')).status).toBe(401);
    expect((await call(s.url, 'GET', '/apps', { headers: { authorization: `Bearer ${tok}` } })).status).toBe(401);
    const denied = await call(s.url, 'POST', '/session', { body: { username: 'temp', password: PASSWORD } });
    expect([denied.status, denied.body.error.code]).toEqual([401, 'invalid_credentials']);
    const last = await root.put('/users/root', { disabled: true });
    expect([last.status, last.body.error.code]).toEqual([409, 'last_admin']);
  });
});

describe('admin API: session expiry and the log-in limiter', () => {
  let s: TestServer;
  let clock = Date.parse('2026-12-07T09:00:00Z');

  beforeAll(async () => {
    s = await startServer({
      now: () => clock,
      admin: { session: { idleMs: 60_000, absoluteMs: 300_000 }, loginLimits: { perUser: 3, perIp: 6, windowMs: 60_000 } },
    });
    for (const name of ['ann', 'ben', 'cat']) await s.handle().admin.createUser({ username: name, role: 'viewer', password: PASSWORD });
  }, 60_000);
  afterAll(() => s?.stop());

  it('ends a session idle past idleMs, and one older than absoluteMs however busy', async () => {
    const idle = await login(s.url, 'ann');
    clock += 59_000;
    expect((await idle.get('/apps')).status).toBe(200);
    clock += 59_000;
    expect((await idle.get('/apps')).status).toBe(200);
    clock += 60_001;
    const gone = await idle.get('/apps');
    expect([gone.status, gone.body.error.code]).toEqual([401, 'session_expired']);

    const busy = await login(s.url, 'ann');
    for (let t = 0; t < 290_000; t += 50_000) {
      clock += 50_000;
      if (t + 50_000 < 300_000) expect((await busy.get('/apps')).status).toBe(200);
    }
    clock += 20_000;
    expect((await busy.get('/apps')).status).toBe(401);
  });

  it('answers an unknown user and a wrong password alike; locks a username after 3 failures (429, Retry-After), even for the right password', async () => {
    const unknown = await call(s.url, 'POST', '/session', { body: { username: 'nobody', password: PASSWORD } });
    const wrong = await call(s.url, 'POST', '/session', { body: { username: 'ben', password: 'wrong password!' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    await call(s.url, 'POST', '/session', { body: { username: 'ben', password: 'wrong again!!' } });
    await call(s.url, 'POST', '/session', { body: { username: 'ben', password: 'and again!!!' } });
    const locked = await call(s.url, 'POST', '/session', { body: { username: 'ben', password: PASSWORD } });
    expect([locked.status, locked.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // another user is not locked by ben's failures (4 failures from this IP so far, limit 6)
    expect((await call(s.url, 'POST', '/session', { body: { username: 'cat', password: PASSWORD } })).status).toBe(200);
    clock += 60_001;
    expect((await call(s.url, 'POST', '/session', { body: { username: 'ben', password: PASSWORD } })).status).toBe(200);
  });

  it('limits failures per IP across usernames', async () => {
    for (let i = 0; i < 6; i++) await call(s.url, 'POST', '/session', { body: { username: `guess${i}`, password: 'not it at all' } });
    const r = await call(s.url, 'POST', '/session', { body: { username: 'cat', password: PASSWORD } });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    clock += 60_001;
  });
});

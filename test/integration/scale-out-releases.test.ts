/**
 * Releases across two server-stub processes on one PostgreSQL (issue 14): an operator logs in on A
 * and works on B with the same session; four-eyes holds across instances (the submitter cannot
 * approve on the other one); a release approved on A reaches the devices connected to B — its
 * config, its decide answers and its config stream — and how long that took is printed (not
 * asserted: the machine is shared; the target is about a second). An app key made on one instance
 * works on the other, and stops there when revoked. A killed (SIGKILL) after a
 * submission changes nothing committed: B approves it. A scheduled release goes live exactly once
 * while both instances' schedulers are armed for it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server-stub/admin/accounts';
import { createAdminStore } from '../../server-stub/admin/store';
import { login, operator, PASSWORD, type Operator } from '../helpers/admin';
import { bundleServer, startInstance, stopInstance, type Instance } from '../helpers/instances';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEY = { 'x-slotwise-key': 'demo' };

let postgres: TestPostgres;
let url: string;
let bundle: { main: string; remove(): void };
const work = mkdtempSync(join(tmpdir(), 'slotwise-releases-'));
const children = new Set<ChildProcess>();
const streams: AbortController[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
  url = await postgres.createDatabase();
  bundle = await bundleServer();
});

afterAll(async () => {
  streams.forEach((s) => s.abort());
  for (const c of children) c.kill('SIGKILL');
  await postgres?.stop();
  bundle?.remove();
  rmSync(work, { recursive: true, force: true });
});

const start = (name: string, port?: number) =>
  startInstance({ bundle: bundle.main, dataDir: join(work, name), port, args: ['--store', url, '--no-rate-limit', '--no-demo-data'], children });

/** The versions a device connected to `at` hears on its config stream, with when it heard them. */
function listen(at: Instance): { heard: Map<number, number> } {
  const heard = new Map<number, number>();
  const abort = new AbortController();
  streams.push(abort);
  void (async () => {
    const res = await fetch(`${at.url}/v1/config/stream`, { headers: KEY, signal: abort.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += value;
      for (const m of text.matchAll(/^data: (\d+)$/gm)) if (!heard.has(Number(m[1]))) heard.set(Number(m[1]), performance.now());
    }
  })().catch(() => {});
  return { heard };
}

const configRelease = async (at: Instance) => ((await (await fetch(`${at.url}/v1/config`, { headers: KEY })).json()) as { release: number }).release;
const decideRelease = async (at: Instance) => {
  const r = await fetch(`${at.url}/v1/decide`, {
    method: 'POST',
    headers: { ...KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ anonymousId: 'dev-1', sessionId: 's', context: { page: '/', channel: 'web', locale: 'en' }, slots: [{ id: 'home.today', kind: 'picks', count: 4 }] }),
  });
  return ((await r.json()) as { release: number }).release;
};
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The same session (cookie and CSRF token) sent to another instance. */
const on = (op: Operator, at: Instance) => operator(at.url, op.username, op.cookie, op.csrf);

test('log in on A, four-eyes across A and B, B’s devices get the release; A killed changes nothing committed; a scheduled release goes live once', async () => {
  let a = await start('a');
  const b = await start('b');
  // the accounts, made the way `npm run admin -- create-user --store …` makes them
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const accounts = { store: await createAdminStore({ kind: 'postgres', pool }), now: Date.now };
  for (const [username, role] of [['root', 'admin'], ['ed', 'editor'], ['pub1', 'publisher'], ['pub2', 'publisher']] as const) {
    await createUser(accounts, { username, role, apps: ['*'], password: PASSWORD }, { actor: 'test', ip: '', userAgent: 'test' });
  }
  const root = await login(a.url, 'root');
  expect((await root.put('/apps/demo', { fourEyes: true })).status).toBe(200);
  const device = listen(b);
  await until('the stream on B', () => device.heard.has(1));

  // logged in on A, the editor's session works on B
  const ed = await login(a.url, 'ed');
  const template = (await ed.get('/apps/demo/campaigns')).body.items[0].value;
  const draft = (id: string, at: Instance) => on(ed, at).post('/apps/demo/campaigns', { ...template, id });
  expect((await draft('cross-1', b)).status).toBe(201);

  // submitted on B, the submitter cannot approve on A; another publisher on A can
  const pub1 = await login(b.url, 'pub1');
  const submitted = await pub1.post('/apps/demo/releases', { note: 'cross' });
  expect(submitted.body).toMatchObject({ status: 'pending', version: 2 });
  expect((await on(pub1, a).post('/apps/demo/releases/2/approve')).body.error.code).toBe('four_eyes');
  const pub2 = await login(a.url, 'pub2');
  // timed from the approval's request: B may hear of it before A's answer reaches the test
  const t0 = performance.now();
  const approved = await pub2.post('/apps/demo/releases/2/approve');
  expect(approved.body).toMatchObject({ status: 'live', version: 2, approvedBy: 'pub2' });
  await until('B’s stream announcing release 2', () => device.heard.has(2), 10_000);
  const streamMs = device.heard.get(2)! - t0;
  await until('B’s config at release 2', async () => (await configRelease(b)) === 2, 10_000);
  const configMs = performance.now() - t0;
  expect(await decideRelease(b)).toBe(2);
  expect(await configRelease(a)).toBe(2);
  console.log(`approval sent to A → release on B (shared machine, noisy): stream ${streamMs.toFixed(0)} ms, config ${configMs.toFixed(0)} ms`);

  // an app key made on B works on A a moment later; revoked on A, B refuses it
  const send = (at: Instance, key: string) =>
    fetch(`${at.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slotwise-key': key },
      body: JSON.stringify({ sentAt: Date.now(), events: [{ id: `k-${Math.random()}`, type: 'track', name: 'x', ts: Date.now(), anonymousId: 'a', sessionId: 's', properties: {}, context: { channel: 'web', sdk: { name: 'slotwise', version: 't' } } }] }),
    }).then((r) => r.status);
  const made = await on(root, b).post('/apps/demo/keys');
  expect(made.status).toBe(201);
  await until('the new key on A', async () => (await send(a, made.body.key)) === 200, 10_000);
  expect((await on(root, a).del(`/apps/demo/keys/${made.body.key}`)).status).toBe(204);
  await until('the revoked key refused on B', async () => (await send(b, made.body.key)) === 401, 10_000);

  // A killed after a submission it answered: the submission stands, B approves it
  expect((await draft('cross-2', a)).status).toBe(201);
  const second = await on(pub1, a).post('/apps/demo/releases', {});
  expect(second.body).toMatchObject({ status: 'pending', version: 3 });
  await stopInstance(a, 'SIGKILL');
  expect((await on(pub2, b).get('/apps/demo/releases/3')).body).toMatchObject({ status: 'pending', createdBy: 'pub1' });
  expect((await on(pub2, b).post('/apps/demo/releases/3/approve')).body).toMatchObject({ status: 'live', version: 3 });
  await until('B’s stream announcing release 3', () => device.heard.has(3), 10_000);
  expect(await decideRelease(b)).toBe(3);

  // A back: it serves the release B made live meanwhile, and both schedulers arm for the next one
  a = await start('a', a.port);
  expect(await configRelease(a)).toBe(3);
  expect((await draft('cross-3', a)).status).toBe(201);
  const goLiveAt = new Date(Date.now() + 2000).toISOString();
  expect((await on(pub1, a).post('/apps/demo/releases', { goLiveAt })).body).toMatchObject({ status: 'pending', version: 4 });
  expect((await on(pub2, b).post('/apps/demo/releases/4/approve')).body).toMatchObject({ status: 'scheduled' });
  await until('release 4 live on both', async () => (await configRelease(a)) === 4 && (await configRelease(b)) === 4, 20_000);
  await until('B’s stream announcing release 4', () => device.heard.has(4), 10_000);
  // let both schedulers have had their turn, then count who made it live
  await sleep(1500);
  const { rows } = await pool.query<{ actor: string; n: string }>(
    `SELECT actor, count(*) AS n FROM admin_audit WHERE app = 'demo' AND target = 'release/4' AND action = 'release.live' GROUP BY actor`,
  );
  expect(rows).toEqual([{ actor: 'system', n: '1' }]);
  expect((await root.get('/apps/demo/releases/4')).body).toMatchObject({ status: 'live' });

  await pool.end();
  await Promise.all([stopInstance(a, 'SIGTERM'), stopInstance(b, 'SIGTERM')]);
  for (const i of [a, b]) expect(i.output.join('')).not.toMatch(/500 on|scheduled release .* failed/);
});

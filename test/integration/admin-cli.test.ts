// @vitest-environment node
/**
 * The first operator account: `npm run admin -- create-user` on a fresh data directory (the real
 * script, bundled and run as a child process), and the `admin` account `npm start` makes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server';
import { call, login, PASSWORD } from '../helpers/admin';

const repo = resolve(__dirname, '../..');
const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'slotwise-admin-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** runs the script without blocking this process (the server under test lives in it) */
const admin = (args: string[], input?: string) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'scripts/admin.mjs'), ...args], { cwd: repo, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input ?? '');
  });

describe('npm run admin', () => {
  it('creates the first admin on a fresh data directory; the server lets them in; list, disable, refuse weak passwords', async () => {
    const data = fresh();
    const made = await admin(['create-user', '--username', 'alice', '--role', 'admin', '--data', data, '--password-stdin'], `${PASSWORD}\n`);
    expect([made.status, made.stderr]).toEqual([0, '']);
    expect(made.stdout).toContain('created admin alice on *');
    expect(made.stdout).not.toContain(PASSWORD);
    const gen = await admin(['create-user', '--username', 'bob', '--role', 'editor', '--apps', 'demo', '--data', data]);
    const generated = /password \(shown once\): (\S+)/.exec(gen.stdout)?.[1];
    expect(generated?.length).toBeGreaterThanOrEqual(20);
    const weak = await admin(['create-user', '--username', 'carl', '--role', 'viewer', '--data', data, '--password-stdin'], 'short\n');
    expect([weak.status, weak.stderr.trim()]).toEqual([1, 'slotwise admin: the password must be at least 12 characters']);
    expect((await admin(['create-user', '--username', 'dan', '--role', 'owner', '--data', data])).status).toBe(1);
    expect((await admin(['create-user', '--username', 'alice', '--role', 'viewer', '--data', data])).stderr).toContain('exists');

    const s = await startServer({ dataDir: data });
    try {
      expect(await s.handle().admin.bootstrap()).toBeUndefined(); // not fresh: no `admin` account made
      const alice = await login(s.url, 'alice');
      expect((await alice.get('/users')).body.items.map((u: { username: string; role: string; apps: string[] }) => `${u.username} ${u.role} ${u.apps}`)).toEqual([
        'alice admin *',
        'bob editor demo',
      ]);
      await login(s.url, 'bob', generated);
      expect((await admin(['disable-user', '--username', 'bob', '--data', data])).status).toBe(0);
      expect((await call(s.url, 'POST', '/session', { body: { username: 'bob', password: generated } })).status).toBe(401);
      expect((await admin(['list-users', '--data', data])).stdout).toBe('alice\tadmin\t*\tactive\nbob\teditor\tdemo\tdisabled\n');
      const audit = (await alice.get('/audit')).body.items.map((e: { actor: string; action: string; target: string }) => `${e.actor} ${e.action} ${e.target}`);
      expect(audit).toEqual(expect.arrayContaining(['cli user.create alice', 'cli user.create bob', 'cli user.update bob']));
    } finally {
      await s.stop();
    }
  });

  it('npm start makes an `admin` account on a fresh data directory only, with a given or generated password', async () => {
    const s = await startServer();
    try {
      await expect(s.handle().admin.bootstrap('weak')).rejects.toThrow(/at least 12/);
      const made = await s.handle().admin.bootstrap();
      expect(made).toMatchObject({ username: 'admin', generated: true });
      expect(await s.handle().admin.bootstrap(PASSWORD)).toBeUndefined();
      const root = await login(s.url, 'admin', made!.password);
      expect((await root.get('/session')).body).toMatchObject({ username: 'admin', role: 'admin', apps: ['*'] });
    } finally {
      await s.stop();
    }
    const given = await startServer();
    try {
      expect(await given.handle().admin.bootstrap(PASSWORD)).toMatchObject({ generated: false });
      await login(given.url, 'admin', PASSWORD);
    } finally {
      await given.stop();
    }
  });
});

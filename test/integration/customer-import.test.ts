/**
 * Batch import of customer data over the admin API, against the real server (issue 20, "Show"):
 * an import, the same file again, 1 000 changed rows, planted bad rows, GB18030, a personal-data
 * column, the reject threshold, JSON lines, a rollback — on SQLite, and on PostgreSQL under the
 * integration-pg project (vitest.config.ts). The kill -9 case is customer-import-kill.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { login, PASSWORD, type Operator } from '../helpers/admin';
import { csv, gb18030, upload } from '../helpers/customers';
import { startServer, type TestServer } from '../helpers/server';

let s: TestServer;
let pub: Operator;
let viewer: Operator;

beforeAll(async () => {
  s = await startServer();
  const admin = s.handle().admin;
  await admin.createUser({ username: 'pub', role: 'publisher', apps: ['demo'], password: PASSWORD });
  await admin.createUser({ username: 'ed', role: 'editor', apps: ['demo'], password: PASSWORD });
  pub = await login(s.url, 'pub');
  viewer = await login(s.url, 'ed');
});
afterAll(() => s?.stop());

const facts = (user: string) => s.handle().customers.store.facts('demo', user);
const profileOf = async (user: string) => {
  const f = (await facts(user)).find((x) => x.kind === 'profiles');
  return f && JSON.parse(f.v);
};
const HEADER = ['userId', 'riskTolerance', 'riskAssessedAt', 'segment', 'holdings', 'city'];
const people = (n: number, change = (i: number) => i % 5) =>
  [HEADER, ...Array.from({ length: n }, (_, i) => [`u${i}`, `C${(i % 5) + 1}`, '2026-11-01', 'active', `fund-${i % 7};card-1`, `city-${change(i)}`])];
const exact = (i: any) => expect(i.lines).toBe(i.inserted + i.updated + i.unchanged + i.rejected);

describe('profiles', () => {
  test('an import, then the same file again: duplicate, nothing changed', async () => {
    const file = csv(people(3000), '\r\n');
    const first = await upload(s.url, pub, 'profiles', file, { query: { asOf: '2026-12-06' } });
    expect(first.status).toBe(200);
    expect(first.body.import).toMatchObject({ kind: 'profiles', asOf: '2026-12-06', status: 'live', lines: 3000, inserted: 3000, updated: 0, unchanged: 0, rejected: 0 });
    expect(first.body.import.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await profileOf('u7')).toEqual({ city: 'city-2', holdings: ['card-1', 'fund-0'], riskAssessedAt: '2026-11-01', riskTolerance: 'C3', segment: 'active' });

    const again = await upload(s.url, pub, 'profiles', file, { query: { asOf: '2026-12-07' } });
    expect(again.body.import).toMatchObject({ status: 'duplicate', lines: 3000, inserted: 0, updated: 0, unchanged: 3000, rejected: 0 });
    exact(again.body.import);
    const list = await viewer.get('/apps/demo/imports');
    expect(list.status).toBe(200);
    const live = list.body.items.filter((i: any) => i.kind === 'profiles' && i.status === 'live');
    expect(live.map((i: any) => i.id)).toEqual([first.body.import.id]);
  });

  test('a file with 1 000 changed rows: exactly 1 000 updated', async () => {
    // every third customer moves city: i % 3 === 0 for 1 000 of 3 000
    const r = await upload(s.url, pub, 'profiles', csv(people(3000, (i) => (i % 3 === 0 ? 99 : i % 5))));
    expect(r.body.import).toMatchObject({ status: 'live', lines: 3000, inserted: 0, updated: 1000, unchanged: 2000, rejected: 0, removed: 0 });
    expect((await profileOf('u3')).city).toBe('city-99');
    expect((await profileOf('u4')).city).toBe('city-4');
  });

  test('planted bad rows are each reported by line and field; quoted commas and newlines are data', async () => {
    const rows: (string | number)[][] = people(300);
    // rows[k] is on line k + 1 (the header is line 1) up to the record over two lines, k + 2 after it
    rows[10]![1] = 'C9';
    rows[20]![2] = '2026-02-30';
    rows[30]![0] = '';
    rows[40]![5] = 'Main St, "Block 4"\nFloor 2'; // fine: one record on lines 41–42
    const text = csv(rows).replace('u100,', 'u100,C1,oops\nu100b,'); // line 103: 3 fields (then u100b's line 104 is valid)
    const r = await upload(s.url, pub, 'profiles', text);
    // 300 data records and u100b's, 4 rejected: more than 1 % of 301, so the snapshot is aborted
    expect(r.body.import.status).toBe('aborted');
    expect(r.body.import.lines).toBe(301);
    expect(r.body.import.rejected).toBe(4);
    exact(r.body.import);
    expect(r.body.import.errors.map((e: any) => [e.line, e.field, e.code])).toEqual([
      [11, 'riskTolerance', 'invalid_value'],
      [21, 'riskAssessedAt', 'invalid_date'],
      [31, 'userId', 'required'],
      [103, '', 'column_count'],
    ]);
    expect(r.body.import.note).toMatch(/threshold/);
    // the previous snapshot is still the live one
    expect((await profileOf('u3')).city).toBe('city-99');
    const rejected = await viewer.get(`/apps/demo/imports/${r.body.import.id}/rejected`);
    expect(rejected.status).toBe(200);
    expect(rejected.body.split('\r\n')[1]).toBe('11,riskTolerance,invalid_value,riskTolerance must be one of C1–C5');
  });

  test('under the reject threshold the snapshot goes live without the rejected lines', async () => {
    const rows: (string | number)[][] = people(3000, (i) => (i % 3 === 0 ? 99 : i % 5));
    rows[500]![4] = 'fund 1;card-1';
    const r = await upload(s.url, pub, 'profiles', csv(rows));
    expect(r.body.import).toMatchObject({ status: 'live', lines: 3000, unchanged: 2999, rejected: 1, removed: 1 });
    expect(r.body.import.errors).toEqual([{ line: 501, field: 'holdings', code: 'invalid', message: 'holdings must be item ids separated by ";"' }]);
    expect(await profileOf('u499')).toBeUndefined();
  });

  test('a GB18030 file with Chinese names is decoded right', async () => {
    const text = csv([['userId', 'riskTolerance', 'name', 'branch'], ['u1', 'C2', '张伟', '上海分行'], ['u2', 'C1', '李娜', '北京分行'], ...people(100).slice(4).map((r) => [r[0]!, r[1]!, '王芳', '深圳分行'])]);
    const r = await upload(s.url, pub, 'profiles', gb18030(text), { query: { encoding: 'gb18030' } });
    expect(r.body.import).toMatchObject({ status: 'live', rejected: 0 });
    expect(await profileOf('u1')).toEqual({ riskTolerance: 'C2', name: '张伟', branch: '上海分行' });
    // the same bytes read as UTF-8 are not UTF-8: refused, nothing changed
    const wrong = await upload(s.url, pub, 'profiles', gb18030(text.replace('u1,', 'x1,')));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_encoding', path: 'encoding' });
    expect((await profileOf('u2')).name).toBe('李娜');
  });

  test('a personal-data column is refused, named, and the live snapshot is left alone', async () => {
    const before = await profileOf('u1');
    const cases: [string, string, RegExp][] = [
      ['idNumber', '11010519491231002X', /resident ID/],
      ['mobile', '+86 138 0013 8000', /mobile/],
      ['card', '4111 1111 1111 1111', /card/],
    ];
    for (const [column, value, why] of cases) {
      const rows = [['userId', 'riskTolerance', column], ...Array.from({ length: 50 }, (_, i) => [`p${i}`, 'C1', i === 37 ? value : 'x'])];
      const r = await upload(s.url, pub, 'profiles', csv(rows));
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('personal_data');
      expect(r.body.error.path).toBe(column);
      expect(r.body.error.message).toMatch(why);
      expect(r.body.error.message).not.toContain(value);
    }
    // a column declared hashed carries a digest of the identifier
    const hashed = [['userId', 'riskTolerance', 'idHash'], ['h1', 'C1', 'a'.repeat(64)]];
    expect((await upload(s.url, pub, 'profiles', csv(hashed), { query: { hashed: 'idHash', asOf: '2026-12-06' } })).body.import.status).toBe('live');
    const notHashed = [['userId', 'riskTolerance', 'idHash'], ['h1', 'C1', '11010519491231002X']];
    expect((await upload(s.url, pub, 'profiles', csv(notHashed), { query: { hashed: 'idHash' } })).body.error.code).toBe('not_hashed');
    expect(await profileOf('u1')).toBeUndefined(); // the hashed file replaced the snapshot: u1 is not in it
    expect(before).toBeDefined();
    // the server logged no value of any row
    expect(s.logs.join('\n')).not.toMatch(/11010519491231002X|13800138000|4111/);
  });

  test('a refused file: unknown kind, no header, no userId column, wrong media type', async () => {
    expect((await upload(s.url, pub, 'accounts', 'userId\nu1\n')).body.error).toMatchObject({ code: 'unknown_kind', path: 'kind' });
    expect((await upload(s.url, pub, 'profiles', '')).body.error.code).toBe('no_header');
    expect((await upload(s.url, pub, 'profiles', 'id,riskTolerance\nu1,C1\n')).body.error).toMatchObject({ code: 'missing_column', path: 'userId' });
    expect((await upload(s.url, pub, 'profiles', 'userId\nu1\n', { type: 'text/plain' })).status).toBe(415);
  });

  test('roles: a viewer or editor may not import', async () => {
    const r = await upload(s.url, viewer, 'profiles', csv(people(3)));
    expect(r.status).toBe(403);
  });
});

describe('tags and scores, JSON lines, rollback', () => {
  test('tags as JSON lines and scores as CSV', async () => {
    const lines = ['{"userId":"u1","tag":"payroll"}', '{"userId":"u1","tag":"vip","expiresAt":"2099-01-01"}', '{"userId":"u2","tag":"payroll"}', '{"userId":"u2","tag":"payroll"}'];
    const many = Array.from({ length: 200 }, (_, i) => JSON.stringify({ userId: `t${i}`, tag: 'bulk' }));
    const r = await upload(s.url, pub, 'tags', [...lines, ...many].join('\n'), { type: 'application/x-ndjson' });
    expect(r.body.import).toMatchObject({ status: 'live', lines: 204, inserted: 203, rejected: 1 });
    expect(r.body.import.errors).toEqual([{ line: 4, field: 'tag', code: 'duplicate_key', message: 'the same userId and tag appears on an earlier line' }]);
    const scores = await upload(s.url, pub, 'scores', csv([['userId', 'model', 'score', 'asOf'], ['u1', 'term_deposit', '0.91', '2026-12-06'], ['u2', 'term_deposit', '0.12', '']]), { query: { asOf: '2026-12-05' } });
    expect(scores.body.import).toMatchObject({ status: 'live', lines: 2, inserted: 2 });
    const kinds = (await facts('u2')).map((f) => [f.kind, f.k, f.v]).sort();
    expect(kinds).toContainEqual(['scores', 'term_deposit', '[0.12,"2026-12-05"]']);
    expect(kinds).toContainEqual(['tags', 'payroll', '']);
  });

  test('rollback makes an earlier snapshot live again; the last N are kept', async () => {
    const v = (city: string) => csv([['userId', 'riskTolerance', 'city'], ['r1', 'C2', city]]);
    const a = (await upload(s.url, pub, 'profiles', v('A'))).body.import;
    const b = (await upload(s.url, pub, 'profiles', v('B'))).body.import;
    expect((await profileOf('r1')).city).toBe('B');
    const back = await pub.post(`/apps/demo/imports/${a.id}/rollback`);
    expect(back.status).toBe(200);
    expect(back.body.import.status).toBe('live');
    expect((await profileOf('r1')).city).toBe('A');
    const list = (await viewer.get('/apps/demo/imports')).body.items;
    expect(list.find((i: any) => i.id === b.id).status).toBe('kept');
    // three more imports: a (live after the rollback) stays, the oldest kept ones are pruned
    for (const city of ['C', 'D', 'E']) await upload(s.url, pub, 'profiles', v(city));
    const after = (await viewer.get('/apps/demo/imports')).body.items.filter((i: any) => i.kind === 'profiles');
    expect(after.filter((i: any) => i.status === 'live' || i.status === 'kept')).toHaveLength(3);
    expect(after.find((i: any) => i.id === a.id).status).toBe('pruned');
    const refused = await pub.post(`/apps/demo/imports/${a.id}/rollback`);
    expect(refused.status).toBe(409);
    // the audit log holds who imported and rolled back, with fingerprints and counts, never a row
    const audit = (await s.handle().admin.store.audit({ app: 'demo', limit: 50 })).filter((e: any) => e.action.startsWith('import.'));
    expect(audit.some((e: any) => e.action === 'import.rollback' && e.actor === 'pub')).toBe(true);
    const run = audit.find((e: any) => e.action === 'import.run')!;
    expect(JSON.parse(run.diff)).toMatchObject({ kind: 'profiles', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(run.diff).not.toContain('r1');
  });
});

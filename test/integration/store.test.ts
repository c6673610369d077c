// The store seam (server-stub/store/store.ts) against both implementations: SQLite in a temporary
// directory and a real PostgreSQL 15 started by test/helpers/postgres.ts. Same tests, same
// expectations; the PostgreSQL-only ones (several instances, faults) follow.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SlotwiseEvent } from '../../sdk/contract';
import type { IngestMessage } from '../../server-stub/engine/service';
import { createEngine } from '../../server-stub/engine';
import { createEngineService } from '../../server-stub/engine/service';
import { openDb } from '../../server-stub/store/db';
import { createFollower } from '../../server-stub/store/follow';
import { APPEND_LOCK, openPostgresStore } from '../../server-stub/store/postgres';
import { openSqliteStore } from '../../server-stub/store/sqlite';
import { StoreUnavailableError, type Store, type Valid } from '../../server-stub/store/store';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

let server: TestPostgres;
const dirs: string[] = [];
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const valid = (id: string, extra: Partial<SlotwiseEvent> = {}): Valid => {
  const event = { id, type: 'track', name: 'fund_view', ts: 1_700_000_000_000, anonymousId: 'anon-1', sessionId: 's1', properties: { n: 1 }, context: { page: '/' }, ...extra } as SlotwiseEvent;
  return { event, properties: JSON.stringify(event.properties), context: JSON.stringify(event.context) };
};
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

const kinds = {
  sqlite: async (): Promise<Store> => {
    const dir = mkdtempSync(join(tmpdir(), 'slotwise-store-'));
    dirs.push(dir);
    return openSqliteStore(dir);
  },
  postgres: async (): Promise<Store> => openPostgresStore({ url: await server.createDatabase(), timeoutMs: 3000 }),
};

describe.each(Object.keys(kinds) as (keyof typeof kinds)[])('the %s store', (kind) => {
  test('append is idempotent by id: a retried batch, a repeat inside a batch, another app', async () => {
    const store = await kinds[kind]();
    try {
      const first = await store.append('demo', ids('a', 5).map((id) => valid(id)), 10);
      expect(first.events.map((e) => e.id)).toEqual(ids('a', 5));
      expect(first.lastRow - first.firstRow).toBeGreaterThanOrEqual(4);
      const again = await store.append('demo', [...ids('a', 5), 'b-0', 'b-0'].map((id) => valid(id)), 11);
      expect(again.events.map((e) => e.id)).toEqual(['b-0']);
      const other = await store.append('other', ['a-0', 'c-0'].map((id) => valid(id)), 12);
      expect(other.events.map((e) => e.id)).toEqual(['c-0']);
      expect(await store.count()).toBe(7);
      expect(await store.count('other')).toBe(1);
    } finally {
      await store.close();
    }
  });

  test('concurrent appends: every new id is credited once, and read gives the log in order', async () => {
    const store = await kinds[kind]();
    try {
      const batches = Array.from({ length: 20 }, (_, b) => ids(`x${b % 10}`, 30).map((id) => valid(id)));
      const answers = await Promise.all(batches.map((batch, b) => store.append(`app${b % 3}`, batch, 100 + b)));
      expect(answers.reduce((n, a) => n + a.events.length, 0)).toBe(300);
      const rows = await store.read(0, 10_000);
      expect(rows.map((r) => r.event.id).sort()).toEqual(batches.slice(0, 10).flat().map((v) => v.event.id).sort());
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.row).toBeGreaterThan(rows[i - 1]!.row);
      // each answer's positions are where its events are in the log
      const at = new Map(rows.map((r) => [r.event.id, r]));
      for (const a of answers.filter((x) => x.events.length)) {
        expect(at.get(a.events[0]!.id)!.row).toBe(a.firstRow);
        expect(at.get(a.events.at(-1)!.id)!.row).toBe(a.lastRow);
        expect(at.get(a.events[0]!.id)!.app).toBe(a.app);
      }
      // the stored event reads back as it was sent
      expect(rows[0]!.event).toMatchObject({ type: 'track', name: 'fund_view', ts: 1_700_000_000_000, properties: { n: 1 }, context: { page: '/' } });
      expect((await store.read(rows[100]!.row, 50)).map((r) => r.row)).toEqual(rows.slice(101, 151).map((r) => r.row));
    } finally {
      await store.close();
    }
  });

  test('any string the contract allows round-trips exactly, U+0000 and U+FFFF included, and distinct ids stay distinct', async () => {
    const store = await kinds[kind]();
    try {
      const odd = ['nul\u0000', 'ffff\uffff', '\uffff0', '\u0000', '\uffff\uffff', 'plain\\0'];
      const a = await store.append('demo', odd.map((id) => valid(id, { userId: `u${id}`, name: id, properties: { k: id } })), 1);
      expect(a.events.map((e) => e.id)).toEqual(odd);
      const again = await store.append('demo', odd.map((id) => valid(id)), 2);
      expect(again.events).toEqual([]);
      const rows = await store.read(0, 100);
      expect(rows.map((r) => [r.event.id, r.event.userId, r.event.name, r.event.properties.k])).toEqual(odd.map((id) => [id, `u${id}`, id, id]));
    } finally {
      await store.close();
    }
  });

  test('ping answers while the store is up', async () => {
    const store = await kinds[kind]();
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });
});

describe('the PostgreSQL store with several instances', () => {
  test('migrations run once when four instances start at the same moment', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url })));
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    expect((await c.query("SELECT version FROM schema_versions WHERE component = 'store'")).rows).toEqual([{ version: 1 }]);
    await c.end();
    await Promise.all(stores.map((s) => s.close()));
  });

  test('no follower skips a row: an append waits for the append lock a later-numbered writer holds', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresStore({ url });
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    try {
      // a writer of another instance inside its append transaction, not committed yet
      await raw.query('BEGIN');
      await raw.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      await raw.query(
        "INSERT INTO events (id, app_key, type, name, ts, received_at, anonymous_id, session_id, properties, context) VALUES ('held', 'demo', 'track', 'x', 1, 1, 'a', 's', '{}', '{}')",
      );
      let done = false;
      const appended = store.append('demo', [valid('later')], 2).then((a) => ((done = true), a));
      await new Promise((r) => setTimeout(r, 300));
      // the second writer has not drawn its sequence value, let alone committed before the first
      expect(done).toBe(false);
      expect((await store.read(0, 10)).map((r) => r.event.id)).toEqual([]);
      await raw.query('COMMIT');
      const a = await appended;
      const rows = await store.read(0, 10);
      expect(rows.map((r) => r.event.id)).toEqual(['held', 'later']);
      expect(a.firstRow).toBeGreaterThan(rows[0]!.row);
    } finally {
      await raw.end();
      await store.close();
    }
  });

  test('a follower of two writing instances sees every row exactly once, in order, woken by NOTIFY', async () => {
    const url = await server.createDatabase();
    const [a, b, reader] = await Promise.all([0, 1, 2].map(() => openPostgresStore({ url })));
    const got: IngestMessage[] = [];
    // no safety-net poll worth the name: only NOTIFY wakes it within the test
    const follower = createFollower({ store: reader!, deliver: (m) => got.push(m), log: () => {}, pollMs: 60_000, page: 97 });
    follower.reset(0);
    try {
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i++) {
        const from = i % 2 ? a! : b!;
        writes.push(from.append(`app${i % 3}`, ids(`w${i}`, 25).map((id) => valid(id)).concat(valid(`w${Math.max(0, i - 1)}-0`)), 1000 + i));
      }
      await Promise.all(writes);
      const deadline = Date.now() + 5000;
      while (got.reduce((n, m) => n + m.events.length, 0) < 1500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const seen = got.flatMap((m) => m.events.map((e) => e.id));
      expect(seen.length).toBe(1500);
      expect(new Set(seen).size).toBe(1500);
      // each message continues exactly where the previous one ended
      for (let i = 1; i < got.length; i++) expect(got[i]!.after).toBe(got[i - 1]!.lastRow);
      expect(got[0]!.after).toBe(0);
    } finally {
      await follower.close();
      await Promise.all([a!, b!, reader!].map((s) => s.close()));
    }
  });

  test('PostgreSQL down: append and ping fail fast with StoreUnavailableError; back up, they work again', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresStore({ url, timeoutMs: 2000 });
    try {
      await store.append('demo', [valid('before')], 1);
      server.halt();
      // five batches in flight: the first group fails, and the ones queued behind it fail with it
      // rather than one timeout after another
      const during = await Promise.allSettled(Array.from({ length: 5 }, (_, k) => store.append('demo', [valid(`during-${k}`)], 2)));
      expect(during.map((d) => d.status === 'rejected' && d.reason instanceof StoreUnavailableError)).toEqual(Array(5).fill(true));
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      server.start();
      const after = await store.append('demo', [valid('during-0'), valid('before')], 3);
      expect(after.events.map((e) => e.id)).toEqual(['during-0']);
      expect(await store.count()).toBe(2);
    } finally {
      server.start();
      await store.close();
    }
  });


  test('messages lost on the way to an engine thread that died are never skipped: later ones wait, the new thread is followed from its cursor', async () => {
    const url = await server.createDatabase();
    const store = await openPostgresStore({ url });
    const dir = mkdtempSync(join(tmpdir(), 'slotwise-follow-'));
    dirs.push(dir);
    const db = openDb(dir);
    const service = createEngineService({ db, engine: createEngine({ db, modelDir: join(dir, 'models'), now: () => 1_700_000_000_000, catalogSize: 50 }), log: () => {} });
    let lost = false;
    const follower = createFollower({ store, deliver: (m) => (lost ? undefined : service.ingest(m)), log: () => {}, pollMs: 60_000 });
    const users = () => db.prepare('SELECT user_key FROM engine_profiles ORDER BY user_key').pluck().all();
    const identify = (user: string) => valid(`id-${user}`, { type: 'identify', name: 'identify', userId: user, anonymousId: user, properties: { riskTolerance: 'C3' } });
    try {
      follower.reset(service.cursor);
      const one = await store.append('demo', [identify('u1')], 1);
      await follower.reach(one.lastRow);
      expect(users()).toEqual(['u1']);
      lost = true; // the thread died: what is posted to it is gone
      const two = await store.append('demo', [identify('u2')], 2);
      await follower.reach(two.lastRow);
      lost = false;
      const three = await store.append('demo', [identify('u3')], 3);
      await follower.reach(three.lastRow);
      // u3's batch continues from u2's, which the engine never got: it is not applied past the hole
      expect(users()).toEqual(['u1']);
      expect(service.cursor).toBe(one.lastRow);
      // the new thread reports its cursor; the follower reads again from there
      follower.reset(service.cursor);
      await follower.reach(three.lastRow);
      expect(users()).toEqual(['u1', 'u2', 'u3']);
      expect(service.cursor).toBe(three.lastRow);
    } finally {
      await follower.close();
      service.close();
      db.close();
      await store.close();
    }
  });

  test("an instance's own batches are handed over without a read back when nothing came between; another instance's rows are read", async () => {
    const url = await server.createDatabase();
    const [own, other] = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
    let reads = 0;
    // not woken by NOTIFY here: a read racing the hand-over would make the count meaningless
    const counted: Store = { ...own!, read: (after, limit) => (reads++, own!.read(after, limit)), listen: () => () => {} };
    const got: IngestMessage[] = [];
    const follower = createFollower({ store: counted, deliver: (m) => got.push(m), log: () => {}, pollMs: 60_000 });
    try {
      follower.reset(0);
      await follower.reach(0);
      await new Promise((r) => setTimeout(r, 50)); // the first read (of nothing) is over
      const before = reads;
      // concurrent batches share a group: each says where it begins, one after the other
      const mine = await Promise.all([0, 1, 2].map((b) => own!.append('demo', [valid(`m${b}-a`), valid(`m${b}-b`), valid('m0-a')], 10 + b)));
      expect(mine.map((m) => m.events.length)).toEqual([2, 2, 2]);
      expect(mine.map((m) => follower.local(m))).toEqual([true, true, true]);
      expect(reads).toBe(before);
      expect(got.map((m) => m.after)).toEqual([0, mine[0]!.lastRow, mine[1]!.lastRow]);
      // a row of another instance lies between: the next own batch cannot go first, it is read back with it
      await other!.append('demo', [valid('theirs')], 20);
      const next = await own!.append('demo', [valid('m3')], 21);
      expect(follower.local(next)).toBe(false);
      await follower.reach(next.lastRow);
      expect(got.slice(3).flatMap((m) => m.events.map((e) => e.id))).toEqual(['theirs', 'm3']);
      for (let i = 1; i < got.length; i++) expect(got[i]!.after).toBe(got[i - 1]!.lastRow);
    } finally {
      await follower.close();
      await Promise.all([own!.close(), other!.close()]);
    }
  });
});

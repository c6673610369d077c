// @vitest-environment node
// The engine thread's service, in-process: the real engine and ingest on a real SQLite file.
// Each stored event reaches the engine exactly once — handed over, read back after a crash, or
// read back across a gap — and a failing engine costs it a batch, never the store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { schemas, type SlotwiseEvent } from '../../sdk/contract';
import { openDb, type Db } from '../../server-stub/store/db';
import { sqliteStore } from '../../server-stub/store/sqlite';
import { createEngine } from '../../server-stub/engine';
import { generateCatalog } from '../../server-stub/engine/catalog';
import { createEngineService, type EngineService, type IngestMessage } from '../../server-stub/engine/service';
import { createIngest } from '../../server-stub/ingest/events';
import { identify, request, T0, view } from './engine-fixtures';

const open: { db: Db; service?: EngineService; dir: string }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) {
    o.service?.close();
    o.db.close();
    rmSync(o.dir, { recursive: true, force: true });
  }
});

function store(dir = mkdtempSync(join(tmpdir(), 'slotwise-service-'))) {
  const db = openDb(dir);
  const logs: string[] = [];
  const entry: (typeof open)[number] = { db, dir };
  open.push(entry);
  const service = () =>
    (entry.service = createEngineService({ db, engine: createEngine({ db, modelDir: join(dir, 'models'), now: () => T0, catalogSize: 300 }), log: (m) => logs.push(m) }));
  /** stores a batch as POST /v1/events does, handing it to `to` after the commit */
  const ingest = (to: { ingest(m: IngestMessage): void }, events: SlotwiseEvent[]) =>
    createIngest({ store: sqliteStore(db), handOver: (m) => to.ingest(m), now: () => T0, log: (m) => logs.push(m) })('demo', { sentAt: T0, events });
  const profile = (user: string) => {
    const data = db.prepare('SELECT data FROM engine_profiles WHERE user_key = ?').pluck().get(user) as string | undefined;
    return data === undefined ? undefined : (JSON.parse(data) as { risk?: string; recent: string[] });
  };
  const cursor = () => db.prepare('SELECT event_row FROM engine_cursor').pluck().get() as number;
  return { db, dir, logs, service, ingest, profile, cursor };
}

const nowhere = { ingest() {} };
/** ids of live funds of the engine's generated catalog (same size, seed and clock) */
const funds = generateCatalog({ size: 300, now: T0 })
  .filter((i) => i.kind === 'fund' && i.start <= T0 && (i.end === undefined || i.end > T0))
  .map((i) => i.id);
const [F1, F2, F3, F4] = funds as [string, string, string, string];

describe('the engine service applies each stored event once', () => {
  test('a handed-over batch updates the profile; the same batch again changes nothing', async () => {
    const s = store();
    const service = s.service();
    const handed: IngestMessage[] = [];
    await s.ingest({ ingest: (m) => (handed.push(m), service.ingest(m)) }, [identify('u1', { riskTolerance: 'C4' }), view('u1', F1, { userId: 'u1', anonymousId: 'u1' })]);
    expect(s.profile('u1')).toMatchObject({ risk: 'C4', recent: [F1] });
    expect(s.cursor()).toBe(2);
    const before = JSON.stringify(s.profile('u1'));
    service.ingest(handed[0]!);
    expect(JSON.stringify(s.profile('u1'))).toBe(before);
  });

  test('after a crash between commit and handover, the next start applies what was missed, and only that', async () => {
    const s = store();
    const first = s.service();
    await s.ingest(first, [identify('u2', { riskTolerance: 'C5' }), view('u2', F1, { userId: 'u2', anonymousId: 'u2' })]);
    await s.ingest(nowhere, [view('u2', F2, { userId: 'u2', anonymousId: 'u2' })]); // stored; the process died before the handover
    first.close();
    expect(s.profile('u2')!.recent).toEqual([F1]);
    expect(s.service().catchUp()).toBe(1);
    expect(s.profile('u2')!.recent).toEqual([F1, F2]);
    expect(s.cursor()).toBe(3);
  });

  test('catchUp reads the missed rows back as the events they were, in order', async () => {
    const s = store();
    s.service().close();
    await s.ingest(nowhere, [identify('u3', { riskTolerance: 'C2' }), view('u3', F2, { userId: 'u3', anonymousId: 'u3' })]);
    await s.ingest(nowhere, [view('u3', F3, { userId: 'u3', anonymousId: 'u3' })]);
    expect(s.service().catchUp()).toBe(3);
    expect(s.profile('u3')).toMatchObject({ risk: 'C2', recent: [F2, F3] });
    expect(s.cursor()).toBe(3);
  });

  test('a stored row whose JSON columns are damaged is still applied as an event (without them), and the cursor moves on', () => {
    const s = store();
    s.service().close();
    s.db.prepare("INSERT INTO events VALUES ('bad-json','demo','identify','identify',1,2,'u9','u9','s',NULL,NULL,NULL,NULL,'{not json','[')").run();
    expect(s.service().catchUp()).toBe(1);
    expect(s.logs).toEqual([]);
    expect(s.profile('u9')).toBeDefined();
    expect(s.cursor()).toBe(1);
  });

  test('a batch behind a gap brings the missed rows in first', async () => {
    const s = store();
    const service = s.service();
    await s.ingest(nowhere, [identify('u4', { riskTolerance: 'C3' })]);
    await s.ingest(service, [view('u4', F4, { userId: 'u4', anonymousId: 'u4' })]);
    expect(s.profile('u4')).toMatchObject({ risk: 'C3', recent: [F4] });
    expect(s.cursor()).toBe(2);
  });

  test('an existing store starts with its cursor behind its events: they were applied at ingest before', () => {
    const s = store();
    s.db.prepare("INSERT INTO events VALUES ('old','demo','identify','identify',1,2,'u5','u5','s',NULL,NULL,NULL,NULL,'{\"riskTolerance\":\"C5\"}','{}')").run();
    const service = s.service();
    expect(s.cursor()).toBe(1);
    expect(service.catchUp()).toBe(0);
  });

  test('an engine that throws costs it that batch alone: logged, skipped, the next batch applied', async () => {
    const s = store();
    const service = s.service();
    let fail = true;
    const flaky = {
      ingest: (m: IngestMessage) => {
        if (fail) return service.ingest({ ...m, events: [{ ...m.events[0]!, properties: null as never }] });
        service.ingest(m);
      },
    };
    await s.ingest(flaky, [view('u6', F1, { userId: 'u6', anonymousId: 'u6' })]);
    expect(s.logs).toEqual([expect.stringContaining('1 events of demo not applied (stored all the same)')]);
    expect(s.cursor()).toBe(1);
    fail = false;
    await s.ingest(flaky, [identify('u6', { riskTolerance: 'C1' })]);
    expect(s.profile('u6')).toMatchObject({ risk: 'C1' });
    expect(s.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(2);
  });
});

describe('the engine writes beside the HTTP thread', () => {
  test('a commit by another connection between the engine reading a profile and writing it does not cost the batch', async () => {
    const s = store();
    const engine = createEngine({ db: s.db, modelDir: join(s.dir, 'models'), now: () => T0, catalogSize: 300 });
    const other = new Database(join(s.dir, 'slotwise.db'));
    other.pragma('busy_timeout = 0');
    const racing = {
      ...engine,
      ingest(app: string, events: SlotwiseEvent[], receivedAt: number) {
        s.db.prepare('SELECT count(*) FROM engine_profiles').get(); // the engine has read …
        try {
          other.prepare("INSERT INTO events VALUES ('race','demo','track','x',1,2,'a',NULL,'s',NULL,NULL,NULL,NULL,'{}','{}')").run(); // … another writer commits …
        } catch (error) {
          expect((error as { code?: string }).code).toBe('SQLITE_BUSY'); // (it has to wait: the engine holds the write lock)
        }
        engine.ingest(app, events, receivedAt); // … and the engine writes
      },
    };
    const service = createEngineService({ db: s.db, engine: racing, log: (m) => s.logs.push(m) });
    await s.ingest(service, [identify('u8', { riskTolerance: 'C3' })]);
    other.close();
    expect(s.logs).toEqual([]);
    expect(s.profile('u8')).toMatchObject({ risk: 'C3' });
  });
});

describe('the write lock held elsewhere', () => {
  test('a batch the engine cannot write yet is not skipped: the next batch reads it back and applies both', async () => {
    const s = store();
    const service = s.service();
    const other = new Database(join(s.dir, 'slotwise.db'));
    // the handover comes after the commit; the engine's connection then finds the lock taken
    const blocked = {
      ingest(m: IngestMessage) {
        s.db.pragma('busy_timeout = 0');
        other.prepare('BEGIN IMMEDIATE').run();
        try {
          service.ingest(m);
        } finally {
          other.prepare('COMMIT').run();
        }
      },
    };
    await s.ingest(blocked, [identify('u9', { riskTolerance: 'C2' })]);
    expect(s.logs).toEqual([expect.stringContaining('1 events of demo wait for the write lock')]);
    expect(s.cursor()).toBe(0);
    expect(s.profile('u9')).toBeUndefined();
    await s.ingest(service, [view('u9', F2, { userId: 'u9', anonymousId: 'u9' })]);
    expect(s.cursor()).toBe(2);
    expect(s.profile('u9')).toMatchObject({ risk: 'C2', recent: [F2] });
    other.close();
  });
});

describe('the write lock held back twice', () => {
  test('a batch behind one that could not be written waits for it: never applied first, never skipping it', async () => {
    const s = store();
    const engine = createEngine({ db: s.db, modelDir: join(s.dir, 'models'), now: () => T0, catalogSize: 300 });
    // the identify meets a taken write lock twice (its handover, then the catch-up of the next batch)
    let busy = 2;
    const locked = {
      ...engine,
      ingest(app: string, events: SlotwiseEvent[], receivedAt: number) {
        if (events.some((e) => e.type === 'identify') && busy-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        engine.ingest(app, events, receivedAt);
      },
    };
    const service = createEngineService({ db: s.db, engine: locked, log: (m) => s.logs.push(m) });
    await s.ingest(service, [identify('u10', { riskTolerance: 'C2' })]);
    await s.ingest(service, [view('u10', F3, { userId: 'u10', anonymousId: 'u10' })]);
    // the view was not applied past the identify (which would have moved the cursor beyond it for good)
    expect(s.cursor()).toBe(0);
    expect(s.profile('u10')).toBeUndefined();
    await s.ingest(service, [view('u10', F4, { userId: 'u10', anonymousId: 'u10' })]);
    expect(s.cursor()).toBe(3);
    expect(s.profile('u10')).toMatchObject({ risk: 'C2', recent: [F3, F4] });
  });
});

describe('decide on the engine thread: body text in, answer text out', () => {
  test('a valid request is answered 200 with a contract-valid DecideResponse', () => {
    const answer = store().service().decide('demo', JSON.stringify(request({ user: 'u7' })));
    expect(answer.status).toBe(200);
    const parsed = schemas().decideResponse.safeParse(JSON.parse(answer.body));
    expect(parsed.success).toBe(true);
  });

  test('bad input is a 400 with code, message and path, and the service keeps answering', () => {
    const service = store().service();
    const bad = [
      ['{"slots": [', 'invalid_json', ''],
      [JSON.stringify({ ...request(), slots: [{ id: 'x', kind: 'banner', count: 1 }] }), undefined, 'slots.0.kind'],
      [JSON.stringify({ ...request(), slots: [{ id: 'x', kind: 'picks', count: 0 }] }), undefined, 'slots.0.count'],
    ] as const;
    for (const [body, code, path] of bad) {
      const answer = service.decide('demo', body);
      expect(answer.status).toBe(400);
      const error = JSON.parse(answer.body).error;
      expect(error.path).toBe(path);
      if (code) expect(error.code).toBe(code);
      expect(error.message.length).toBeGreaterThan(5);
    }
    expect(service.decide('demo', JSON.stringify(request())).status).toBe(200);
  });
});

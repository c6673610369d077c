// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { migrate, openDb, STORE_VERSION } from '../../server-stub/store/db';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'slotwise-db-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('store', () => {
  test('a new database: WAL, fsync on every commit, the events table and its index, versioned', () => {
    const db = openDb(dir());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('user_version', { simple: true })).toBe(STORE_VERSION);
    const cols = (db.prepare("SELECT name FROM pragma_table_info('events')").pluck().all() as string[]).sort();
    expect(cols).toEqual(
      ['anonymous_id', 'app_key', 'context', 'decision_id', 'id', 'item_id', 'name', 'position', 'properties', 'received_at', 'session_id', 'slot_id', 'ts', 'type', 'user_id'].sort(),
    );
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND name NOT LIKE 'sqlite_%'").pluck().all();
    expect(indexes).toEqual(['events_decision']);
    db.close();
  });

  test('reopening keeps the rows and migrates nothing twice', () => {
    const d = dir();
    const db = openDb(d);
    db.prepare(
      "INSERT INTO events VALUES ('e1','demo','track','x',1,2,'a',NULL,'s',NULL,NULL,NULL,NULL,'{}','{}')",
    ).run();
    db.close();
    const again = openDb(d);
    expect(again.prepare('SELECT id FROM events').pluck().all()).toEqual(['e1']);
    again.close();
  });

  test('a database from a newer server is refused, not downgraded', () => {
    const d = dir();
    openDb(d).close();
    const raw = new Database(join(d, 'slotwise.db'));
    raw.pragma(`user_version = ${STORE_VERSION + 1}`);
    raw.close();
    expect(() => openDb(d)).toThrow(/newer than this server/);
  });
});

describe('migrate(component)', () => {
  test('runs only the missing steps and records the version apart from user_version', () => {
    const db = openDb(dir());
    const ran: number[] = [];
    const steps = [
      (x: Database.Database) => (ran.push(0), x.exec('CREATE TABLE decisions (id TEXT PRIMARY KEY)')),
      (x: Database.Database) => (ran.push(1), x.exec('ALTER TABLE decisions ADD COLUMN ts INTEGER')),
    ];
    migrate(db, 'engine', steps.slice(0, 1));
    migrate(db, 'engine', steps);
    migrate(db, 'engine', steps);
    expect(ran).toEqual([0, 1]);
    expect(db.prepare("SELECT version FROM schema_versions WHERE component = 'engine'").pluck().get()).toBe(2);
    expect(db.pragma('user_version', { simple: true })).toBe(STORE_VERSION);
    db.close();
  });

  test('a failing step rolls back the whole migration', () => {
    const db = openDb(dir());
    expect(() =>
      migrate(db, 'engine', [(x) => x.exec('CREATE TABLE t1 (a)'), (x) => x.exec('CREATE TABLE broken (')]),
    ).toThrow();
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 't1'").pluck().get()).toBe(0);
    expect(db.prepare("SELECT count(*) FROM schema_versions WHERE component = 'engine'").pluck().get()).toBe(0);
    db.close();
  });
});

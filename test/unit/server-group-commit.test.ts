// @vitest-environment node
// Group commit on a real SQLite file: work submitted together shares one transaction, each unit
// under its own savepoint; nothing resolves before the COMMIT; a failing unit fails alone; a failing
// COMMIT fails them all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openDb, type Db } from '../../server-stub/store/db';
import { createGroupCommit } from '../../server-stub/store/group-commit';

let dir: string;
let db: Db;
let reader: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slotwise-group-'));
  db = openDb(dir);
  db.exec(`CREATE TABLE t (v INTEGER PRIMARY KEY);
           CREATE TABLE parent (id INTEGER PRIMARY KEY);
           CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`);
  // another connection sees only what is committed
  reader = new Database(join(dir, 'slotwise.db'), { readonly: true });
});
afterEach(() => {
  reader.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const committed = () => reader.prepare('SELECT v FROM t ORDER BY v').pluck().all() as number[];
const insert = (v: number) => db.prepare('INSERT INTO t (v) VALUES (?)').run(v);

describe('group commit', () => {
  test('work submitted in one turn shares one transaction, and resolves only after its COMMIT', async () => {
    const commit = createGroupCommit(db);
    const visibleDuring: number[][] = [];
    const results = Promise.all(
      [1, 2, 3].map((v) =>
        commit(() => {
          insert(v);
          // still inside the shared transaction: the other connection sees none of it yet
          visibleDuring.push(committed());
          return v * 10;
        }),
      ),
    );
    expect(committed()).toEqual([]);
    expect(await results).toEqual([10, 20, 30]);
    expect(visibleDuring).toEqual([[], [], []]);
    expect(committed()).toEqual([1, 2, 3]);
  });

  test('a unit that throws is rolled back alone and rejects alone', async () => {
    const commit = createGroupCommit(db);
    const outcomes = await Promise.allSettled([
      commit(() => insert(1)),
      commit(() => {
        insert(2);
        throw new Error('bad unit');
      }),
      commit(() => insert(3)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('bad unit');
    expect(committed()).toEqual([1, 3]);
    expect(db.inTransaction).toBe(false);
  });

  test('a failing COMMIT rejects every unit of the group, stores nothing, and the next group works', async () => {
    const commit = createGroupCommit(db);
    const outcomes = await Promise.allSettled([
      commit(() => insert(1)),
      // a deferred foreign key fails at COMMIT, not in the unit
      commit(() => db.prepare('INSERT INTO child (p) VALUES (42)').run()),
      commit(() => insert(3)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committed()).toEqual([]);
    expect(db.inTransaction).toBe(false);
    await commit(() => insert(4));
    expect(committed()).toEqual([4]);
  });

  test('groups are bounded by weight; a unit heavier than the bound still runs, alone', async () => {
    const commit = createGroupCommit(db, { maxWeight: 10 });
    const groupOf: number[][] = [];
    const seen = (v: number) => {
      insert(v);
      groupOf.push(committed());
    };
    await Promise.all([commit(() => seen(1), 6), commit(() => seen(2), 4), commit(() => seen(3), 6), commit(() => seen(4), 50), commit(() => seen(5), 1)]);
    // 1+2 fit in 10; 3 starts the next group once they are committed; 4 is alone; 5 after it
    expect(groupOf).toEqual([[], [], [1, 2], [1, 2, 3], [1, 2, 3, 4]]);
    expect(committed()).toEqual([1, 2, 3, 4, 5]);
  });

  test('with durable: a unit resolves only after the fsync that follows its COMMIT; a failed fsync rejects the group', async () => {
    /** one per group, in commit order */
    const fsyncs: { resolve: () => void; reject: (error: Error) => void }[] = [];
    const durable = () => new Promise<void>((resolve, reject) => fsyncs.push({ resolve, reject }));
    const commit = createGroupCommit(db, { durable });
    const settled: string[] = [];
    const first = commit(() => insert(1)).then(() => settled.push('1'));
    const bad = commit(() => {
      insert(2);
      throw new Error('bad unit');
    }).catch(() => settled.push('2 rejected'));
    await new Promise((r) => setTimeout(r, 20));
    // committed (visible to another connection) and the bad unit already answered, but nothing
    // acknowledged before the disk said so
    expect(committed()).toEqual([1]);
    expect(settled).toEqual(['2 rejected']);
    // the thread is free meanwhile: the next group commits while the first waits for its fsync
    const second = commit(() => insert(3));
    await new Promise((r) => setTimeout(r, 20));
    expect(committed()).toEqual([1, 3]);
    expect(fsyncs).toHaveLength(2);
    fsyncs[0]!.resolve();
    await first;
    await bad;
    expect(settled).toEqual(['2 rejected', '1']);
    fsyncs[1]!.reject(new Error('EIO'));
    await expect(second).rejects.toThrow('EIO');
  });

  test('a group that finds the write lock taken waits for it on the event loop, first in line, and fails only past lockTimeoutMs', async () => {
    db.pragma('busy_timeout = 0');
    const other = new Database(join(dir, 'slotwise.db'));
    other.pragma('busy_timeout = 0');
    other.prepare('BEGIN IMMEDIATE').run();
    const commit = createGroupCommit(db, { retryMs: 1 });
    const first = commit(() => insert(1));
    await new Promise((r) => setTimeout(r, 30));
    // the thread was free meanwhile (this timer ran); later work queues behind the waiting group
    const second = commit(() => insert(2));
    await new Promise((r) => setTimeout(r, 30));
    expect(committed()).toEqual([]);
    other.prepare('COMMIT').run();
    await Promise.all([first, second]);
    expect(committed()).toEqual([1, 2]);

    const impatient = createGroupCommit(db, { retryMs: 1, lockTimeoutMs: 40 });
    other.prepare('BEGIN IMMEDIATE').run();
    await expect(impatient(() => insert(3))).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
    other.prepare('COMMIT').run();
    await impatient(() => insert(4));
    expect(committed()).toEqual([1, 2, 4]);
    other.close();
  });
});

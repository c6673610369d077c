// @vitest-environment node
// The WAL fsync made off the thread (store/wal-sync.ts) on a real SQLite file. What a power cut
// would show cannot be tested here; what can: the connection stops fsyncing in COMMIT, callers
// that arrive during an fsync share the next one (which starts after their commits), and a failed
// fsync — a disk fault, the one thing faked — is never followed by an acknowledgement.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { openDb, type Db } from '../../server-stub/store/db';
import { createWalSync } from '../../server-stub/store/wal-sync';

/** fdatasync as the OS does it, counted, with an injectable fault */
const disk = vi.hoisted(() => ({ calls: 0, path: '', fault: undefined as NodeJS.ErrnoException | undefined }));
vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return {
    ...real,
    fdatasync: (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      disk.calls++;
      // which file: the descriptor's target, as Linux names it
      disk.path = real.readlinkSync(`/proc/self/fd/${fd}`);
      if (disk.fault) return setImmediate(() => callback(disk.fault!));
      real.fdatasync(fd, callback);
    },
  };
});

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slotwise-walsync-'));
  db = openDb(dir);
  db.exec('CREATE TABLE t (v INTEGER PRIMARY KEY)');
  disk.calls = 0;
  disk.path = '';
  disk.fault = undefined;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (v: number) => db.prepare('INSERT INTO t (v) VALUES (?)').run(v);

describe('WAL sync', () => {
  test('the connection no longer fsyncs in COMMIT; sync() fsyncs the WAL file', async () => {
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    const wal = createWalSync(db);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL: COMMIT writes, the sync is ours
    insert(1);
    await wal.sync();
    expect(disk.calls).toBe(1);
    expect(disk.path).toMatch(/slotwise\.db-wal$/);
    const reader = new Database(join(dir, 'slotwise.db'), { readonly: true });
    expect(reader.prepare('SELECT v FROM t').pluck().all()).toEqual([1]);
    reader.close();
    await wal.close();
  });

  test('callers during an fsync share the next one; none resolves before an fsync that began after its call', async () => {
    const wal = createWalSync(db);
    insert(1);
    const order: string[] = [];
    const a = wal.sync().then(() => order.push('a'));
    insert(2);
    const b = wal.sync().then(() => order.push('b'));
    insert(3);
    const c = wal.sync().then(() => order.push('c'));
    await Promise.all([a, b, c]);
    // a's fsync was running when b and c committed, so they waited for a second one, together
    expect(disk.calls).toBe(2);
    expect(order).toEqual(['a', 'b', 'c']);
    await wal.close();
  });

  test('a failed fsync rejects its callers and every later sync: nothing more is acknowledged', async () => {
    const wal = createWalSync(db);
    insert(1);
    disk.fault = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    await expect(wal.sync()).rejects.toThrow(/could not be synced.*EIO/);
    disk.fault = undefined; // the kernel may report success now although the pages were dropped
    insert(2);
    await expect(wal.sync()).rejects.toThrow(/until a restart/);
    await wal.close();
  });

  test('an in-memory database keeps its setting and needs no sync', async () => {
    const memory = new Database(':memory:');
    const before = memory.pragma('synchronous', { simple: true });
    const wal = createWalSync(memory);
    expect(memory.pragma('synchronous', { simple: true })).toBe(before);
    await wal.sync();
    expect(disk.calls).toBe(0);
    memory.close();
  });
});

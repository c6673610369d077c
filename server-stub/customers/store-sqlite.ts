/**
 * Customer data in SQLite (store.ts says what a customer store guarantees), on a connection of its
 * own to `<dataDir>/slotwise.db` that waits for the write lock (busy_timeout 5 s, as the operators'
 * connection: server.ts). Staging commits without fsync (`synchronous = NORMAL`: staged rows are
 * nobody's until they go live, and a lost one only makes an import that never finished); the commit
 * that makes a snapshot live is fsynced.
 */
import type { ImportKind } from '../../sdk/contract-customer';
import { migrate, openDb, type Db } from '../store/db';
import { DEFAULT_IDENTITY, type CustomerStore, type Fact, type IdentityRow, type ImportRow } from './store';

const STEPS = [
  (db: Db) =>
    db.exec(`
      CREATE TABLE cu_imports (
        id INTEGER PRIMARY KEY, app TEXT NOT NULL, kind TEXT NOT NULL, as_of TEXT NOT NULL, fingerprint TEXT NOT NULL,
        status TEXT NOT NULL, lines INTEGER NOT NULL DEFAULT 0, inserted INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
        removed INTEGER NOT NULL DEFAULT 0, errors TEXT NOT NULL DEFAULT '[]', actor TEXT NOT NULL,
        started_at INTEGER NOT NULL, finished_at INTEGER, heartbeat_at INTEGER NOT NULL, note TEXT
      );
      CREATE INDEX cu_imports_app ON cu_imports (app, id);
      CREATE INDEX cu_imports_status ON cu_imports (status);
      CREATE TABLE cu_live (app TEXT NOT NULL, kind TEXT NOT NULL, import_id INTEGER NOT NULL, PRIMARY KEY (app, kind)) WITHOUT ROWID;
      CREATE TABLE cu_rows (import_id INTEGER NOT NULL, user_id TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (import_id, user_id, k)) WITHOUT ROWID;
      CREATE TABLE cu_identity (
        app TEXT PRIMARY KEY, mode TEXT NOT NULL, risk_policy TEXT NOT NULL, validity_days INTEGER NOT NULL,
        secret TEXT, previous TEXT, previous_until INTEGER, updated_at INTEGER NOT NULL
      );
    `),
];

interface RawImport {
  id: number;
  app: string;
  kind: ImportKind;
  as_of: string;
  fingerprint: string;
  status: ImportRow['status'];
  lines: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  removed: number;
  errors: string;
  actor: string;
  started_at: number;
  finished_at: number | null;
  note: string | null;
}

export const importRowOf = (r: RawImport): ImportRow => ({
  id: Number(r.id),
  app: r.app,
  kind: r.kind,
  asOf: r.as_of,
  fingerprint: r.fingerprint,
  status: r.status,
  lines: Number(r.lines),
  inserted: Number(r.inserted),
  updated: Number(r.updated),
  unchanged: Number(r.unchanged),
  rejected: Number(r.rejected),
  removed: Number(r.removed),
  errors: r.errors,
  actor: r.actor,
  startedAt: Number(r.started_at),
  finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  note: r.note,
});

export type { RawImport };

interface RawIdentity {
  mode: IdentityRow['mode'];
  risk_policy: IdentityRow['riskPolicy'];
  validity_days: number;
  secret: string | null;
  previous: string | null;
  previous_until: number | null;
}

export const identityRowOf = (r: RawIdentity): IdentityRow => ({
  mode: r.mode,
  riskPolicy: r.risk_policy,
  validityDays: Number(r.validity_days),
  secret: r.secret,
  previous: r.previous,
  previousUntil: r.previous_until === null ? null : Number(r.previous_until),
});

/** Rows deleted per transaction when a snapshot goes: the HTTP thread is never held for long. */
const DELETE_STEP = 20_000;

/**
 * The customer store in `dataDir`'s SQLite file.
 * @example const customers = openSqliteCustomerStore('.slotwise-data');
 */
export function openSqliteCustomerStore(dataDir: string): CustomerStore {
  const db = openDb(dataDir);
  db.pragma('synchronous = NORMAL');
  migrate(db, 'customers', STEPS);
  const q = (sql: string) => db.prepare(sql);
  const insertRow = q('INSERT OR IGNORE INTO cu_rows (import_id, user_id, k, v) VALUES (?, ?, ?, ?)');
  const liveValue = q('SELECT v FROM cu_rows WHERE import_id = ? AND user_id = ? AND k = ?').pluck();
  const heartbeat = q('UPDATE cu_imports SET heartbeat_at = ? WHERE id = ?');
  const getImport = q('SELECT * FROM cu_imports WHERE app = ? AND id = ?');
  const liveImport = q('SELECT i.* FROM cu_live l JOIN cu_imports i ON i.id = l.import_id WHERE l.app = ? AND l.kind = ?');
  const pointer = q('SELECT import_id FROM cu_live WHERE app = ? AND kind = ?').pluck();
  const setPointer = q('INSERT INTO cu_live (app, kind, import_id) VALUES (?, ?, ?) ON CONFLICT (app, kind) DO UPDATE SET import_id = excluded.import_id');
  const setStatus = q('UPDATE cu_imports SET status = ? WHERE id = ?');
  const writeSummary = q(`UPDATE cu_imports SET status = ?, lines = ?, inserted = ?, updated = ?, unchanged = ?, rejected = ?, removed = ?,
    errors = ?, finished_at = ?, note = ? WHERE id = ?`);
  const deleteStep = q(`DELETE FROM cu_rows WHERE (import_id, user_id, k) IN (SELECT import_id, user_id, k FROM cu_rows WHERE import_id = ? LIMIT ${DELETE_STEP})`);
  const facts = q(`SELECT l.kind AS kind, r.k AS k, r.v AS v, i.as_of AS asOf FROM cu_live l
    JOIN cu_imports i ON i.id = l.import_id JOIN cu_rows r ON r.import_id = l.import_id AND r.user_id = ? WHERE l.app = ?`);
  const identity = q('SELECT * FROM cu_identity WHERE app = ?');

  /** deletes a snapshot's rows in steps, yielding to the event loop between them */
  const dropRows = async (id: number) => {
    while (deleteStep.run(id).changes === DELETE_STEP) await new Promise((r) => setImmediate(r));
  };

  const stage = db.transaction((id: number, previous: number | undefined, rows: { user: string; key: string; value: string; line: number }[], now: number) => {
    let inserted = 0;
    let updated = 0;
    let unchanged = 0;
    const duplicates: number[] = [];
    for (const r of rows) {
      if (!insertRow.run(id, r.user, r.key, r.value).changes) {
        duplicates.push(r.line);
        continue;
      }
      const before = previous === undefined ? undefined : (liveValue.get(previous, r.user, r.key) as string | undefined);
      if (before === undefined) inserted++;
      else if (before === r.value) unchanged++;
      else updated++;
    }
    heartbeat.run(now, id);
    return { inserted, updated, unchanged, duplicates };
  });

  return {
    kind: 'sqlite',
    async begin(i) {
      const r = q(`INSERT INTO cu_imports (app, kind, as_of, fingerprint, status, actor, started_at, heartbeat_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`).run(
        i.app, i.kind, i.asOf, i.fingerprint, i.actor, i.now, i.now,
      );
      return Number(r.lastInsertRowid);
    },
    stage: async (id, previous, rows, now) => stage.immediate(id, previous, rows, now),
    liveCount: async (previous) => (previous === undefined ? 0 : (q('SELECT count(*) FROM cu_rows WHERE import_id = ?').pluck().get(previous) as number)),
    async goLive(id, app, kind, previous, s, now) {
      db.pragma('synchronous = FULL');
      try {
        return db.transaction(() => {
          const current = pointer.get(app, kind) as number | undefined;
          if (current !== previous) return false;
          setPointer.run(app, kind, id);
          if (previous !== undefined) setStatus.run('kept', previous);
          writeSummary.run('live', s.lines, s.inserted, s.updated, s.unchanged, s.rejected, s.removed, s.errors, now, null, id);
          return true;
        }).immediate();
      } finally {
        db.pragma('synchronous = NORMAL');
      }
    },
    async finish(id, status, s, now, note) {
      writeSummary.run(status, s.lines, s.inserted, s.updated, s.unchanged, s.rejected, s.removed, s.errors, now, note ?? null, id);
      await dropRows(id);
    },
    live: async (app, kind) => {
      const r = liveImport.get(app, kind) as RawImport | undefined;
      return r && importRowOf(r);
    },
    get: async (app, id) => {
      const r = getImport.get(app, id) as RawImport | undefined;
      return r && importRowOf(r);
    },
    list: async (app, limit) => (q('SELECT * FROM cu_imports WHERE app = ? ORDER BY id DESC LIMIT ?').all(app, limit) as RawImport[]).map(importRowOf),
    async rollback(app, id, now) {
      return db.transaction(() => {
        const target = getImport.get(app, id) as RawImport | undefined;
        if (!target || target.status !== 'kept') return false;
        const current = pointer.get(app, target.kind) as number | undefined;
        setPointer.run(app, target.kind, id);
        setStatus.run('live', id);
        if (current !== undefined) setStatus.run('kept', current);
        q('UPDATE cu_imports SET finished_at = coalesce(finished_at, ?) WHERE id = ?').run(now, id);
        return true;
      }).immediate();
    },
    async prune(app, kind, keep) {
      const ids = (q(`SELECT id FROM cu_imports WHERE app = ? AND kind = ? AND status IN ('live', 'kept') ORDER BY id DESC`).pluck().all(app, kind) as number[]);
      const live = pointer.get(app, kind) as number | undefined;
      // the live one always stays, whatever its age (after a rollback it may be old)
      const stay = new Set([live, ...ids.filter((i) => i !== live).slice(0, Math.max(0, keep - 1))]);
      for (const id of ids) {
        if (stay.has(id)) continue;
        setStatus.run('pruned', id);
        await dropRows(id);
      }
    },
    async sweep(before, now) {
      const stale = q(`SELECT id FROM cu_imports WHERE status = 'running' AND heartbeat_at < ?`).pluck().all(before) as number[];
      for (const id of stale) {
        q(`UPDATE cu_imports SET status = 'aborted', finished_at = ?, note = 'interrupted: the importing process stopped before it finished' WHERE id = ? AND status = 'running'`).run(now, id);
        await dropRows(id);
      }
      // rows of snapshots that no longer exist (a process stopped while deleting them)
      for (const id of q(`SELECT id FROM cu_imports WHERE status IN ('aborted', 'duplicate', 'pruned')
          AND EXISTS (SELECT 1 FROM cu_rows r WHERE r.import_id = cu_imports.id)`).pluck().all() as number[]) await dropRows(id);
      return stale.length;
    },
    facts: async (app, userId) => facts.all(userId, app) as Fact[],
    identity: async (app) => {
      const r = identity.get(app) as RawIdentity | undefined;
      return r && identityRowOf(r);
    },
    async setIdentity(app, patch, now) {
      return db.transaction(() => {
        const r = identity.get(app) as RawIdentity | undefined;
        const next = { ...DEFAULT_IDENTITY, ...(r && identityRowOf(r)), ...patch };
        q(`INSERT INTO cu_identity (app, mode, risk_policy, validity_days, secret, previous, previous_until, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (app) DO UPDATE SET mode = excluded.mode, risk_policy = excluded.risk_policy, validity_days = excluded.validity_days,
           secret = excluded.secret, previous = excluded.previous, previous_until = excluded.previous_until, updated_at = excluded.updated_at`).run(
          app, next.mode, next.riskPolicy, next.validityDays, next.secret, next.previous, next.previousUntil, now,
        );
        return next;
      }).immediate();
    },
    async close() {
      db.close();
    },
  };
}

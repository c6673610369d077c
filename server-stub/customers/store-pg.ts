/**
 * Customer data in PostgreSQL (store.ts says what a customer store guarantees), shared by every
 * instance; tables migrated under the migration lock (store/pg-migrate.ts), component `customers`.
 *
 * A batch is staged by one statement: the rows go in through `unnest` (`ON CONFLICT DO NOTHING`:
 * a key already staged is a duplicate line) and come back joined with the live snapshot's value of
 * the same key, so the counts of inserted, updated and unchanged cost no second round trip.
 * Going live and rolling back lock the pointer row (`FOR UPDATE`) inside their transaction.
 */
import type { Pool } from 'pg';
import { migratePostgres } from '../store/pg-migrate';
import { StoreUnavailableError } from '../store/store';
import { identityRowOf, importRowOf, type RawImport } from './store-sqlite';
import { DEFAULT_IDENTITY, type CustomerStore, type Fact } from './store';

const STEPS = [
  `CREATE TABLE cu_imports (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, app TEXT NOT NULL, kind TEXT NOT NULL, as_of TEXT NOT NULL,
     fingerprint TEXT NOT NULL, status TEXT NOT NULL, lines INTEGER NOT NULL DEFAULT 0, inserted INTEGER NOT NULL DEFAULT 0,
     updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
     removed INTEGER NOT NULL DEFAULT 0, errors TEXT NOT NULL DEFAULT '[]', actor TEXT NOT NULL,
     started_at BIGINT NOT NULL, finished_at BIGINT, heartbeat_at BIGINT NOT NULL, note TEXT
   );
   CREATE INDEX cu_imports_app ON cu_imports (app, id);
   CREATE INDEX cu_imports_status ON cu_imports (status);
   CREATE TABLE cu_live (app TEXT NOT NULL, kind TEXT NOT NULL, import_id BIGINT NOT NULL, PRIMARY KEY (app, kind));
   CREATE TABLE cu_rows (import_id BIGINT NOT NULL, user_id TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (import_id, user_id, k));
   CREATE TABLE cu_identity (
     app TEXT PRIMARY KEY, mode TEXT NOT NULL, risk_policy TEXT NOT NULL, validity_days INTEGER NOT NULL,
     secret TEXT, previous TEXT, previous_until BIGINT, updated_at BIGINT NOT NULL
   );`,
];

const DELETE_STEP = 50_000;

const STAGE = `WITH ins AS (
    INSERT INTO cu_rows (import_id, user_id, k, v)
    SELECT $1, u, k, v FROM unnest($2::text[], $3::text[], $4::text[]) AS t(u, k, v)
    ON CONFLICT DO NOTHING RETURNING user_id, k, v)
  SELECT ins.user_id AS u, ins.k AS k, CASE WHEN l.v IS NULL THEN 0 WHEN l.v = ins.v THEN 1 ELSE 2 END AS c
  FROM ins LEFT JOIN cu_rows l ON l.import_id = $5 AND l.user_id = ins.user_id AND l.k = ins.k`;

/**
 * The customer store on `pool` (the events store's pool, or the CLI's own); migrates first.
 * @example const customers = await openPgCustomerStore(store.pool);
 */
export async function openPgCustomerStore(pool: Pool, o: { end?: boolean } = {}): Promise<CustomerStore> {
  await migratePostgres(pool, 'customers', STEPS);
  const query = async <R>(text: string, values?: unknown[]): Promise<R[]> => {
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(`the customer store (PostgreSQL) did not answer: ${(error as Error).message}`);
    }
  };
  /** `fn` in one transaction on one connection */
  const tx = async <T>(fn: (q: <R>(text: string, values?: unknown[]) => Promise<R[]>) => Promise<T>): Promise<T> => {
    const client = await pool.connect().catch((error: Error) => {
      throw new StoreUnavailableError(`the customer store (PostgreSQL) did not answer: ${error.message}`);
    });
    try {
      await client.query('BEGIN');
      const out = await fn(async <R>(text: string, values?: unknown[]) => (await client.query<R>(text, values)).rows);
      await client.query('COMMIT');
      client.release();
      return out;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      client.release(true);
      throw error;
    }
  };
  const dropRows = async (id: number) => {
    for (;;) {
      const r = await query<{ n: number }>(
        `WITH d AS (DELETE FROM cu_rows WHERE (import_id, user_id, k) IN (SELECT import_id, user_id, k FROM cu_rows WHERE import_id = $1 LIMIT ${DELETE_STEP}) RETURNING 1)
         SELECT count(*)::int AS n FROM d`,
        [id],
      );
      if (r[0]!.n < DELETE_STEP) return;
    }
  };
  const writeSummary = `UPDATE cu_imports SET status = $1, lines = $2, inserted = $3, updated = $4, unchanged = $5, rejected = $6, removed = $7,
    errors = $8, finished_at = $9, note = $10 WHERE id = $11`;

  return {
    kind: 'postgres',
    async begin(i) {
      const [r] = await query<{ id: string }>(
        `INSERT INTO cu_imports (app, kind, as_of, fingerprint, status, actor, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, 'running', $5, $6, $6) RETURNING id`,
        [i.app, i.kind, i.asOf, i.fingerprint, i.actor, i.now],
      );
      return Number(r!.id);
    },
    async stage(id, previous, rows, now) {
      const users: string[] = [];
      const keys: string[] = [];
      const values: string[] = [];
      for (const r of rows) {
        users.push(r.user);
        keys.push(r.key);
        values.push(r.value);
      }
      const stored = await query<{ u: string; k: string; c: number }>(STAGE, [id, users, keys, values, previous ?? -1]);
      await query('UPDATE cu_imports SET heartbeat_at = $1 WHERE id = $2', [now, id]);
      const counts = [0, 0, 0];
      // a key stored by this statement is credited to its first line; any other line with it is a duplicate
      const fresh = new Set<string>();
      for (const s of stored) {
        counts[s.c]!++;
        fresh.add(`${s.u}\u0000${s.k}`);
      }
      const duplicates: number[] = [];
      for (const r of rows) {
        const key = `${r.user}\u0000${r.key}`;
        if (fresh.has(key)) fresh.delete(key);
        else duplicates.push(r.line);
      }
      return { inserted: counts[0]!, unchanged: counts[1]!, updated: counts[2]!, duplicates };
    },
    liveCount: async (previous) =>
      previous === undefined ? 0 : (await query<{ n: number }>('SELECT count(*)::int AS n FROM cu_rows WHERE import_id = $1', [previous]))[0]!.n,
    goLive: (id, app, kind, previous, s, now) =>
      tx(async (q) => {
        await q(`INSERT INTO cu_live (app, kind, import_id) VALUES ($1, $2, -1) ON CONFLICT DO NOTHING`, [app, kind]);
        const [p] = await q<{ import_id: string }>('SELECT import_id FROM cu_live WHERE app = $1 AND kind = $2 FOR UPDATE', [app, kind]);
        const current = Number(p!.import_id);
        if (current !== (previous ?? -1)) return false;
        await q('UPDATE cu_live SET import_id = $3 WHERE app = $1 AND kind = $2', [app, kind, id]);
        if (previous !== undefined) await q(`UPDATE cu_imports SET status = 'kept' WHERE id = $1`, [previous]);
        await q(writeSummary, ['live', s.lines, s.inserted, s.updated, s.unchanged, s.rejected, s.removed, s.errors, now, null, id]);
        return true;
      }),
    async finish(id, status, s, now, note) {
      await query(writeSummary, [status, s.lines, s.inserted, s.updated, s.unchanged, s.rejected, s.removed, s.errors, now, note ?? null, id]);
      await dropRows(id);
    },
    async live(app, kind) {
      const [r] = await query<RawImport>('SELECT i.* FROM cu_live l JOIN cu_imports i ON i.id = l.import_id WHERE l.app = $1 AND l.kind = $2', [app, kind]);
      return r && importRowOf(r);
    },
    async get(app, id) {
      const [r] = await query<RawImport>('SELECT * FROM cu_imports WHERE app = $1 AND id = $2', [app, id]);
      return r && importRowOf(r);
    },
    list: async (app, limit) => (await query<RawImport>('SELECT * FROM cu_imports WHERE app = $1 ORDER BY id DESC LIMIT $2', [app, limit])).map(importRowOf),
    rollback: (app, id, now) =>
      tx(async (q) => {
        const [target] = await q<RawImport>('SELECT * FROM cu_imports WHERE app = $1 AND id = $2 FOR UPDATE', [app, id]);
        if (!target || target.status !== 'kept') return false;
        const [p] = await q<{ import_id: string }>('SELECT import_id FROM cu_live WHERE app = $1 AND kind = $2 FOR UPDATE', [app, target.kind]);
        await q('UPDATE cu_live SET import_id = $3 WHERE app = $1 AND kind = $2', [app, target.kind, id]);
        await q(`UPDATE cu_imports SET status = 'live', finished_at = coalesce(finished_at, $2) WHERE id = $1`, [id, now]);
        if (p) await q(`UPDATE cu_imports SET status = 'kept' WHERE id = $1`, [Number(p.import_id)]);
        return true;
      }),
    async prune(app, kind, keep) {
      const ids = (await query<{ id: string }>(`SELECT id FROM cu_imports WHERE app = $1 AND kind = $2 AND status IN ('live', 'kept') ORDER BY id DESC`, [app, kind])).map((r) => Number(r.id));
      const [p] = await query<{ import_id: string }>('SELECT import_id FROM cu_live WHERE app = $1 AND kind = $2', [app, kind]);
      const live = p ? Number(p.import_id) : undefined;
      const stay = new Set([live, ...ids.filter((i) => i !== live).slice(0, Math.max(0, keep - 1))]);
      for (const id of ids) {
        if (stay.has(id)) continue;
        await query(`UPDATE cu_imports SET status = 'pruned' WHERE id = $1`, [id]);
        await dropRows(id);
      }
    },
    async sweep(before, now) {
      const stale = await query<{ id: string }>(
        `UPDATE cu_imports SET status = 'aborted', finished_at = $2, note = 'interrupted: the importing process stopped before it finished'
         WHERE status = 'running' AND heartbeat_at < $1 RETURNING id`,
        [before, now],
      );
      for (const r of stale) await dropRows(Number(r.id));
      for (const r of await query<{ id: string }>(`SELECT id FROM cu_imports i WHERE status IN ('aborted', 'duplicate', 'pruned')
          AND EXISTS (SELECT 1 FROM cu_rows r WHERE r.import_id = i.id)`)) await dropRows(Number(r.id));
      return stale.length;
    },
    facts: (app, userId) =>
      query<Fact>(
        `SELECT l.kind AS kind, r.k AS k, r.v AS v, i.as_of AS "asOf" FROM cu_live l
         JOIN cu_imports i ON i.id = l.import_id JOIN cu_rows r ON r.import_id = l.import_id AND r.user_id = $2 WHERE l.app = $1`,
        [app, userId],
      ),
    async identity(app) {
      const [r] = await query<Parameters<typeof identityRowOf>[0]>('SELECT * FROM cu_identity WHERE app = $1', [app]);
      return r && identityRowOf(r);
    },
    setIdentity: (app, patch, now) =>
      tx(async (q) => {
        const [r] = await q<Parameters<typeof identityRowOf>[0]>('SELECT * FROM cu_identity WHERE app = $1 FOR UPDATE', [app]);
        const next = { ...DEFAULT_IDENTITY, ...(r && identityRowOf(r)), ...patch };
        await q(
          `INSERT INTO cu_identity (app, mode, risk_policy, validity_days, secret, previous, previous_until, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (app) DO UPDATE SET mode = excluded.mode, risk_policy = excluded.risk_policy, validity_days = excluded.validity_days,
           secret = excluded.secret, previous = excluded.previous, previous_until = excluded.previous_until, updated_at = excluded.updated_at`,
          [app, next.mode, next.riskPolicy, next.validityDays, next.secret, next.previous, next.previousUntil, now],
        );
        return next;
      }),
    async close() {
      if (o.end) await pool.end();
    },
  };
}

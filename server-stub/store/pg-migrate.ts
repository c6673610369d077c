/**
 * Versioned migrations on PostgreSQL, safe when several instances start at once: each component's
 * steps run under a session-level `pg_advisory_lock` taken on one connection, so the first
 * instance migrates and the others, waiting for the lock, find the schema up to date. Each step
 * runs in the same transaction as its version bump (PostgreSQL DDL is transactional), so a crash
 * mid-migration leaves the previous version intact.
 */
import type { Pool } from 'pg';

/** One step: SQL text (may hold several statements). Never edit a shipped step; add one. */
export type PgMigration = string;

/** The advisory lock all migrations take (any number; this one is "slotwise" in ASCII). */
export const MIGRATION_LOCK = 0x736c6f74776973;

/**
 * Brings `component`'s tables up to `steps.length`.
 * @example await migratePostgres(pool, 'admin', ['CREATE TABLE admin_users (id TEXT PRIMARY KEY)']);
 */
export async function migratePostgres(pool: Pool, component: string, steps: PgMigration[]): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_versions WHERE component = $1', [component]);
      const current = rows[0]?.version ?? 0;
      if (current > steps.length) throw new Error(`${component} schema v${current} is newer than this server (v${steps.length})`);
      for (let v = current; v < steps.length; v++) {
        await client.query('BEGIN');
        try {
          await client.query(steps[v]!);
          await client.query(
            `INSERT INTO schema_versions (component, version) VALUES ($1, $2)
             ON CONFLICT (component) DO UPDATE SET version = excluded.version`,
            [component, v + 1],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch((error: Error) => (broken = error));
    }
  } finally {
    // a connection that could not unlock is dropped, which releases the lock with the session
    client.release(broken ?? false);
  }
}

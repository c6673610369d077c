/**
 * Apps' own templates: every saved version, append-only (a campaign made from version 2 still names
 * what version 2 was). The `templates` component's table, migrated on the admin side's store
 * (SQLite or PostgreSQL, one step list each, as admin/schema.ts does); its statements run on the
 * admin store's `Sql`, so a save and its audit entry share one transaction (the caller's `atomic`)
 * on either store — on PostgreSQL a second `Sql` would have its own transactions, not the admin's.
 */
import { migrate, type Migration } from '../store/db';
import { migratePostgres, type PgMigration } from '../store/pg-migrate';
import type { Sql, SqlTarget } from '../store/sql';
import type { Template } from '../../sdk/contract-templates';

/** Every call resolves once its statement ran; inside the admin store's `atomic` it belongs to that transaction. */
export interface TemplateStore {
  /** the newest version of each of the app's templates, by id */
  list(app: string): Promise<Template[]>;
  /** version `version` of one, or its newest */
  get(app: string, id: string, version?: number): Promise<Template | undefined>;
  /** stores `template` (its version one above the newest stored); a version stored already is refused by the key */
  add(app: string, template: Template, at: number, by: string): Promise<void>;
}

/** A shipped step is never edited; a change is a new step on both lists. Times are epoch ms. */
const SQLITE_STEPS: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE app_templates (
        app        TEXT NOT NULL,
        id         TEXT NOT NULL,
        version    INTEGER NOT NULL,
        body       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (app, id, version)
      );
    `),
];

const POSTGRES_STEPS: PgMigration[] = [
  `CREATE TABLE app_templates (
     app        TEXT NOT NULL,
     id         TEXT NOT NULL,
     version    INTEGER NOT NULL,
     body       TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     created_by TEXT NOT NULL,
     PRIMARY KEY (app, id, version)
   );`,
];

/** The templates schema's current version (the same on both stores). */
export const TEMPLATES_SCHEMA_VERSION = SQLITE_STEPS.length;

/**
 * Brings the templates table up to date on `target` and returns the store over it; `sql` is the
 * admin store's executor over that same target (`AdminStore.sql`).
 * @example const templates = await createTemplateStore(target, adminStore.sql);
 */
export async function createTemplateStore(target: SqlTarget, sql: Sql): Promise<TemplateStore> {
  if (target.kind !== sql.kind) throw new Error(`templates: the target is ${target.kind} but the admin store runs on ${sql.kind}`);
  if (target.kind === 'sqlite') migrate(target.db, 'templates', SQLITE_STEPS);
  else await migratePostgres(target.pool, 'templates', POSTGRES_STEPS);
  const parse = (row: { body: string } | undefined) => (row ? (JSON.parse(row.body) as Template) : undefined);
  return {
    list: async (app) =>
      (
        await sql.all<{ body: string }>(
          'SELECT t.body FROM app_templates t WHERE t.app = ? AND t.version = (SELECT max(version) FROM app_templates WHERE app = t.app AND id = t.id) ORDER BY t.id',
          app,
        )
      ).map((r) => parse(r)!),
    get: async (app, id, version) =>
      parse(
        version === undefined
          ? await sql.one<{ body: string }>('SELECT body FROM app_templates WHERE app = ? AND id = ? ORDER BY version DESC LIMIT 1', app, id)
          : await sql.one<{ body: string }>('SELECT body FROM app_templates WHERE app = ? AND id = ? AND version = ?', app, id, version),
      ),
    async add(app, t, at, by) {
      await sql.run('INSERT INTO app_templates (app, id, version, body, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)', app, t.id, t.version, JSON.stringify(t), at, by);
    },
  };
}

/**
 * Apps' own templates: every saved version, append-only (a campaign made from version 2 still names
 * what version 2 was). The `templates` component's table, on the admin side's connection, so a save
 * and its audit entry share one transaction (the caller's `atomic`).
 */
import { migrate, type Db, type Migration } from '../store/db';
import type { Template } from '../../sdk/contract-templates';

export interface TemplateStore {
  /** the newest version of each of the app's templates, by id */
  list(app: string): Template[];
  /** version `version` of one, or its newest */
  get(app: string, id: string, version?: number): Template | undefined;
  /** stores `template` (its version one above the newest stored) */
  add(app: string, template: Template, at: number, by: string): void;
}

const STEPS: Migration[] = [
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

export function createTemplateStore(db: Db): TemplateStore {
  migrate(db, 'templates', STEPS);
  const parse = (row: { body: string } | undefined) => (row ? (JSON.parse(row.body) as Template) : undefined);
  return {
    list: (app) =>
      (
        db
          .prepare('SELECT t.body FROM app_templates t WHERE t.app = ? AND t.version = (SELECT max(version) FROM app_templates WHERE app = t.app AND id = t.id) ORDER BY t.id')
          .all(app) as { body: string }[]
      ).map((r) => parse(r)!),
    get: (app, id, version) =>
      parse(
        (version === undefined
          ? db.prepare('SELECT body FROM app_templates WHERE app = ? AND id = ? ORDER BY version DESC LIMIT 1').get(app, id)
          : db.prepare('SELECT body FROM app_templates WHERE app = ? AND id = ? AND version = ?').get(app, id, version)) as { body: string } | undefined,
      ),
    add(app, t, at, by) {
      db.prepare('INSERT INTO app_templates (app, id, version, body, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)').run(app, t.id, t.version, JSON.stringify(t), at, by);
    },
  };
}

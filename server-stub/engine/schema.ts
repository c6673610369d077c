/**
 * The engine's own tables, versioned with the store's `migrate` (component `engine`). Never edit a
 * shipped step; add one.
 *
 * - engine_profiles: one JSON profile per (app, user key); the user key is the userId, else the anonymousId
 * - engine_aliases: anonymousId → userId, learned on identify
 * - engine_item_stats: decayed impressions / clicks / views / conversions per item (trending)
 * - engine_coviews: how often two items were viewed in one session (item-to-item)
 * - engine_decisions: one row per decision (app, user, personalised, model, ts) with its served
 *   items as JSON: slot, item, position, strategy, score, explored and the feature values the item
 *   was scored on. One row per decision keeps logging cheap on the decide path.
 * - engine_decision_items: a view with one row per served item, so impressions and clicks join to
 *   it by (decision_id, item_id) through the events table's decision index; training reads it
 *
 * @example
 * SELECT d.item_id, d.strategy, e.type FROM engine_decision_items d
 * JOIN events e ON e.decision_id = d.decision_id AND e.item_id = d.item_id;
 */
import { migrate, type Db } from '../db';

export const ENGINE_STEPS = [
  (db: Db) =>
    db.exec(`
      CREATE TABLE engine_profiles (
        app_key TEXT NOT NULL, user_key TEXT NOT NULL, data TEXT NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (app_key, user_key)
      ) WITHOUT ROWID;
      CREATE TABLE engine_aliases (
        app_key TEXT NOT NULL, anonymous_id TEXT NOT NULL, user_id TEXT NOT NULL,
        PRIMARY KEY (app_key, anonymous_id)
      ) WITHOUT ROWID;
      CREATE TABLE engine_item_stats (
        app_key TEXT NOT NULL, item_id TEXT NOT NULL,
        imp REAL NOT NULL, clk REAL NOT NULL, view REAL NOT NULL, conv REAL NOT NULL, t INTEGER NOT NULL,
        PRIMARY KEY (app_key, item_id)
      ) WITHOUT ROWID;
      CREATE TABLE engine_coviews (
        app_key TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, n REAL NOT NULL,
        PRIMARY KEY (app_key, a, b)
      ) WITHOUT ROWID;
      CREATE TABLE engine_decision_log (
        decision_id TEXT NOT NULL, app_key TEXT NOT NULL, user_key TEXT, slot_id TEXT NOT NULL,
        item_id TEXT NOT NULL, position INTEGER NOT NULL, strategy TEXT NOT NULL, score REAL NOT NULL,
        explored INTEGER NOT NULL, personalized INTEGER NOT NULL, model TEXT NOT NULL, ts INTEGER NOT NULL,
        features TEXT NOT NULL
      );
    `),
  (db: Db) =>
    db.exec(`
      DROP TABLE engine_decision_log;
      CREATE TABLE engine_decisions (
        decision_id TEXT NOT NULL, app_key TEXT NOT NULL, user_key TEXT, personalized INTEGER NOT NULL,
        model TEXT NOT NULL, ts INTEGER NOT NULL, items TEXT NOT NULL
      );
      CREATE VIEW engine_decision_items AS
        SELECT d.rowid AS decision_row, d.decision_id, d.app_key, d.user_key, d.personalized, d.model, d.ts,
          i.value ->> 'slot' AS slot_id, i.value ->> 'item' AS item_id, i.value ->> 'position' AS position,
          i.value ->> 'strategy' AS strategy, i.value ->> 'score' AS score, i.value ->> 'explored' AS explored,
          i.value -> 'features' AS features
        FROM engine_decisions d, json_each(d.items) AS i;
    `),
];

export function migrateEngine(db: Db): void {
  migrate(db, 'engine', ENGINE_STEPS);
}

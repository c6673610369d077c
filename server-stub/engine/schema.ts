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
 * Since step 3 a decision's items are stored compactly (`format` 2):
 * `{"w": [strings], "i": [[slot, item, position, strategy, score, explored, <numeric features>,
 * <levels>], …]}`, the strings (slot, item, strategy, levels) as indices into the decision's own
 * `w`, absent features null. Logging cost is mostly SQLite writing the bytes, and names and
 * levels repeated per item were more than half of them. The view unfolds both formats to the same columns; its `features`
 * is the same object as before (by name, absent ones left out, numbers as logged).
 *
 * @example
 * SELECT d.item_id, d.strategy, e.type FROM engine_decision_items d
 * JOIN events e ON e.decision_id = d.decision_id AND e.item_id = d.item_id;
 */
import { migrate, type Db } from '../store/db';

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
  (db: Db) => {
    // frozen copies of features.ts's NUMERIC and CATEGORICAL at this step: the stored positions
    const numeric = ['popularity', 'ctr', 'freshness', 'yield', 'category_affinity', 'kind_affinity', 'tag_affinity', 'item_interest', 'fatigue', 'co_viewed', 'device_tags', 'risk_fit'];
    const categorical = ['kind', 'risk', 'page_kind', 'slot_kind', 'segment_kind'];
    // json_patch drops the null (absent) members; `->` keeps each number's text as logged
    const word = (at: string) => `d.items -> '$.w' -> (${at})`;
    const features = [
      ...numeric.map((name, j) => `'${name}', i.value -> ${6 + j}`),
      ...categorical.map((name, j) => `'${name}', ${word(`i.value ->> ${6 + numeric.length + j}`)}`),
    ].join(', ');
    db.exec(`
      ALTER TABLE engine_decisions ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
      DROP VIEW engine_decision_items;
      CREATE VIEW engine_decision_items AS
        SELECT d.rowid AS decision_row, d.decision_id, d.app_key, d.user_key, d.personalized, d.model, d.ts,
          i.value ->> 'slot' AS slot_id, i.value ->> 'item' AS item_id, i.value ->> 'position' AS position,
          i.value ->> 'strategy' AS strategy, i.value ->> 'score' AS score, i.value ->> 'explored' AS explored,
          i.value -> 'features' AS features
        FROM engine_decisions d, json_each(d.items) AS i WHERE d.format = 1
        UNION ALL
        SELECT d.rowid AS decision_row, d.decision_id, d.app_key, d.user_key, d.personalized, d.model, d.ts,
          ${word('i.value ->> 0')} ->> '$' AS slot_id, ${word('i.value ->> 1')} ->> '$' AS item_id, i.value ->> 2 AS position,
          ${word('i.value ->> 3')} ->> '$' AS strategy, i.value ->> 4 AS score, i.value ->> 5 AS explored,
          json_patch('{}', json_object(${features})) AS features
        FROM engine_decisions d, json_each(d.items, '$.i') AS i WHERE d.format = 2;
    `);
  },
];

export function migrateEngine(db: Db): void {
  migrate(db, 'engine', ENGINE_STEPS);
}

/**
 * The analytics tables, versioned with the store's `migrate` (component `analytics`). They are a
 * projection of `events` (and of the engine's decision log), fed by a cursor (feed.ts), so
 * nothing is added to the ingest path and `events` keeps its few indexes. Never edit a shipped
 * step; add one.
 *
 * - an_cursor: the rowid of the last event and of the last `engine_decisions` row projected
 * - an_keys: (app, userId or anonymousId) → customer (`cid`)
 * - an_customers: one row per customer: first touch (earliest event by device time and its
 *   source), last seen, segment trait, who referred them
 * - an_facts: one row per event (`seq` = its rowid in events), indexed by name and by customer
 * - an_days: customer-days of activity per channel, with the campaign of the day's first event
 * - an_event_days: events per (name, day, channel, customer): the event analysis sums and counts
 *   distinct customers over it in SQL, reading far fewer rows than there are events
 * - an_served: each served item of the decision log (decision, item) → slot, strategy, explored, model,
 *   campaign ('' for none, and for decisions logged before the engine recorded it)
 * - an_matching: impressions, clicks, conversions and value per day and served-item dimensions
 * - an_removed: decisions and the candidates suitability removed in them, per day and model
 * - an_pending: feedback events whose decision the engine had not logged yet when they were fed
 * - an_audiences: customers saved from an analysis as a named segment
 */
import { migrate, type Db } from '../store/db';

export const ANALYTICS_STEPS = [
  (db: Db) =>
    db.exec(`
      CREATE TABLE an_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), event_row INTEGER NOT NULL, decision_row INTEGER NOT NULL);
      INSERT INTO an_cursor (id, event_row, decision_row) VALUES (1, 0, 0);
      CREATE TABLE an_keys (app TEXT NOT NULL, key TEXT NOT NULL, cid INTEGER NOT NULL, PRIMARY KEY (app, key)) WITHOUT ROWID;
      CREATE TABLE an_customers (
        cid INTEGER PRIMARY KEY, app TEXT NOT NULL, user_id TEXT, key TEXT NOT NULL,
        first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, channel TEXT NOT NULL,
        source TEXT NOT NULL, medium TEXT NOT NULL, campaign TEXT NOT NULL, referrer TEXT NOT NULL,
        segment TEXT, referred_by TEXT, referred_ts INTEGER
      );
      CREATE INDEX an_customers_first ON an_customers (app, first_ts);
      CREATE TABLE an_facts (
        seq INTEGER PRIMARY KEY, app TEXT NOT NULL, cid INTEGER NOT NULL, ts INTEGER NOT NULL,
        session TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, label TEXT NOT NULL,
        channel TEXT NOT NULL, props TEXT NOT NULL
      );
      CREATE INDEX an_facts_name ON an_facts (app, name, ts);
      CREATE INDEX an_facts_cid ON an_facts (cid, ts);
      CREATE TABLE an_days (
        app TEXT NOT NULL, day INTEGER NOT NULL, cid INTEGER NOT NULL, channel TEXT NOT NULL,
        n INTEGER NOT NULL, first_ts INTEGER NOT NULL, campaign TEXT NOT NULL,
        PRIMARY KEY (app, day, cid, channel)
      ) WITHOUT ROWID;
      CREATE TABLE an_event_days (
        app TEXT NOT NULL, name TEXT NOT NULL, day INTEGER NOT NULL, channel TEXT NOT NULL, cid INTEGER NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (app, name, day, channel, cid)
      ) WITHOUT ROWID;
      CREATE TABLE an_served (
        decision_id TEXT NOT NULL, item_id TEXT NOT NULL, app TEXT NOT NULL, ts INTEGER NOT NULL,
        slot TEXT NOT NULL, strategy TEXT NOT NULL, explored INTEGER NOT NULL, model TEXT NOT NULL,
        PRIMARY KEY (decision_id, item_id)
      ) WITHOUT ROWID;
      CREATE TABLE an_matching (
        app TEXT NOT NULL, day INTEGER NOT NULL, channel TEXT NOT NULL, segment TEXT NOT NULL,
        slot TEXT NOT NULL, strategy TEXT NOT NULL, model TEXT NOT NULL, explored INTEGER NOT NULL,
        imp INTEGER NOT NULL, clk INTEGER NOT NULL, conv INTEGER NOT NULL, value REAL NOT NULL,
        PRIMARY KEY (app, day, channel, segment, slot, strategy, model, explored)
      ) WITHOUT ROWID;
      CREATE TABLE an_pending (
        seq INTEGER PRIMARY KEY, app TEXT NOT NULL, decision_id TEXT NOT NULL, item_id TEXT NOT NULL,
        type TEXT NOT NULL, ts INTEGER NOT NULL, channel TEXT NOT NULL, cid INTEGER NOT NULL, value REAL NOT NULL
      );
      CREATE TABLE an_audiences (
        id TEXT PRIMARY KEY, app TEXT NOT NULL, name TEXT NOT NULL, analysis TEXT NOT NULL,
        params TEXT NOT NULL, user_ids TEXT NOT NULL, created_at INTEGER NOT NULL
      );
      CREATE INDEX an_audiences_app ON an_audiences (app, created_at);
    `),
  // the decision log now records each item's campaign and the candidates suitability removed
  (db: Db) =>
    db.exec(`
      ALTER TABLE an_served ADD COLUMN campaign TEXT NOT NULL DEFAULT '';
      CREATE TABLE an_matching_2 (
        app TEXT NOT NULL, day INTEGER NOT NULL, channel TEXT NOT NULL, segment TEXT NOT NULL,
        slot TEXT NOT NULL, strategy TEXT NOT NULL, campaign TEXT NOT NULL, model TEXT NOT NULL, explored INTEGER NOT NULL,
        imp INTEGER NOT NULL, clk INTEGER NOT NULL, conv INTEGER NOT NULL, value REAL NOT NULL,
        PRIMARY KEY (app, day, channel, segment, slot, strategy, campaign, model, explored)
      ) WITHOUT ROWID;
      INSERT INTO an_matching_2 SELECT app, day, channel, segment, slot, strategy, '', model, explored, imp, clk, conv, value FROM an_matching;
      DROP TABLE an_matching;
      ALTER TABLE an_matching_2 RENAME TO an_matching;
      CREATE TABLE an_removed (
        app TEXT NOT NULL, day INTEGER NOT NULL, model TEXT NOT NULL, decisions INTEGER NOT NULL, removed INTEGER NOT NULL,
        PRIMARY KEY (app, day, model)
      ) WITHOUT ROWID;
    `),
];

export function migrateAnalytics(db: Db): void {
  migrate(db, 'analytics', ANALYTICS_STEPS);
}

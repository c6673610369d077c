/**
 * The admin tables (component `admin`), one list of steps per store. A shipped step is never
 * edited; a change is a new step on both lists. Both hold the same columns and invariants:
 * `admin_audit` refuses UPDATE and DELETE (a trigger each), times are epoch ms.
 */
import type { Migration } from '../store/db';
import type { PgMigration } from '../store/pg-migrate';

export const SQLITE_STEPS: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE admin_users (
        username   TEXT PRIMARY KEY,
        role       TEXT NOT NULL,
        apps       TEXT NOT NULL,
        password   TEXT NOT NULL,
        disabled   INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE admin_sessions (
        id         TEXT PRIMARY KEY,
        username   TEXT NOT NULL REFERENCES admin_users (username),
        csrf       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        seen_at    INTEGER NOT NULL
      );
      CREATE INDEX admin_sessions_user ON admin_sessions (username);
      CREATE TABLE admin_tokens (
        id           TEXT PRIMARY KEY,
        username     TEXT NOT NULL REFERENCES admin_users (username),
        name         TEXT NOT NULL,
        hash         TEXT NOT NULL UNIQUE,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER,
        revoked_at   INTEGER,
        last_used_at INTEGER
      );
      CREATE TABLE admin_apps (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        four_eyes  INTEGER NOT NULL DEFAULT 0,
        live       INTEGER,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE admin_keys (
        key        TEXT PRIMARY KEY,
        app        TEXT NOT NULL REFERENCES admin_apps (id),
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE TABLE admin_drafts (
        app        TEXT NOT NULL REFERENCES admin_apps (id),
        kind       TEXT NOT NULL,
        id         TEXT NOT NULL,
        body       TEXT,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (app, kind, id)
      );
      CREATE TABLE admin_releases (
        app         TEXT NOT NULL REFERENCES admin_apps (id),
        version     INTEGER NOT NULL,
        status      TEXT NOT NULL,
        base        INTEGER,
        rules       TEXT NOT NULL,
        note        TEXT NOT NULL,
        created_by  TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        approved_by TEXT,
        approved_at INTEGER,
        go_live_at  INTEGER,
        live_at     INTEGER,
        rollback_of INTEGER,
        reason      TEXT,
        PRIMARY KEY (app, version)
      );
      CREATE TABLE admin_audit (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        at         INTEGER NOT NULL,
        actor      TEXT NOT NULL,
        app        TEXT,
        action     TEXT NOT NULL,
        target     TEXT NOT NULL,
        ip         TEXT NOT NULL,
        user_agent TEXT NOT NULL,
        diff       TEXT NOT NULL
      );
      CREATE INDEX admin_audit_app ON admin_audit (app, id);
      CREATE TRIGGER admin_audit_no_update BEFORE UPDATE ON admin_audit
        BEGIN SELECT RAISE(ABORT, 'admin_audit is append-only'); END;
      CREATE TRIGGER admin_audit_no_delete BEFORE DELETE ON admin_audit
        BEGIN SELECT RAISE(ABORT, 'admin_audit is append-only'); END;
    `),
];


export const POSTGRES_STEPS: PgMigration[] = [
  `CREATE TABLE admin_users (
     username   TEXT PRIMARY KEY,
     role       TEXT NOT NULL,
     apps       TEXT NOT NULL,
     password   TEXT NOT NULL,
     disabled   INTEGER NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE admin_sessions (
     id         TEXT PRIMARY KEY,
     username   TEXT NOT NULL REFERENCES admin_users (username),
     csrf       TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     seen_at    BIGINT NOT NULL
   );
   CREATE INDEX admin_sessions_user ON admin_sessions (username);
   CREATE TABLE admin_tokens (
     id           TEXT PRIMARY KEY,
     username     TEXT NOT NULL REFERENCES admin_users (username),
     name         TEXT NOT NULL,
     hash         TEXT NOT NULL UNIQUE,
     created_at   BIGINT NOT NULL,
     expires_at   BIGINT,
     revoked_at   BIGINT,
     last_used_at BIGINT
   );
   CREATE TABLE admin_apps (
     id         TEXT PRIMARY KEY,
     name       TEXT NOT NULL,
     four_eyes  INTEGER NOT NULL DEFAULT 0,
     live       INTEGER,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE admin_keys (
     key        TEXT PRIMARY KEY,
     app        TEXT NOT NULL REFERENCES admin_apps (id),
     created_at BIGINT NOT NULL,
     created_by TEXT NOT NULL
   );
   CREATE TABLE admin_drafts (
     app        TEXT NOT NULL REFERENCES admin_apps (id),
     kind       TEXT NOT NULL,
     id         TEXT NOT NULL,
     body       TEXT,
     updated_at BIGINT NOT NULL,
     updated_by TEXT NOT NULL,
     PRIMARY KEY (app, kind, id)
   );
   CREATE TABLE admin_releases (
     app         TEXT NOT NULL REFERENCES admin_apps (id),
     version     INTEGER NOT NULL,
     status      TEXT NOT NULL,
     base        INTEGER,
     rules       TEXT NOT NULL,
     note        TEXT NOT NULL,
     created_by  TEXT NOT NULL,
     created_at  BIGINT NOT NULL,
     approved_by TEXT,
     approved_at BIGINT,
     go_live_at  BIGINT,
     live_at     BIGINT,
     rollback_of INTEGER,
     reason      TEXT,
     PRIMARY KEY (app, version)
   );
   CREATE INDEX admin_releases_status ON admin_releases (status);
   CREATE TABLE admin_audit (
     id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at         BIGINT NOT NULL,
     actor      TEXT NOT NULL,
     app        TEXT,
     action     TEXT NOT NULL,
     target     TEXT NOT NULL,
     ip         TEXT NOT NULL,
     user_agent TEXT NOT NULL,
     diff       TEXT NOT NULL
   );
   CREATE INDEX admin_audit_app ON admin_audit (app, id);
   CREATE FUNCTION admin_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
     $$ BEGIN RAISE EXCEPTION 'admin_audit is append-only'; END $$;
   CREATE TRIGGER admin_audit_no_update BEFORE UPDATE OR DELETE ON admin_audit
     FOR EACH ROW EXECUTE FUNCTION admin_audit_append_only();
   CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit
     FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_append_only();`,
];

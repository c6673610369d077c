/**
 * Every SQL statement of the admin side, behind `AdminStore` (the PostgreSQL store ports this one
 * file). Tables are the `admin` component's, migrated by `migrate(db, 'admin', …)`.
 *
 * Invariants the schema holds, not just the code:
 * - `admin_audit` is append-only: triggers abort any UPDATE or DELETE, and nothing here issues one.
 * - secrets are never stored: passwords as scrypt hashes, session ids and tokens as SHA-256.
 * - an app has at most one live release (`admin_apps.live`), changed only inside `atomic()`.
 * Times are epoch milliseconds; the routes answer them as ISO strings.
 */
import type Database from 'better-sqlite3';
import { migrate, type Db, type Migration } from '../store/db';
import type { ReleaseStatus, Role, Collection, RuleSet } from '../../sdk/contract-admin';

export interface UserRow {
  username: string;
  role: Role;
  apps: string[];
  password: string;
  disabled: boolean;
  createdAt: number;
}
export interface SessionRow {
  id: string;
  username: string;
  csrf: string;
  createdAt: number;
  seenAt: number;
}
export interface TokenRow {
  id: string;
  username: string;
  name: string;
  hash: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}
export interface AppRow {
  id: string;
  name: string;
  fourEyes: boolean;
  live: number | null;
  createdAt: number;
}
export interface KeyRow {
  key: string;
  app: string;
  createdAt: number;
  createdBy: string;
}
export interface DraftRow {
  app: string;
  kind: Collection;
  id: string;
  /** the rule's JSON as saved; null = a pending deletion */
  body: string | null;
  updatedAt: number;
  updatedBy: string;
}
export interface ReleaseRow {
  app: string;
  version: number;
  status: ReleaseStatus;
  base: number | null;
  rules: RuleSet;
  note: string;
  createdBy: string;
  createdAt: number;
  approvedBy: string | null;
  approvedAt: number | null;
  goLiveAt: number | null;
  liveAt: number | null;
  rollbackOf: number | null;
  reason: string | null;
}
export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  app: string | null;
  action: string;
  target: string;
  ip: string;
  userAgent: string;
  diff: string;
}
export type AuditInput = Omit<AuditRow, 'id'>;

export interface AdminStore {
  /** runs `fn` in one transaction: all of its writes or none */
  atomic<T>(fn: () => T): T;

  user(username: string): UserRow | undefined;
  users(): UserRow[];
  insertUser(user: UserRow): void;
  updateUser(username: string, patch: Partial<Pick<UserRow, 'role' | 'apps' | 'password' | 'disabled'>>): void;

  session(id: string): SessionRow | undefined;
  insertSession(session: SessionRow): void;
  touchSession(id: string, at: number): void;
  deleteSession(id: string): void;
  deleteSessionsOf(username: string): void;
  /** drops sessions created before `createdBefore` or idle since `seenBefore` */
  purgeSessions(createdBefore: number, seenBefore: number): void;

  tokenByHash(hash: string): TokenRow | undefined;
  tokens(username?: string): TokenRow[];
  insertToken(token: TokenRow): void;
  revokeToken(id: string, at: number): boolean;
  touchToken(id: string, at: number): void;

  app(id: string): AppRow | undefined;
  apps(): AppRow[];
  insertApp(app: Omit<AppRow, 'live'>): void;
  updateApp(id: string, patch: Partial<Pick<AppRow, 'name' | 'fourEyes' | 'live'>>): void;

  keys(app?: string): KeyRow[];
  insertKey(key: KeyRow): void;
  deleteKey(key: string): boolean;

  drafts(app: string, kind?: Collection): DraftRow[];
  draft(app: string, kind: Collection, id: string): DraftRow | undefined;
  putDraft(draft: DraftRow): void;
  deleteDraft(app: string, kind: Collection, id: string): void;

  release(app: string, version: number): ReleaseRow | undefined;
  /** newest first; `before` pages by version */
  releases(app: string, page?: { before?: number; limit?: number }): ReleaseRow[];
  /** releases of any app in `status`, oldest first (the scheduler reads `scheduled`) */
  releasesIn(status: ReleaseStatus): ReleaseRow[];
  nextVersion(app: string): number;
  insertRelease(release: ReleaseRow): void;
  updateRelease(app: string, version: number, patch: Partial<Pick<ReleaseRow, 'status' | 'approvedBy' | 'approvedAt' | 'liveAt' | 'reason'>>): void;

  appendAudit(entry: AuditInput): number;
  /** newest first; `app` undefined = every app's and the account entries */
  audit(filter: { app?: string; before?: number; limit: number }): AuditRow[];
}

const STEPS: Migration[] = [
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

/** The admin schema's current version. */
export const ADMIN_SCHEMA_VERSION = STEPS.length;

type Raw = Record<string, unknown>;
/** a row with its snake_case columns as camelCase keys (the rows below are otherwise as stored) */
const camel = (r: Raw): Raw => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase()), v]));
const user = (r: Raw): UserRow => ({ ...(camel(r) as unknown as UserRow), apps: JSON.parse(r.apps as string), disabled: r.disabled === 1 });
const session = (r: Raw) => camel(r) as unknown as SessionRow;
const token = (r: Raw) => camel(r) as unknown as TokenRow;
const app = (r: Raw): AppRow => ({ ...(camel(r) as unknown as AppRow), fourEyes: r.four_eyes === 1 });
const key = (r: Raw) => camel(r) as unknown as KeyRow;
const draft = (r: Raw) => camel(r) as unknown as DraftRow;
const release = (r: Raw): ReleaseRow => ({ ...(camel(r) as unknown as ReleaseRow), rules: JSON.parse(r.rules as string) });
const audit = (r: Raw) => camel(r) as unknown as AuditRow;

/** camelCase patch keys → columns; only these may be updated */
const COLUMNS: Record<string, string> = {
  role: 'role',
  apps: 'apps',
  password: 'password',
  disabled: 'disabled',
  name: 'name',
  fourEyes: 'four_eyes',
  live: 'live',
  status: 'status',
  approvedBy: 'approved_by',
  approvedAt: 'approved_at',
  liveAt: 'live_at',
  reason: 'reason',
};
const toSql = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : Array.isArray(v) ? JSON.stringify(v) : (v ?? null));

/** Brings the admin tables up to date on `db` and returns the store over them. */
export function createAdminStore(db: Db): AdminStore {
  migrate(db, 'admin', STEPS);
  const cache = new Map<string, Database.Statement<unknown[]>>();
  const q = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare<unknown[]>(sql)));
    return s;
  };
  const all = (sql: string, ...args: unknown[]) => q(sql).all(...args) as Raw[];
  const one = (sql: string, ...args: unknown[]) => q(sql).get(...args) as Raw | undefined;
  const run = (sql: string, ...args: unknown[]) => q(sql).run(...args).changes;
  const update = (table: string, where: string, whereArgs: unknown[], patch: Record<string, unknown>) => {
    const keys = Object.keys(patch).filter((k) => patch[k] !== undefined);
    if (keys.length === 0) return;
    const set = keys.map((k) => `${COLUMNS[k] ?? fail(k)} = ?`).join(', ');
    run(`UPDATE ${table} SET ${set} WHERE ${where}`, ...keys.map((k) => toSql(patch[k])), ...whereArgs);
  };

  return {
    atomic: (fn) => db.transaction(fn).immediate(),

    user: (username) => map(one('SELECT * FROM admin_users WHERE username = ?', username), user),
    users: () => all('SELECT * FROM admin_users ORDER BY username').map(user),
    insertUser: (u) =>
      void run('INSERT INTO admin_users (username, role, apps, password, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?)', u.username, u.role, JSON.stringify(u.apps), u.password, u.disabled ? 1 : 0, u.createdAt),
    updateUser: (username, patch) => update('admin_users', 'username = ?', [username], patch),

    session: (id) => map(one('SELECT * FROM admin_sessions WHERE id = ?', id), session),
    insertSession: (s) => void run('INSERT INTO admin_sessions (id, username, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)', s.id, s.username, s.csrf, s.createdAt, s.seenAt),
    touchSession: (id, at) => void run('UPDATE admin_sessions SET seen_at = ? WHERE id = ?', at, id),
    deleteSession: (id) => void run('DELETE FROM admin_sessions WHERE id = ?', id),
    deleteSessionsOf: (username) => void run('DELETE FROM admin_sessions WHERE username = ?', username),
    purgeSessions: (createdBefore, seenBefore) => void run('DELETE FROM admin_sessions WHERE created_at < ? OR seen_at < ?', createdBefore, seenBefore),

    tokenByHash: (hash) => map(one('SELECT * FROM admin_tokens WHERE hash = ?', hash), token),
    tokens: (username) =>
      (username === undefined ? all('SELECT * FROM admin_tokens ORDER BY created_at, id') : all('SELECT * FROM admin_tokens WHERE username = ? ORDER BY created_at, id', username)).map(token),
    insertToken: (t) =>
      void run(
        'INSERT INTO admin_tokens (id, username, name, hash, created_at, expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        t.id, t.username, t.name, t.hash, t.createdAt, t.expiresAt, t.revokedAt, t.lastUsedAt,
      ),
    revokeToken: (id, at) => run('UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', at, id) > 0,
    touchToken: (id, at) => void run('UPDATE admin_tokens SET last_used_at = ? WHERE id = ?', at, id),

    app: (id) => map(one('SELECT * FROM admin_apps WHERE id = ?', id), app),
    apps: () => all('SELECT * FROM admin_apps ORDER BY id').map(app),
    insertApp: (a) => void run('INSERT INTO admin_apps (id, name, four_eyes, created_at) VALUES (?, ?, ?, ?)', a.id, a.name, a.fourEyes ? 1 : 0, a.createdAt),
    updateApp: (id, patch) => update('admin_apps', 'id = ?', [id], patch),

    keys: (a) => (a === undefined ? all('SELECT * FROM admin_keys ORDER BY app, created_at') : all('SELECT * FROM admin_keys WHERE app = ? ORDER BY created_at', a)).map(key),
    insertKey: (k) => void run('INSERT INTO admin_keys (key, app, created_at, created_by) VALUES (?, ?, ?, ?)', k.key, k.app, k.createdAt, k.createdBy),
    deleteKey: (k) => run('DELETE FROM admin_keys WHERE key = ?', k) > 0,

    drafts: (a, kind) =>
      (kind === undefined ? all('SELECT * FROM admin_drafts WHERE app = ? ORDER BY kind, id', a) : all('SELECT * FROM admin_drafts WHERE app = ? AND kind = ? ORDER BY id', a, kind)).map(draft),
    draft: (a, kind, id) => map(one('SELECT * FROM admin_drafts WHERE app = ? AND kind = ? AND id = ?', a, kind, id), draft),
    putDraft: (d) =>
      void run(
        `INSERT INTO admin_drafts (app, kind, id, body, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (app, kind, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        d.app, d.kind, d.id, d.body, d.updatedAt, d.updatedBy,
      ),
    deleteDraft: (a, kind, id) => void run('DELETE FROM admin_drafts WHERE app = ? AND kind = ? AND id = ?', a, kind, id),

    release: (a, version) => map(one('SELECT * FROM admin_releases WHERE app = ? AND version = ?', a, version), release),
    releases: (a, page = {}) =>
      all('SELECT * FROM admin_releases WHERE app = ? AND version < ? ORDER BY version DESC LIMIT ?', a, page.before ?? Number.MAX_SAFE_INTEGER, page.limit ?? 100).map(release),
    releasesIn: (status) => all('SELECT * FROM admin_releases WHERE status = ? ORDER BY go_live_at, app, version', status).map(release),
    nextVersion: (a) => ((one('SELECT max(version) AS v FROM admin_releases WHERE app = ?', a)?.v as number | null) ?? 0) + 1,
    insertRelease: (r) =>
      void run(
        `INSERT INTO admin_releases (app, version, status, base, rules, note, created_by, created_at, approved_by, approved_at, go_live_at, live_at, rollback_of, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        r.app, r.version, r.status, r.base, JSON.stringify(r.rules), r.note, r.createdBy, r.createdAt, r.approvedBy, r.approvedAt, r.goLiveAt, r.liveAt, r.rollbackOf, r.reason,
      ),
    updateRelease: (a, version, patch) => update('admin_releases', 'app = ? AND version = ?', [a, version], patch),

    appendAudit: (e) =>
      Number(
        q('INSERT INTO admin_audit (at, actor, app, action, target, ip, user_agent, diff) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
          e.at, e.actor, e.app, e.action, e.target, e.ip, e.userAgent, e.diff,
        ).lastInsertRowid,
      ),
    audit: ({ app: a, before, limit }) =>
      (a === undefined
        ? all('SELECT * FROM admin_audit WHERE id < ? ORDER BY id DESC LIMIT ?', before ?? Number.MAX_SAFE_INTEGER, limit)
        : all('SELECT * FROM admin_audit WHERE app = ? AND id < ? ORDER BY id DESC LIMIT ?', a, before ?? Number.MAX_SAFE_INTEGER, limit)
      ).map(audit),
  };
}

const map = <T>(row: Raw | undefined, f: (r: Raw) => T): T | undefined => (row === undefined ? undefined : f(row));
const fail = (k: string): never => {
  throw new Error(`admin store: no column for "${k}"`);
};

/**
 * Every SQL statement of the admin side, behind `AdminStore`, one text for both stores (SQLite and
 * PostgreSQL, through store/sql.ts). Tables are the `admin` component's (schema.ts), migrated on
 * open; on PostgreSQL every instance shares them, so accounts, sessions, drafts, releases and the
 * audit are the same whichever instance a request reaches.
 *
 * Invariants the schema holds, not just the code:
 * - `admin_audit` is append-only: triggers abort any UPDATE or DELETE, and nothing here issues one.
 * - secrets are never stored: passwords as scrypt hashes, session ids and tokens as SHA-256.
 * - an app has at most one live release (`admin_apps.live`), changed only inside `atomic()`.
 * Times are epoch milliseconds; the routes answer them as ISO strings.
 */
import { openSql, type Sql, type SqlTarget } from '../store/sql';
import { POSTGRES_STEPS, SQLITE_STEPS } from './schema';
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

/** Every call resolves once its statement ran; inside `atomic` it belongs to that transaction. */
export interface AdminStore {
  /**
   * Runs `fn` in one transaction: all of its writes or none. Calls on this store made inside `fn`
   * (awaited, at any depth) belong to the transaction; on PostgreSQL admin transactions of every
   * instance run one at a time (store/sql.ts).
   */
  atomic<T>(fn: () => Promise<T>): Promise<T>;
  /** the executor under this store: another component's statements on the admin target (templates/store.ts) run on it to join these transactions */
  readonly sql: Sql;

  user(username: string): Promise<UserRow | undefined>;
  users(): Promise<UserRow[]>;
  insertUser(user: UserRow): Promise<void>;
  updateUser(username: string, patch: Partial<Pick<UserRow, 'role' | 'apps' | 'password' | 'disabled'>>): Promise<void>;

  session(id: string): Promise<SessionRow | undefined>;
  insertSession(session: SessionRow): Promise<void>;
  touchSession(id: string, at: number): Promise<void>;
  deleteSession(id: string): Promise<void>;
  deleteSessionsOf(username: string): Promise<void>;
  /** drops sessions created before `createdBefore` or idle since `seenBefore` */
  purgeSessions(createdBefore: number, seenBefore: number): Promise<void>;

  tokenByHash(hash: string): Promise<TokenRow | undefined>;
  tokens(username?: string): Promise<TokenRow[]>;
  insertToken(token: TokenRow): Promise<void>;
  revokeToken(id: string, at: number): Promise<boolean>;
  touchToken(id: string, at: number): Promise<void>;

  app(id: string): Promise<AppRow | undefined>;
  apps(): Promise<AppRow[]>;
  insertApp(app: Omit<AppRow, 'live'>): Promise<void>;
  updateApp(id: string, patch: Partial<Pick<AppRow, 'name' | 'fourEyes' | 'live'>>): Promise<void>;

  keys(app?: string): Promise<KeyRow[]>;
  insertKey(key: KeyRow): Promise<void>;
  deleteKey(key: string): Promise<boolean>;

  drafts(app: string, kind?: Collection): Promise<DraftRow[]>;
  draft(app: string, kind: Collection, id: string): Promise<DraftRow | undefined>;
  putDraft(draft: DraftRow): Promise<void>;
  deleteDraft(app: string, kind: Collection, id: string): Promise<void>;

  release(app: string, version: number): Promise<ReleaseRow | undefined>;
  /** newest first; `before` pages by version */
  releases(app: string, page?: { before?: number; limit?: number }): Promise<ReleaseRow[]>;
  /** releases of any app in `status`, oldest first (the scheduler reads `scheduled`) */
  releasesIn(status: ReleaseStatus): Promise<ReleaseRow[]>;
  nextVersion(app: string): Promise<number>;
  insertRelease(release: ReleaseRow): Promise<void>;
  updateRelease(app: string, version: number, patch: Partial<Pick<ReleaseRow, 'status' | 'approvedBy' | 'approvedAt' | 'liveAt' | 'reason'>>): Promise<void>;

  appendAudit(entry: AuditInput): Promise<number>;
  /** newest first; `app` undefined = every app's and the account entries */
  audit(filter: { app?: string; before?: number; limit: number }): Promise<AuditRow[]>;
}

/** The advisory lock of admin transactions on PostgreSQL ("slotad" in ASCII). */
export const ADMIN_LOCK = 0x736c6f746164;

/** The admin schema's current version. */
export const ADMIN_SCHEMA_VERSION = SQLITE_STEPS.length;

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

/**
 * Brings the admin tables up to date on `target` and returns the store over them.
 * @example const store = await createAdminStore({ kind: 'sqlite', db: openDb('.slotwise-data') });
 */
export async function createAdminStore(target: SqlTarget): Promise<AdminStore> {
  const sql = await openSql(target, 'admin', { sqlite: SQLITE_STEPS, postgres: POSTGRES_STEPS }, ADMIN_LOCK);
  const all = (text: string, ...args: unknown[]) => sql.all<Raw>(text, ...args);
  const one = (text: string, ...args: unknown[]) => sql.one<Raw>(text, ...args);
  const run = (text: string, ...args: unknown[]) => sql.run(text, ...args);
  const done = async (p: Promise<unknown>) => void (await p);
  const update = async (table: string, where: string, whereArgs: unknown[], patch: Record<string, unknown>) => {
    const keys = Object.keys(patch).filter((k) => patch[k] !== undefined);
    if (keys.length === 0) return;
    const set = keys.map((k) => `${COLUMNS[k] ?? fail(k)} = ?`).join(', ');
    await run(`UPDATE ${table} SET ${set} WHERE ${where}`, ...keys.map((k) => toSql(patch[k])), ...whereArgs);
  };

  return {
    atomic: (fn) => sql.atomic(fn),
    sql,

    user: async (username) => map(await one('SELECT * FROM admin_users WHERE username = ?', username), user),
    users: async () => (await all('SELECT * FROM admin_users ORDER BY username')).map(user),
    insertUser: (u) =>
      done(run('INSERT INTO admin_users (username, role, apps, password, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?)', u.username, u.role, JSON.stringify(u.apps), u.password, u.disabled ? 1 : 0, u.createdAt)),
    updateUser: (username, patch) => update('admin_users', 'username = ?', [username], patch),

    session: async (id) => map(await one('SELECT * FROM admin_sessions WHERE id = ?', id), session),
    insertSession: (s) => done(run('INSERT INTO admin_sessions (id, username, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)', s.id, s.username, s.csrf, s.createdAt, s.seenAt)),
    touchSession: (id, at) => done(run('UPDATE admin_sessions SET seen_at = ? WHERE id = ?', at, id)),
    deleteSession: (id) => done(run('DELETE FROM admin_sessions WHERE id = ?', id)),
    deleteSessionsOf: (username) => done(run('DELETE FROM admin_sessions WHERE username = ?', username)),
    purgeSessions: (createdBefore, seenBefore) => done(run('DELETE FROM admin_sessions WHERE created_at < ? OR seen_at < ?', createdBefore, seenBefore)),

    tokenByHash: async (hash) => map(await one('SELECT * FROM admin_tokens WHERE hash = ?', hash), token),
    tokens: async (username) =>
      (username === undefined ? await all('SELECT * FROM admin_tokens ORDER BY created_at, id') : await all('SELECT * FROM admin_tokens WHERE username = ? ORDER BY created_at, id', username)).map(token),
    insertToken: (t) =>
      done(
        run(
          'INSERT INTO admin_tokens (id, username, name, hash, created_at, expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          t.id, t.username, t.name, t.hash, t.createdAt, t.expiresAt, t.revokedAt, t.lastUsedAt,
        ),
      ),
    revokeToken: async (id, at) => (await run('UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', at, id)) > 0,
    touchToken: (id, at) => done(run('UPDATE admin_tokens SET last_used_at = ? WHERE id = ?', at, id)),

    app: async (id) => map(await one('SELECT * FROM admin_apps WHERE id = ?', id), app),
    apps: async () => (await all('SELECT * FROM admin_apps ORDER BY id')).map(app),
    insertApp: (a) => done(run('INSERT INTO admin_apps (id, name, four_eyes, created_at) VALUES (?, ?, ?, ?)', a.id, a.name, a.fourEyes ? 1 : 0, a.createdAt)),
    updateApp: (id, patch) => update('admin_apps', 'id = ?', [id], patch),

    keys: async (a) =>
      (a === undefined ? await all('SELECT * FROM admin_keys ORDER BY app, created_at') : await all('SELECT * FROM admin_keys WHERE app = ? ORDER BY created_at', a)).map(key),
    insertKey: (k) => done(run('INSERT INTO admin_keys (key, app, created_at, created_by) VALUES (?, ?, ?, ?)', k.key, k.app, k.createdAt, k.createdBy)),
    deleteKey: async (k) => (await run('DELETE FROM admin_keys WHERE key = ?', k)) > 0,

    drafts: async (a, kind) =>
      (kind === undefined ? await all('SELECT * FROM admin_drafts WHERE app = ? ORDER BY kind, id', a) : await all('SELECT * FROM admin_drafts WHERE app = ? AND kind = ? ORDER BY id', a, kind)).map(draft),
    draft: async (a, kind, id) => map(await one('SELECT * FROM admin_drafts WHERE app = ? AND kind = ? AND id = ?', a, kind, id), draft),
    putDraft: (d) =>
      done(
        run(
          `INSERT INTO admin_drafts (app, kind, id, body, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (app, kind, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          d.app, d.kind, d.id, d.body, d.updatedAt, d.updatedBy,
        ),
      ),
    deleteDraft: (a, kind, id) => done(run('DELETE FROM admin_drafts WHERE app = ? AND kind = ? AND id = ?', a, kind, id)),

    release: async (a, version) => version > MAX_VERSION ? undefined : map(await one('SELECT * FROM admin_releases WHERE app = ? AND version = ?', a, version), release),
    releases: async (a, page = {}) =>
      (await all('SELECT * FROM admin_releases WHERE app = ? AND version < ? ORDER BY version DESC LIMIT ?', a, Math.min(page.before ?? MAX_VERSION, MAX_VERSION), page.limit ?? 100)).map(release),
    releasesIn: async (status) => (await all('SELECT * FROM admin_releases WHERE status = ? ORDER BY go_live_at, app, version', status)).map(release),
    nextVersion: async (a) => (((await one('SELECT max(version) AS v FROM admin_releases WHERE app = ?', a))?.v as number | null) ?? 0) + 1,
    insertRelease: (r) =>
      done(
        run(
          `INSERT INTO admin_releases (app, version, status, base, rules, note, created_by, created_at, approved_by, approved_at, go_live_at, live_at, rollback_of, reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          r.app, r.version, r.status, r.base, JSON.stringify(r.rules), r.note, r.createdBy, r.createdAt, r.approvedBy, r.approvedAt, r.goLiveAt, r.liveAt, r.rollbackOf, r.reason,
        ),
      ),
    updateRelease: (a, version, patch) => update('admin_releases', 'app = ? AND version = ?', [a, version], patch),

    appendAudit: (e) =>
      sql.insertId('INSERT INTO admin_audit (at, actor, app, action, target, ip, user_agent, diff) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', e.at, e.actor, e.app, e.action, e.target, e.ip, e.userAgent, e.diff),
    audit: async ({ app: a, before, limit }) =>
      (a === undefined
        ? await all('SELECT * FROM admin_audit WHERE id < ? ORDER BY id DESC LIMIT ?', before ?? Number.MAX_SAFE_INTEGER, limit)
        : await all('SELECT * FROM admin_audit WHERE app = ? AND id < ? ORDER BY id DESC LIMIT ?', a, before ?? Number.MAX_SAFE_INTEGER, limit)
      ).map(audit),
  };
}

/** above every version (an INTEGER column on both stores: PostgreSQL's is 32-bit) */
const MAX_VERSION = 2_147_483_647;
const map = <T>(row: Raw | undefined, f: (r: Raw) => T): T | undefined => (row === undefined ? undefined : f(row));
const fail = (k: string): never => {
  throw new Error(`admin store: no column for "${k}"`);
};

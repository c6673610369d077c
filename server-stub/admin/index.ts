/**
 * admin/: the operator API under `/admin/v1/` — accounts, roles, sessions, tokens, apps and keys,
 * drafts, preview, releases with four-eyes, the audit log; its CLI (`npm run admin`).
 *
 * A separate API from the public `/v1/`: no admin route accepts an app key, no public route a
 * session. Routes by capability: accounts.ts (session, users, tokens), apps.ts (apps, keys),
 * drafts.ts (rules, preview), releases.ts, audit.ts; all SQL in store.ts.
 *
 * Order of checks on every route: who (401) → may they (403) → the app exists (404) → body (400)
 * → state (409) → change + audit entry in one transaction.
 */
import { Hono } from 'hono';
import type { SqlTarget } from '../store/sql';
import { StoreUnavailableError } from '../store/store';
import type { AppKey } from '../http/keys';
import type { BodyDeadlines } from '../http/body';
import { HttpError, internalError } from '../wire/errors';
import { mountAccounts, createUser } from './accounts';
import { mountApps, syncApps } from './apps';
import { mountAudit } from './audit';
import { createLoginLimiter, DEFAULT_LOGIN_LIMITS, DEFAULT_SESSION_POLICY, type LoginLimits, type SessionPolicy } from './auth';
import type { AdminContext, Publisher } from './context';
import { mountDrafts } from './drafts';
import { randomSecret, verifyPassword } from './passwords';
import { mountReleases } from './releases';
import { contractChecks, type RuleChecks } from './rules';
import { createAdminStore, type AdminStore } from './store';
import type { Role } from '../../sdk/contract-admin';
import { createAnalyticsRoutes } from '../analytics/routes';
import type { AnalyticsStore } from '../analytics/store';
import { audit, onApp, origin, rawBody } from './context';
import type { RouteHooks } from '../customers/routes';
import { mountCalendar } from '../calendar/routes';
import { mountTemplates } from '../templates/routes';
import { createTemplateStore } from '../templates/store';
import type { CatalogItem } from '../../sdk/contract-admin';

export type { LiveRelease, Publisher } from './context';
export type { RuleChecks } from './rules';

export interface AdminOptions {
  /** what makes a release live on the engine and devices. @default one that does nothing
   * @example { publisher: { activate: (app, release) => registry.activate(app, release) } } */
  publisher?: Publisher;
  /** the rule checks. @default sdk/contract-admin.ts's schemas and checkRuleSet */
  checks?: RuleChecks;
  /** session expiry. @default { idleMs: 30 min, absoluteMs: 12 h } @example { session: { idleMs: 600_000 } } */
  session?: Partial<SessionPolicy>;
  /** failed log-ins allowed. @default { perUser: 5, perIp: 20, windowMs: 15 min } @example { loginLimits: { perUser: 3 } } */
  loginLimits?: Partial<LoginLimits>;
  /** test seam: called at named points inside the publish transaction; throwing aborts it.
   * @example { fault: (point) => { if (point === 'publish:release-written') throw new Error('disk full') } } */
  fault?: (point: string) => void;
}

export interface AdminDeps {
  /** where the admin tables live: the control SQLite connection, or the PostgreSQL every instance shares */
  target: SqlTarget;
  /** the server's live key index: keys made here are added to it */
  keys: Map<string, AppKey>;
  now: () => number;
  log: (message: string) => void;
  body: BodyDeadlines;
  /** the catalog the engine serves (templates may pin its items). @default none: only items in an app's rules */
  catalog?: () => readonly CatalogItem[];
  /** the scenario analyses (analytics/), served under `/admin/v1/apps/:app/{analytics,audiences}`: viewers read, editors save audiences */
  analytics?: AnalyticsStore;
  /** tells the other instances (through the store) that `what` changed; see `Admin.changed` */
  changed?: (what: 'keys' | 'releases') => void;
  /** customer data's routes (customers/routes.ts), made with this API's checks and audit log */
  customers?: (hooks: RouteHooks) => Hono;
}

export interface Admin {
  /** the `/admin/…` requests; mounted by server.ts in front of the public API */
  fetch: Hono['fetch'];
  store: AdminStore;
  /** creates an account (the first admin of `npm start`, tests) */
  createUser(input: { username: string; role: Role; apps?: string[]; password: string }): Promise<void>;
  /**
   * On a data directory without operator accounts, makes the account `admin` (admin on every app)
   * with `password`, or a generated one; answers what it made, to print once. `npm start` calls it.
   */
  bootstrap(password?: string): Promise<{ username: string; password: string; generated: boolean } | undefined>;
  /** scheduled releases whose time has come go live now (the timer does this on its own) */
  runDue(): Promise<number>;
  /** another instance changed `what`: the key index or the schedule is read again */
  changed(what: 'keys' | 'releases'): Promise<void>;
  close(): void;
}

export async function createAdmin(options: AdminOptions, deps: AdminDeps): Promise<Admin> {
  const store = await createAdminStore(deps.target);
  const ctx: AdminContext = {
    store,
    now: deps.now,
    checks: options.checks ?? contractChecks(),
    publisher: options.publisher ?? { activate: () => {} },
    session: { ...DEFAULT_SESSION_POLICY, ...options.session },
    limiter: createLoginLimiter({ ...DEFAULT_LOGIN_LIMITS, ...options.loginLimits }),
    body: deps.body,
    log: deps.log,
    fault: options.fault,
    changed: deps.changed,
  };
  const syncKeys = await syncApps(ctx, deps.keys);
  // the decoy hash an unknown username is checked against, made now rather than on the first
  // failed log-in (which would then take twice as long and tell that the user does not exist)
  await verifyPassword(randomSecret(), undefined);

  const api = new Hono();
  api.use(async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('cache-control', 'no-store');
    h.set('x-content-type-options', 'nosniff');
    h.set('referrer-policy', 'no-referrer');
    if (!h.has('content-security-policy')) h.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  });
  mountAccounts(api, ctx);
  mountApps(api, ctx, deps.keys, syncKeys);
  mountDrafts(api, ctx);
  const releases = mountReleases(api, ctx);
  mountAudit(api, ctx);
  mountCalendar(api, ctx);
  mountTemplates(api, ctx, { store: await createTemplateStore(deps.target, store.sql), catalog: deps.catalog ?? (() => []) });
  if (deps.analytics) {
    const guard = (role: Role) => async (c: Parameters<typeof onApp>[1], next: () => Promise<void>) => {
      await onApp(ctx, c, role);
      await next();
    };
    api.route('/', createAnalyticsRoutes({ store: deps.analytics, authorize: guard('viewer'), authorizeWrite: guard('editor'), now: deps.now, log: deps.log }));
  } else {
    // the analyses read the events of an embedded store only (for now): the same routes, the same
    // checks (401, 403, 404), then a 501 that says so rather than a 404 that hides the route
    const none = (role: Role) => async (c: Parameters<typeof onApp>[1]) => {
      await onApp(ctx, c, role);
      throw new HttpError(501, 'not_implemented', 'the analyses run on the embedded (SQLite) store; this server stores events in PostgreSQL');
    };
    api.get('/apps/:app/analytics/:name', none('viewer'));
    api.post('/apps/:app/analytics/:name/audience', none('editor'));
    api.get('/apps/:app/audiences', none('viewer'));
    api.get('/apps/:app/audiences/:id', none('viewer'));
  }
  if (deps.customers) {
    api.route('/', deps.customers({
      authorize: async (c, role) => (await onApp(ctx, c, role)).p.user.username,
      audit: (c, actor, entry) => ctx.store.atomic(() => audit(ctx, origin(c), actor, entry)),
      json: (c) => rawBody(ctx, c),
    }));
  }
  await releases.start();

  const root = new Hono();
  root.route('/admin/v1', api);
  // a path that exists under another method is a 405 naming the methods it takes, as on /v1/
  const patterns = new Map<string, { re: RegExp; methods: Set<string> }>();
  for (const r of api.routes) {
    if (r.method === 'ALL') continue;
    const path = `/admin/v1${r.path}`;
    const entry = patterns.get(path) ?? { re: new RegExp(`^${path.replace(/:[^/]+/g, '[^/]+')}$`), methods: new Set<string>() };
    entry.methods.add(r.method);
    patterns.set(path, entry);
  }
  root.notFound((c) => {
    const allow = new Set<string>();
    for (const { re, methods } of patterns.values()) if (re.test(c.req.path)) methods.forEach((m) => allow.add(m));
    if (allow.size) {
      const list = [...allow].sort().join(', ');
      c.header('allow', list);
      return c.json({ error: { code: 'method_not_allowed', message: `${c.req.method} is not allowed on ${c.req.path}; use ${list}`, path: '' } }, 405);
    }
    return c.json({ error: { code: 'not_found', message: `nothing at ${c.req.method} ${c.req.path}`, path: '' } }, 404);
  });
  root.onError((error, c) => {
    if (error instanceof HttpError) {
      for (const [k, v] of Object.entries(error.headers)) c.header(k, v);
      c.header('cache-control', 'no-store');
      return c.json(error.body(), error.status as 400);
    }
    if (error instanceof StoreUnavailableError) {
      deps.log(`503: ${error.message}`);
      c.header('retry-after', String(error.retryAfterS));
      c.header('cache-control', 'no-store');
      return c.json({ error: { code: 'store_unavailable', message: `the store is unavailable; retry in ${error.retryAfterS} s`, path: '' } }, 503);
    }
    deps.log(`500 on ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return c.json(internalError(), 500);
  });

  return {
    fetch: root.fetch,
    store,
    createUser: async (input) => void (await createUser(ctx, input, { actor: 'system', ip: '', userAgent: 'slotwise' })),
    async bootstrap(password) {
      if ((await store.users()).length > 0) return undefined;
      const chosen = password ?? randomSecret(18);
      try {
        await createUser(ctx, { username: 'admin', role: 'admin', apps: ['*'], password: chosen }, { actor: 'system', ip: '', userAgent: 'npm start' });
      } catch (error) {
        // another instance on the same database made it first (they started together)
        if (error instanceof HttpError && error.code === 'exists') return undefined;
        throw error;
      }
      return { username: 'admin', password: chosen, generated: password === undefined };
    },
    runDue: releases.runDue,
    async changed(what) {
      if (what === 'keys') await syncKeys();
      else releases.rearm();
    },
    close: releases.close,
  };
}

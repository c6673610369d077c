/**
 * `createServer(options)`: the reference backend as a value — store, engine, routes and a Node
 * HTTP listener — with a graceful `close()`. The CLI (main.ts) and the tests both start it here.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './http/app';
import { createOriginPolicy, DEFAULT_ORIGINS } from './http/cors';
import { openDb, type Db } from './store/db';
import { createFollower, type Follower } from './store/follow';
import { ADMIN_CHANNEL, openPostgresStore, type PostgresStore } from './store/postgres';
import { openSqliteStore } from './store/sqlite';
import type { Store } from './store/store';
import { startEngineThread, type EngineHost } from './engine/thread';
import { validTimeZone } from './engine/caps';
import { answerClientError } from './wire/errors';
import { createIngest } from './ingest/events';
import { keyIndex, loadKeys, type AppKey, type RateLimit } from './http/keys';
import { createLimiter, DEFAULT_RATE_LIMIT } from './http/ratelimit';
import { createStatic, defaultStaticDirs, type StaticDirs } from './http/static';
import { createRulesRegistry, type RulesRegistry } from './rules/registry';
import { SEED_APP, seedRuleSet } from './rules/seed';
import { createRulesStore, RELEASES_CHANNEL } from './rules/store';
import type { SqlTarget } from './store/sql';
import type { CatalogItem } from '../sdk/contract-admin';
import { createReleaseStreams, type ReleaseStreams } from './rules/stream';
import { createAdmin, type Admin, type AdminOptions } from './admin/index';
import { registryPublisher } from './admin/publisher';
import { fillDemoHistory } from './analytics/demo-history';
import { createAnalyticsStore } from './analytics/store';
import { createCustomers, type Customers, type CustomersOptions } from './customers/index';
import { createCustomerRoutes } from './customers/routes';
import { seedDemoCustomers } from './customers/demo-seed';
import { openSqliteCustomerStore } from './customers/store-sqlite';
import { openPgCustomerStore } from './customers/store-pg';
import type { CustomerStore } from './customers/store';

export interface ServerOptions {
  /** TCP port; 0 picks a free one. @default 8787 @example { port: 0 } */
  port?: number;
  /** address to bind; loopback unless you mean to expose it. @default '127.0.0.1' @example { host: '0.0.0.0' } */
  host?: string;
  /** holds slotwise.db, keys.json and models/. @default '.slotwise-data' @example { dataDir: '/tmp/sw' } */
  dataDir?: string;
  /**
   * Where the events log lives: `'sqlite'` (`<dataDir>/slotwise.db`) or a PostgreSQL URL shared by
   * any number of instances (each keeps its engine's projection under `<dataDir>/engine-pg-<id>/`).
   * @default 'sqlite' @example { store: 'postgres://slotwise:secret@db.internal:5432/slotwise' }
   */
  store?: string;
  /** PostgreSQL only: connections in this instance's pool, and how long a query may take (ms).
   * @default { poolSize: 10, timeoutMs: 10_000 } @example { postgres: { poolSize: 20, timeoutMs: 3000 } } */
  postgres?: { poolSize?: number; timeoutMs?: number };
  /** an operator's catalog (JSON array of items) instead of the generated one. @example { catalogFile: 'catalog.json' } */
  catalogFile?: string;
  /** size of the generated catalog. @default 300 @example { catalogSize: 10_000 } */
  catalogSize?: number;
  /** the apps' IANA time zone: where the days of campaign caps (`caps.perDay`) begin.
   * @default 'Asia/Shanghai' @example { timeZone: 'Europe/Berlin' } */
  timeZone?: string;
  /** origins browsers may call from (`:*` = any port); replaces the default loopback ones.
   * @default ['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*'] @example { origins: ['https://bank.example'] } */
  origins?: string[];
  /** app keys; default: `<dataDir>/keys.json`, else one `demo` key. @example { keys: [{ key: 'k1', app: 'bank' }] } */
  keys?: AppKey[];
  /** per-key token bucket for keys without their own; `false` switches it off (benchmarks).
   * @default { perSecond: 2000, burst: 5000 } @example { rateLimit: { perSecond: 5, burst: 10 } } */
  rateLimit?: RateLimit | false;
  /** where the demo and the build are served from. @default the repository's demo/ and dist/ */
  staticDirs?: Partial<StaticDirs>;
  /** the clock (epoch ms) for received_at, rate limits and the engine. @default Date.now */
  now?: () => number;
  /** where problems go (500s with their stack, engine notes). @default console.error */
  log?: (message: string) => void;
  /** fill a fresh store's `demo` app with the seeded demo history (analytics/demo-history.ts); the CLI
   * does unless `--no-demo-data`. @default false @example { demoData: true } */
  demoData?: boolean;
  /** how long clients may take; a slower one gets 408 and its connection closed.
   * @default { headersMs: 10_000, requestMs: 30_000, bodyIdleMs: 10_000, keepAliveMs: 5_000 } @example { timeouts: { requestMs: 60_000 } } */
  timeouts?: Partial<Timeouts>;
  /** the operator API under /admin/v1/ (admin/index.ts): its publisher, checks, session and log-in limits.
   * @example { admin: { session: { idleMs: 10 * 60_000 } } } */
  admin?: AdminOptions;
  /**
   * customer data (customers/): the import policy, when an abandoned import counts as dead, how
   * long identity settings are cached, the largest file the admin API takes.
   * @default { policy: { rejectThreshold: 0.01, keep: 3 }, staleMs: 15_000, identityCacheMs: 2000, maxImportBytes: 2 GiB }
   * @example { customers: { policy: { keep: 5 } } }
   */
  customers?: Pick<CustomersOptions, 'policy' | 'staleMs' | 'identityCacheMs'> & { maxImportBytes?: number };
}

export interface Timeouts {
  /** from connection (or the previous request) to the end of the request headers */
  headersMs: number;
  /** from the start of a request to the end of its body */
  requestMs: number;
  /** longest silence inside a request body */
  bodyIdleMs: number;
  /** how long an idle keep-alive connection stays open */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { headersMs: 10_000, requestMs: 30_000, bodyIdleMs: 10_000, keepAliveMs: 5_000 };

/** Request line plus headers, in bytes (Node's default, stated): past it, 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

export interface ServerHandle {
  /** e.g. `http://127.0.0.1:8787` */
  url: string;
  port: number;
  host: string;
  dataDir: string;
  /** the events log (SQLite or PostgreSQL) */
  store: Store;
  /** this instance's SQLite file: the store's with SQLite, the engine's projection with PostgreSQL */
  db: Db;
  /** the directory of that file */
  engineDir: string;
  /** the engine, on its own thread */
  engine: EngineHost;
  /** each app's live rule release: publish, activate, roll back, subscribe (rules/registry.ts) */
  rules: RulesRegistry;
  /** the open config streams (GET /v1/config/stream), by app key */
  streams: ReleaseStreams;
  /** the operator API (its store, account creation, the release scheduler) */
  admin: Admin;
  /** customer data: imports, identity, the merged view (customers/) */
  customers: Customers;
  /** stops accepting, lets requests in flight finish (briefly), closes the engine and SQLite */
  close(): Promise<void>;
}

/** How long `close()` waits for requests in flight before cutting their connections. */
const CLOSE_GRACE_MS = 3000;

export async function createServer(options: ServerOptions = {}): Promise<ServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolve(options.dataDir ?? '.slotwise-data');
  const now = options.now ?? Date.now;
  const log = options.log ?? ((m: string) => console.error(m));
  const keys = options.keys ?? loadKeys(dataDir);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const selfOrigins: string[] = [];

  if (options.timeZone !== undefined && !validTimeZone(options.timeZone)) throw new Error(`timeZone: "${options.timeZone}" is not an IANA time zone`);
  const postgres = options.store !== undefined && options.store !== 'sqlite' ? options.store : undefined;
  if (postgres !== undefined && !/^postgres(ql)?:\/\//.test(postgres)) throw new Error(`--store wants "sqlite" or a postgres:// URL, got "${postgres}"`);
  const store: Store = postgres
    ? await openPostgresStore({ url: postgres, ...options.postgres, log })
    : openSqliteStore(dataDir);
  // with PostgreSQL the engine's projection is this instance's own file, one per database
  const engineDir = store.kind === 'postgres' ? join(dataDir, `engine-pg-${(store as PostgresStore).identity}`) : dataDir;
  let db: Db | undefined;
  let engine: EngineHost | undefined;
  let follower: Follower | undefined;
  let admin: Admin | undefined;
  let controlDb: Db | undefined;
  const unlisten: (() => void)[] = [];
  let customerStore: CustomerStore | undefined;
  let customers: Customers | undefined;
  try {
    customerStore = store.kind === 'sqlite' ? openSqliteCustomerStore(dataDir) : await openPgCustomerStore((store as PostgresStore).pool);
    customers = await createCustomers({ store: customerStore, now, log, ...options.customers });
    if (options.demoData) {
      try {
        if (await seedDemoCustomers(customers, SEED_APP, now())) log('demo: the demo personas\' batch profiles are live (customers/demo-seed.ts)');
      } catch (error) {
        log(`demo customers not seeded: ${(error as Error).stack ?? error}`);
      }
    }
    db = store.kind === 'sqlite' ? (store as ReturnType<typeof openSqliteStore>).db : openDb(engineDir);
    // before the engine starts: its cursor then begins after the history (analytics/demo-history.ts);
    // a demo without its history is still a demo, so a failure is logged, not fatal. The history is
    // written to the events of an embedded (SQLite) store only.
    if (options.demoData && store.kind === 'sqlite') {
      try {
        const t0 = Date.now();
        const n = fillDemoHistory({ db, now: now() });
        if (n) log(`demo: filled the demo app with a simulated 90-day history (${n} events, ${((Date.now() - t0) / 1000).toFixed(1)} s; --no-demo-data skips it)`);
      } catch (error) {
        log(`demo history not filled: ${(error as Error).stack ?? error}`);
      }
    }
    // The operators' writes (rules, admin, analytics) go through their own connection, which waits
    // for the write lock (busy_timeout 5 s): the ingest connection of an embedded store never
    // waits (store/sqlite.ts), and the engine's writer thread holds the lock for its own
    // transactions and checkpoints — on that connection a publish failed with SQLITE_BUSY.
    controlDb = store.kind === 'sqlite' ? openDb(dataDir) : undefined;
    const control = controlDb ?? db;
    // the operators' data (admin, rules) is the shared database's with PostgreSQL: every instance
    // sees the same accounts, drafts and releases
    const shared: SqlTarget = store.kind === 'postgres' ? { kind: 'postgres', pool: (store as PostgresStore).pool } : { kind: 'sqlite', db: control };
    // the demo app's seed is stored before the engine starts, so the engine starts under it
    const rules = await createRulesRegistry({
      store: await createRulesStore(shared),
      now,
      log,
      seed: { app: SEED_APP, rules: () => seedRuleSet({ catalogFile: options.catalogFile, catalogSize: options.catalogSize, now: now() }) },
    });
    let started = false;
    let firstCursor = 0;
    if (postgres) follower = createFollower({ store, deliver: (m) => engine!.ingest(m), log });
    engine = await startEngineThread({
      dataDir: engineDir,
      modelDir: join(dataDir, 'models'),
      catalogFile: options.catalogFile,
      catalogSize: options.catalogSize,
      timeZone: options.timeZone,
      releases: rules.lives(),
      now,
      log,
      // a new engine thread (first start or after a crash) is followed from its own cursor
      onReady: (cursor) => (started ? follower?.reset(cursor) : (firstCursor = cursor)),
    });
    started = true;
    follower?.reset(firstCursor);
    rules.attach(engine);
    const streams = createReleaseStreams({ version: rules.version, subscribe: rules.subscribe });
    const keyMap = keyIndex(keys);
    const body = { idleMs: timeouts.bodyIdleMs, totalMs: timeouts.requestMs };
    // the analyses read the events of an embedded store, on their own connection (analytics/store.ts)
    const analytics = store.kind === 'sqlite' ? createAnalyticsStore({ db: control }) : undefined;
    // the analyses catch up with the stored events now, in slices that yield, not on the first request
    analytics?.catchUp().catch((e: unknown) => control.open && log(`analytics: catching up failed: ${(e as Error).stack ?? e}`));
    // releases made live on another instance reach this one's engine and config streams: the store
    // notifies (PostgreSQL), the registry re-reads that app; after a lost connection, every app
    const pgStore = store.kind === 'postgres' ? (store as PostgresStore) : undefined;
    const registry = rules;
    const refresh = (app?: string) => void registry.refresh(app).catch((error: Error) => log(`rules: reading the live release${app ? ` of ${app}` : 's'} failed: ${error.message}`));
    if (pgStore) {
      unlisten.push(pgStore.subscribe(RELEASES_CHANNEL, (app) => refresh(app)));
      // what another instance made live after this registry read the store and before the LISTEN
      refresh();
    }
    const own = customers;
    const customerRoutes = (hooks: Parameters<typeof createCustomerRoutes>[1]) =>
      createCustomerRoutes(own, hooks, { spoolDir: join(dataDir, 'imports'), maxBytes: options.customers?.maxImportBytes ?? 2 ** 31 });
    // the items templates may pin: the catalog the engine serves, made once when a template first asks
    let catalog: CatalogItem[] | undefined;
    const catalogItems = () => (catalog ??= seedRuleSet({ catalogFile: options.catalogFile, catalogSize: options.catalogSize, now: now() }).items);
    admin = await createAdmin(
      { publisher: registryPublisher(rules, engine), ...options.admin },
      { target: shared, keys: keyMap, now, log, body, analytics, catalog: catalogItems, customers: customerRoutes, changed: pgStore ? (what) => pgStore.notify(ADMIN_CHANNEL, what) : undefined },
    );
    const operators = admin;
    unlisten.push(
      pgStore?.subscribe(ADMIN_CHANNEL, (what) => {
        // undefined: the connection was lost meanwhile; read both again
        const kinds: ('keys' | 'releases')[] = what === undefined ? ['keys', 'releases'] : what === 'keys' || what === 'releases' ? [what] : [];
        for (const w of kinds) {
          operators.changed(w).catch((error: Error) => log(`admin: re-reading ${w} failed: ${error.message}`));
        }
      }) ?? (() => {}),
    );
    // a key made elsewhere between the admin's first read and the LISTEN
    if (pgStore) operators.changed('keys').catch((error: Error) => log(`admin: re-reading keys failed: ${error.message}`));
    const live = engine;
    const app = createApp({
      store,
      engine,
      ingest: createIngest({ store, handOver: follower ? (m) => (follower!.local(m) ? undefined : follower!.reach(m.lastRow)) : (m) => live.ingest(m), now, log }),
      keys: keyMap,
      limiter: createLimiter(now),
      rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
      origins: createOriginPolicy({ origins: options.origins ?? DEFAULT_ORIGINS, keys, self: () => selfOrigins }),
      files: createStatic({ ...defaultStaticDirs(), ...options.staticDirs }),
      streams,
      customers: own,
      version: __SDK_VERSION__,
      body,
      log,
    });
    const operator = admin;
    // /admin/ is its own API (sessions, tokens); everything else is the public one (app keys)
    const fetch = (request: Request, env: unknown) =>
      new URL(request.url).pathname.startsWith('/admin/') ? operator.fetch(request, env) : app.fetch(request, env);
    // bounded everywhere: slow or stuck clients cannot hold a connection forever, and a request's
    // size is bounded before any route sees it (headers here, bodies in body.ts)
    const server = createAdaptorServer({
      fetch,
      serverOptions: {
        maxHeaderSize: MAX_HEADER_BYTES,
        headersTimeout: timeouts.headersMs,
        requestTimeout: timeouts.requestMs,
        keepAliveTimeout: timeouts.keepAliveMs,
        // how often Node enforces the two timeouts above (its default, 30 s, would double them)
        connectionsCheckingInterval: Math.min(1000, timeouts.headersMs),
      },
    }) as Server;
    // headers past the 100th are dropped by Node (their bytes still count against MAX_HEADER_BYTES)
    server.maxHeadersCount = 100;
    server.maxConnections = 1024;
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket, { headerBytes: MAX_HEADER_BYTES }));
    await listen(server, options.port ?? 8787, host);

    const port = (server.address() as AddressInfo).port;
    const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    selfOrigins.push(`http://${shown}:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`);
    const open = engine;
    const ownDb = db;
    const ownCustomers = customerStore;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${shown}:${port}`,
      port,
      host,
      dataDir,
      store,
      db: ownDb,
      engineDir,
      engine: open,
      rules,
      streams,
      admin: operator,
      customers: own,
      close: () => (closing ??= shutdown(server, streams.close, async () => {
        unlisten.forEach((stop) => stop());
        operator.close();
        own.close();
        await ownCustomers.close();
        await follower?.close();
        await open.close();
        controlDb?.close();
        if (store.kind !== 'sqlite') ownDb.close();
        await store.close();
      })),
    };
  } catch (error) {
    unlisten.forEach((stop) => stop());
    admin?.close();
    customers?.close();
    await customerStore?.close();
    await follower?.close();
    await engine?.close();
    controlDb?.close();
    if (db !== undefined && store.kind !== 'sqlite') db.close();
    await store.close();
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? Object.assign(new Error(`port ${port} on ${host} is in use; pick another with --port`), { code: error.code }) : error);
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

function shutdown(server: Server, endStreams: () => void, release: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    // streams never end by themselves: ended first, so their connections close like idle ones
    endStreams();
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(force);
      release().then(resolve, reject);
    });
    server.closeIdleConnections();
  });
}

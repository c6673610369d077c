/**
 * What every admin route shares: the store, the clock, who is calling, bodies parsed against the
 * admin schemas, and the audit entry each change writes in its own transaction.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type * as z from 'zod/mini';
import { firstProblem } from '../../sdk/contract';
import { readJson, type BodyDeadlines } from '../http/body';
import { clampText, HttpError } from '../wire/errors';
import { authenticate, demand, type LoginLimiter, type Principal, type SessionPolicy } from './auth';
import type { RuleChecks } from './rules';
import type { AdminStore, AppRow } from './store';
import type { Role, RuleSet } from '../../sdk/contract-admin';

/** A release as the live side takes it (sdk/contract-admin.ts `Release`). */
export interface LiveRelease {
  version: number;
  publishedAt: number;
  rules: RuleSet;
}

/**
 * What makes a release live on the engine and the devices: the rules registry
 * (rules/registry.ts), wired by server.ts. The admin store keeps the workflow (drafts, pending
 * and scheduled releases, who approved what); the registry keeps what devices are served.
 */
export interface Publisher {
  /** makes `release` (a version above every stored one) live; rejects when it cannot */
  activate(app: string, release: LiveRelease): Promise<unknown> | void;
  /** every app's live release on that side (read at start: the demo app's seed, releases made elsewhere) */
  lives?(): { app: string; release: LiveRelease }[];
  /** the highest version that side stored for `app`: admin versions continue above it */
  latest?(app: string): number | Promise<number>;
  /** a decide answer for `sample` under `rules` (the drafts applied), with the campaigns that fired */
  preview?(app: string, rules: RuleSet, sample: unknown): unknown;
  /** what `rules`' triggers would do over a typed event sequence */
  dryRunTriggers?(app: string, rules: RuleSet, events: unknown): unknown;
}

export interface AdminContext {
  store: AdminStore;
  now: () => number;
  checks: RuleChecks;
  publisher: Publisher;
  session: SessionPolicy;
  limiter: LoginLimiter;
  body: BodyDeadlines;
  log: (message: string) => void;
  /** test seam: throws at a named point inside a transaction to prove it is all or nothing */
  fault?: (point: string) => void;
  /**
   * Called after a committed change other instances must pick up (`keys`: the app keys;
   * `releases`: a release was scheduled), so they re-read it; server.ts sends it through the store.
   */
  changed?: (what: 'keys' | 'releases') => void;
}

/** Admin bodies: a rule set entry or an account, never an upload of events. */
export const ADMIN_BODY_BYTES = 256 * 1024;

export const who = (ctx: AdminContext, c: Context): Promise<Principal> => authenticate(c, ctx.store, ctx.session, ctx.now());

/** The caller, after checking they may act as `role` on `app`, and the app (404 if there is none). */
export async function onApp(ctx: AdminContext, c: Context, role: Role): Promise<{ p: Principal; app: AppRow }> {
  const p = await who(ctx, c);
  const id = c.req.param('app')!;
  demand(p, role, id);
  const app = await ctx.store.app(id);
  if (!app) throw new HttpError(404, 'not_found', `no app ${id}`, { path: 'app' });
  return { p, app };
}

/**
 * The JSON body of `c`; `{}` when there is none (`POST …/rollback` needs no body). A body must say
 * it is JSON: a cross-site HTML form can post text/plain that parses as JSON without a CORS
 * preflight (a log-in CSRF), but cannot send `application/json`.
 */
export async function rawBody(ctx: AdminContext, c: Context): Promise<unknown> {
  const length = c.req.header('content-length');
  // over HTTP/1.1 a body has a length or a transfer-encoding; a fetch-style Request may have neither
  const fromNode = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming !== undefined;
  const framed = length !== undefined || c.req.header('transfer-encoding') !== undefined;
  if (length === '0' || (!framed && (fromNode || c.req.raw.body === null))) return {};
  if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as JSON with content-type: application/json', { path: 'content-type' });
  }
  return readJson(c, ADMIN_BODY_BYTES, ctx.body);
}

/** The body of `c`, parsed by `schema`, or the 400 naming the field. */
export async function body<T>(ctx: AdminContext, c: Context, schema: z.ZodMiniType<T>): Promise<T> {
  const json = await rawBody(ctx, c);
  const r = schema.safeParse(json);
  if (!r.success) {
    const problem = firstProblem(r.error);
    throw new HttpError(400, problem.code, problem.message, { path: problem.path });
  }
  return r.data;
}


export interface Origin {
  ip: string;
  userAgent: string;
}

export function origin(c: Context): Origin {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return { ip: incoming?.socket?.remoteAddress ?? '', userAgent: clampText(c.req.header('user-agent') ?? '', 512) };
}

/** Appends one audit entry; call inside the `atomic()` of the change it records. */
export async function audit(ctx: Pick<AdminContext, 'store' | 'now'>, from: Origin, actor: string, entry: { app: string | null; action: string; target: string; diff?: unknown }): Promise<void> {
  await ctx.store.appendAudit({
    at: ctx.now(),
    actor,
    app: entry.app,
    action: entry.action,
    target: entry.target,
    ip: from.ip,
    userAgent: from.userAgent,
    diff: JSON.stringify(entry.diff ?? null),
  });
}

export const iso = (ms: number | null | undefined): string | undefined => (ms == null ? undefined : new Date(ms).toISOString());

/** `?name=` as a whole number in `min…max`, or the 400. */
export function intParam(c: Context, name: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const text = c.req.query(name);
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new HttpError(400, 'invalid_query', `${name}: expected a whole number from ${min} to ${max}`, { path: name });
  return n;
}

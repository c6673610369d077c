/**
 * The analytics API as a Hono sub-app, mounted by the admin API under `/admin/v1`:
 *
 * | route                                                  | answer                                      |
 * | ------------------------------------------------------ | ------------------------------------------- |
 * | GET  /apps/:app/analytics/:name                        | 200 the analysis (JSON, or CSV with format=csv) |
 * | POST /apps/:app/analytics/:name/audience?…&list=L      | 201 the audience saved from list L, body `{ name }` |
 * | GET  /apps/:app/audiences                              | 200 `{ audiences: [...] }` (no user ids)     |
 * | GET  /apps/:app/audiences/:id                          | 200 the audience with its `userIds`          |
 *
 * `authorize` guards every route (viewer and up may read); `authorizeWrite` the POST. Every error is
 * `{ error: { code, message, path } }`; an unknown or bad parameter is a 400 whose path names it.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { ANALYSES, type AnalysisAnswer, type AnalysisName } from '../../sdk/contract-analytics';
import { HttpError, internalError } from '../wire/errors';
import { acquisition } from './acquisition';
import { activation } from './activation';
import { churn } from './churn';
import { toCsv } from './csv';
import { event } from './event';
import { funnel } from './funnel';
import { matching } from './matching';
import { bad, filters, type Filters, type Query } from './params';
import { path } from './path';
import type { AnalyticsStore } from './store';
import { viral } from './viral';

type Run = (store: AnalyticsStore, f: Filters, q: Query, memo: Map<string, unknown>) => { answer: AnalysisAnswer; lists: Record<string, string[]> };

const COMMON = ['from', 'to', 'channel', 'segment', 'audience', 'format'];
/** each analysis: its run and its own parameters */
const REGISTRY: Record<AnalysisName, { run: Run; params: string[] }> = {
  acquisition: { run: acquisition.run, params: ['interval', 'by', 'activation', 'days'] },
  activation: { run: activation.run, params: ['interval', 'dormantDays', 'campaign'] },
  funnel: { run: funnel.run, params: ['steps', 'window', 'by'] },
  path: { run: path.run, params: ['start', 'end', 'steps', 'top'] },
  event: { run: event.run, params: ['events', 'interval', 'by', 'compare'] },
  viral: { run: viral.run, params: [] },
  matching: { run: matching.run, params: ['by'] },
  churn: { run: churn.run as Run, params: ['weeks', 'top', 'minRisk'] },
};

export interface AnalyticsRoutesOptions {
  store: AnalyticsStore;
  /** guards every route; viewer and up may read. @example { authorize: requireRole('viewer') } */
  authorize: MiddlewareHandler;
  /** guards saving an audience. @default authorize @example { authorizeWrite: requireRole('editor') } */
  authorizeWrite?: MiddlewareHandler;
  /** the clock (epoch ms): "today" of the default range, an audience's createdAt. @default Date.now */
  now?: () => number;
  /** where 500s go. @default console.error */
  log?: (message: string) => void;
}

const APP = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * How long a trained churn model serves while new events keep arriving: under live ingest every
 * request feeds something, and retraining on each would make the analysis slow for good. Scores
 * always use the customers' current features; only the fit is up to this old.
 */
export const MODEL_TTL_MS = 10 * 60_000;

/**
 * The sub-app; mount it where the admin API lives.
 * @example admin.route('/admin/v1', createAnalyticsRoutes({ store: createAnalyticsStore({ db }), authorize }))
 */
export function createAnalyticsRoutes(o: AnalyticsRoutesOptions): Hono {
  const { store, authorize, authorizeWrite = authorize, now = Date.now, log = (m: string) => console.error(m) } = o;
  const memo = new Map<string, unknown>();
  let memoAt = now();
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json(error.body(), error.status as 400);
    // the feed waited the connection's busy_timeout for the write lock: ask again shortly
    if (String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) {
      c.header('retry-after', '1');
      return c.json({ error: { code: 'busy', message: 'the store is busy; try again', path: '' } }, 503);
    }
    log(`analytics: ${c.req.method} ${c.req.path}: ${(error as Error).stack ?? error}`);
    return c.json(internalError(), 500);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}`, path: '' } }, 404));

  const analysis = (name: string): (typeof REGISTRY)[AnalysisName] => {
    if (!(ANALYSES as readonly string[]).includes(name)) throw new HttpError(404, 'not_found', `no analysis "${name}" (there are ${ANALYSES.join(', ')})`, { path: 'name' });
    return REGISTRY[name as AnalysisName];
  };
  const appOf = (text: string) => {
    if (!APP.test(text)) throw bad('app', 'an app key of 1–128 letters, digits, _ . -');
    return text;
  };
  const compute = async (appKey: string, name: string, q: Query, extra: string[] = []) => {
    const a = analysis(name);
    for (const k of Object.keys(q)) if (!COMMON.includes(k) && !a.params.includes(k) && !extra.includes(k)) throw bad(k, `not a parameter of ${name} (it takes ${[...COMMON, ...a.params].join(', ')})`);
    if (q.format !== undefined && q.format !== 'json' && q.format !== 'csv') throw bad('format', `json or csv, got "${q.format}"`);
    if (name === 'matching' && q.audience !== undefined) throw bad('audience', 'matching is rolled up by segment; filter it by segment');
    // fed in slices that yield: a backlog delays this answer, never the server's other requests
    if ((await store.catchUp()) && now() - memoAt >= MODEL_TTL_MS) {
      memo.clear();
      memoAt = now();
    }
    return a.run(store, filters(store, appKey, q, now()), q, memo);
  };
  /** each parameter once: a repeated one is ambiguous */
  const queryOf = (url: string): Query => {
    const q: Query = {};
    for (const [k, v] of new URL(url).searchParams) {
      if (k in q) throw bad(k, 'given more than once');
      q[k] = v;
    }
    return q;
  };

  app.get('/apps/:app/analytics/:name', authorize, async (c) => {
    const q = queryOf(c.req.url);
    const { answer } = await compute(appOf(c.req.param('app')), c.req.param('name'), q);
    c.header('cache-control', 'no-store');
    if (q.format === 'csv') {
      c.header('content-type', 'text/csv; charset=utf-8');
      c.header('content-disposition', `attachment; filename="${answer.analysis}-${answer.from}-${answer.to}.csv"`);
      return c.body(toCsv(answer));
    }
    return c.json(answer);
  });

  app.post('/apps/:app/analytics/:name/audience', authorize, authorizeWrite, async (c) => {
    const appKey = appOf(c.req.param('app'));
    const name = c.req.param('name');
    const q = queryOf(c.req.url);
    const list = q.list;
    delete q.list;
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HttpError(400, 'invalid_json', 'the body is not JSON', { path: '' });
    }
    const title = (body as { name?: unknown } | null)?.name;
    if (typeof title !== 'string' || !title.trim() || title.length > 128) throw new HttpError(400, 'invalid_body', 'name: a name of 1–128 characters', { path: 'name' });
    const { lists } = await compute(appKey, name, q);
    if (list === undefined || !(list in lists)) {
      throw bad('list', `one of ${Object.keys(lists).join(', ') || '(none: this analysis lists no customers)'}${list === undefined ? '' : `, got "${list}"`}`);
    }
    const saved = store.saveAudience({ app: appKey, name: title.trim(), analysis: name, params: { ...q, list }, userIds: lists[list]! }, now());
    const { userIds, ...rest } = saved;
    return c.json({ ...rest, size: userIds.length }, 201);
  });

  app.get('/apps/:app/audiences', authorize, (c) => c.json({ audiences: store.audiences(appOf(c.req.param('app'))) }));

  app.get('/apps/:app/audiences/:id', authorize, (c) => {
    const a = store.audience(appOf(c.req.param('app')), c.req.param('id'));
    if (!a) throw new HttpError(404, 'not_found', `no audience "${c.req.param('id')}"`, { path: 'id' });
    return c.json({ ...a, size: a.userIds.length });
  });

  return app;
}

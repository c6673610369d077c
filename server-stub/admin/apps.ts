/**
 * Apps, their policies and their public app keys:
 *
 * | route                               | who              | answer                                |
 * | ----------------------------------- | ---------------- | ------------------------------------- |
 * | GET    /admin/v1/apps               | signed in        | 200 { items: App[] } (those they see) |
 * | POST   /admin/v1/apps               | admin on *       | 201 App                               |
 * | GET    /admin/v1/apps/:app          | viewer on app    | 200 App                               |
 * | PUT    /admin/v1/apps/:app          | admin on app     | 200 App (name, fourEyes)              |
 * | GET    /admin/v1/apps/:app/keys     | viewer on app    | 200 { items: Key[] }                  |
 * | POST   /admin/v1/apps/:app/keys     | admin on app     | 201 Key                               |
 * | DELETE /admin/v1/apps/:app/keys/:key| admin on app     | 204 (keys from keys.json: 409)        |
 *
 * Keys made here join the server's key index at once (the public `/v1/` API reads it per request);
 * keys from `<dataDir>/keys.json` and the built-in `demo` key stay configuration.
 */
import type { Hono } from 'hono';
import type { AppKey } from '../http/keys';
import { HttpError } from '../wire/errors';
import { allowed, demand } from './auth';
import { audit, body, iso, onApp, origin, who, type AdminContext } from './context';
import { randomSecret } from './passwords';
import type { AppRow, KeyRow } from './store';
import { adminRequests, type AppAnswer, type KeyAnswer } from '../../sdk/contract-admin';

export const appAnswer = (a: AppRow): AppAnswer => ({ id: a.id, name: a.name, fourEyes: a.fourEyes, live: a.live, createdAt: iso(a.createdAt)! });

/**
 * The apps the store knows, made to include every app a configured key names (the `demo` app
 * among them); returns the key sync.
 */
export async function syncApps(ctx: AdminContext, keys: Map<string, AppKey>): Promise<() => Promise<void>> {
  const { store } = ctx;
  await store.atomic(async () => {
    for (const app of new Set([...keys.values()].map((k) => k.app))) {
      if (!(await store.app(app))) await store.insertApp({ id: app, name: app, fourEyes: false, createdAt: ctx.now() });
    }
  });
  const sync = keySync(ctx, keys);
  await sync();
  return sync;
}

/**
 * Makes the live key index hold the store's keys: a stored key joins it, a key it took from the
 * store and the store no longer holds (revoked, on any instance) leaves it. Configured keys
 * (keys.json, `demo`) are never touched. Run at start and whenever another instance may have
 * changed the keys (server.ts: on a notification of the store).
 */
export function keySync(ctx: Pick<AdminContext, 'store' | 'log'>, keys: Map<string, AppKey>): () => Promise<void> {
  const configured = new Set(keys.keys());
  const fromStore = new Set<string>();
  return async () => {
    const rows = await ctx.store.keys();
    const now = new Set<string>();
    for (const k of rows) {
      const c = configured.has(k.key) ? keys.get(k.key) : undefined;
      if (c && c.app !== k.app) ctx.log(`admin: app key ${k.key.slice(0, 8)}… is configured for ${c.app} and stored for ${k.app}; keys.json wins`);
      if (configured.has(k.key)) continue;
      now.add(k.key);
      if (!keys.has(k.key)) keys.set(k.key, { key: k.key, app: k.app });
    }
    for (const k of fromStore) if (!now.has(k)) keys.delete(k);
    fromStore.clear();
    now.forEach((k) => fromStore.add(k));
  };
}

export function mountApps(api: Hono, ctx: AdminContext, keys: Map<string, AppKey>, sync: () => Promise<void>): void {
  const { store } = ctx;
  const stored = async () => new Map((await store.keys()).map((k) => [k.key, k]));
  const keyAnswer = (k: AppKey, row: KeyRow | undefined): KeyAnswer =>
    row ? { key: k.key, app: k.app, source: 'admin', createdAt: iso(row.createdAt), createdBy: row.createdBy } : { key: k.key, app: k.app, source: 'config' };

  api.get('/apps', async (c) => {
    const p = await who(ctx, c);
    return c.json({ items: (await store.apps()).filter((a) => allowed(p.user, 'viewer', a.id)).map(appAnswer) });
  });

  api.post('/apps', async (c) => {
    const p = await who(ctx, c);
    demand(p, 'admin');
    const input = await body(ctx, c, adminRequests().createApp);
    const row = { id: input.id, name: input.name ?? input.id, fourEyes: input.fourEyes ?? false, createdAt: ctx.now() };
    await store.atomic(async () => {
      if (await store.app(row.id)) throw new HttpError(409, 'exists', `app ${row.id} exists`, { path: 'id' });
      await store.insertApp(row);
      await audit(ctx, origin(c), p.user.username, { app: row.id, action: 'app.create', target: row.id, diff: { after: row } });
    });
    return c.json(appAnswer({ ...row, live: null }), 201);
  });

  api.get('/apps/:app', async (c) => c.json(appAnswer((await onApp(ctx, c, 'viewer')).app)));

  api.put('/apps/:app', async (c) => {
    const { p, app } = await onApp(ctx, c, 'admin');
    const input = await body(ctx, c, adminRequests().updateApp);
    const after = await store.atomic(async () => {
      await store.updateApp(app.id, { name: input.name, fourEyes: input.fourEyes });
      const now = (await store.app(app.id))!;
      await audit(ctx, origin(c), p.user.username, { app: app.id, action: 'app.update', target: app.id, diff: { before: appAnswer(app), after: appAnswer(now) } });
      return now;
    });
    return c.json(appAnswer(after));
  });

  api.get('/apps/:app/keys', async (c) => {
    const { app } = await onApp(ctx, c, 'viewer');
    const rows = await stored();
    return c.json({ items: [...keys.values()].filter((k) => k.app === app.id).map((k) => keyAnswer(k, rows.get(k.key))) });
  });

  api.post('/apps/:app/keys', async (c) => {
    const { p, app } = await onApp(ctx, c, 'admin');
    const row: KeyRow = { key: `pk_${randomSecret(18)}`, app: app.id, createdAt: ctx.now(), createdBy: p.user.username };
    await store.atomic(async () => {
      await store.insertKey(row);
      await audit(ctx, origin(c), p.user.username, { app: app.id, action: 'key.create', target: row.key });
    });
    await sync();
    ctx.changed?.('keys');
    return c.json(keyAnswer({ key: row.key, app: app.id }, row), 201);
  });

  api.delete('/apps/:app/keys/:key', async (c) => {
    const { p, app } = await onApp(ctx, c, 'admin');
    const key = c.req.param('key');
    await sync();
    const k = keys.get(key);
    if (!k || k.app !== app.id) throw new HttpError(404, 'not_found', `no key ${key} on app ${app.id}`, { path: 'key' });
    await store.atomic(async () => {
      if (!(await store.deleteKey(key))) throw new HttpError(409, 'config_key', `key ${key} comes from the server's configuration (keys.json); remove it there`, { path: 'key' });
      await audit(ctx, origin(c), p.user.username, { app: app.id, action: 'key.revoke', target: key });
    });
    await sync();
    ctx.changed?.('keys');
    return c.body(null, 204);
  });
}

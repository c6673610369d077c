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
 * among them), and the store's keys added to the live key index.
 */
export function syncApps(ctx: AdminContext, keys: Map<string, AppKey>): void {
  const { store } = ctx;
  store.atomic(() => {
    for (const app of new Set([...keys.values()].map((k) => k.app))) {
      if (!store.app(app)) store.insertApp({ id: app, name: app, fourEyes: false, createdAt: ctx.now() });
    }
  });
  for (const k of store.keys()) {
    const configured = keys.get(k.key);
    if (configured && configured.app !== k.app) ctx.log(`admin: app key ${k.key.slice(0, 8)}… is configured for ${configured.app} and stored for ${k.app}; keys.json wins`);
    else if (!configured) keys.set(k.key, { key: k.key, app: k.app });
  }
}

export function mountApps(api: Hono, ctx: AdminContext, keys: Map<string, AppKey>): void {
  const { store } = ctx;
  const stored = () => new Map(store.keys().map((k) => [k.key, k]));
  const keyAnswer = (k: AppKey, row: KeyRow | undefined): KeyAnswer =>
    row ? { key: k.key, app: k.app, source: 'admin', createdAt: iso(row.createdAt), createdBy: row.createdBy } : { key: k.key, app: k.app, source: 'config' };

  api.get('/apps', (c) => {
    const p = who(ctx, c);
    return c.json({ items: store.apps().filter((a) => allowed(p.user, 'viewer', a.id)).map(appAnswer) });
  });

  api.post('/apps', async (c) => {
    const p = who(ctx, c);
    demand(p, 'admin');
    const input = await body(ctx, c, adminRequests().createApp);
    const row = { id: input.id, name: input.name ?? input.id, fourEyes: input.fourEyes ?? false, createdAt: ctx.now() };
    store.atomic(() => {
      if (store.app(row.id)) throw new HttpError(409, 'exists', `app ${row.id} exists`, { path: 'id' });
      store.insertApp(row);
      audit(ctx, origin(c), p.user.username, { app: row.id, action: 'app.create', target: row.id, diff: { after: row } });
    });
    return c.json(appAnswer({ ...row, live: null }), 201);
  });

  api.get('/apps/:app', (c) => c.json(appAnswer(onApp(ctx, c, 'viewer').app)));

  api.put('/apps/:app', async (c) => {
    const { p, app } = onApp(ctx, c, 'admin');
    const input = await body(ctx, c, adminRequests().updateApp);
    const after = store.atomic(() => {
      store.updateApp(app.id, { name: input.name, fourEyes: input.fourEyes });
      const now = store.app(app.id)!;
      audit(ctx, origin(c), p.user.username, { app: app.id, action: 'app.update', target: app.id, diff: { before: appAnswer(app), after: appAnswer(now) } });
      return now;
    });
    return c.json(appAnswer(after));
  });

  api.get('/apps/:app/keys', (c) => {
    const { app } = onApp(ctx, c, 'viewer');
    const rows = stored();
    return c.json({ items: [...keys.values()].filter((k) => k.app === app.id).map((k) => keyAnswer(k, rows.get(k.key))) });
  });

  api.post('/apps/:app/keys', (c) => {
    const { p, app } = onApp(ctx, c, 'admin');
    const row: KeyRow = { key: `pk_${randomSecret(18)}`, app: app.id, createdAt: ctx.now(), createdBy: p.user.username };
    store.atomic(() => {
      store.insertKey(row);
      audit(ctx, origin(c), p.user.username, { app: app.id, action: 'key.create', target: row.key });
    });
    const key = { key: row.key, app: app.id };
    keys.set(row.key, key);
    return c.json(keyAnswer(key, row), 201);
  });

  api.delete('/apps/:app/keys/:key', (c) => {
    const { p, app } = onApp(ctx, c, 'admin');
    const key = c.req.param('key');
    const k = keys.get(key);
    if (!k || k.app !== app.id) throw new HttpError(404, 'not_found', `no key ${key} on app ${app.id}`, { path: 'key' });
    store.atomic(() => {
      if (!store.deleteKey(key)) throw new HttpError(409, 'config_key', `key ${key} comes from the server's configuration (keys.json); remove it there`, { path: 'key' });
      audit(ctx, origin(c), p.user.username, { app: app.id, action: 'key.revoke', target: key });
    });
    keys.delete(key);
    return c.body(null, 204);
  });
}

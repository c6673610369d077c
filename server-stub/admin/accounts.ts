/**
 * Log-in, log-out, accounts and personal access tokens:
 *
 * | route                              | who             | answer                                   |
 * | ---------------------------------- | --------------- | ---------------------------------------- |
 * | POST   /admin/v1/session           | anyone          | 200 { csrfToken, username, role, apps, expiresAt } + cookie |
 * | GET    /admin/v1/session           | signed in       | 200 the same (the console after a reload) |
 * | DELETE /admin/v1/session           | signed in       | 204, cookie cleared                      |
 * | GET    /admin/v1/users             | admin on *      | 200 { items: User[] }                    |
 * | POST   /admin/v1/users             | admin on *      | 201 User                                 |
 * | PUT    /admin/v1/users/:username   | admin on *      | 200 User (role, apps, disabled, password) |
 * | GET    /admin/v1/tokens            | signed in       | 200 { items: Token[] } (an admin: all)   |
 * | POST   /admin/v1/tokens            | admin on *      | 201 Token with its secret, shown once    |
 * | DELETE /admin/v1/tokens/:id        | admin, or owner | 204                                      |
 */
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { HttpError } from '../wire/errors';
import { allowed, demand, SESSION_COOKIE, type Principal } from './auth';
import { audit, body, iso, origin, who, type AdminContext } from './context';
import { hashPassword, randomSecret, sha256, verifyPassword, weakPassword } from './passwords';
import type { UserRow } from './store';
import { adminRequests, type Role, type TokenAnswer, type UserAnswer } from '../../sdk/contract-admin';

export const userAnswer = (u: UserRow): UserAnswer => ({ username: u.username, role: u.role, apps: u.apps, disabled: u.disabled, createdAt: iso(u.createdAt)! });

/**
 * Creates an account (the CLI, `npm start`'s first admin and POST /users all come here): checks the
 * password's strength, hashes it, writes the user and its audit entry together.
 */
export async function createUser(
  ctx: Pick<AdminContext, 'store' | 'now'>,
  input: { username: string; role: Role; apps?: string[]; password: string },
  by: { actor: string; ip: string; userAgent: string },
): Promise<UserRow> {
  const weak = weakPassword(input.password, input.username);
  if (weak) throw new HttpError(400, 'weak_password', `password: ${weak}`, { path: 'password' });
  const user: UserRow = {
    username: input.username,
    role: input.role,
    apps: input.apps ?? ['*'],
    password: await hashPassword(input.password),
    disabled: false,
    createdAt: ctx.now(),
  };
  await ctx.store.atomic(async () => {
    if (await ctx.store.user(user.username)) throw new HttpError(409, 'exists', `user ${user.username} exists`, { path: 'username' });
    await ctx.store.insertUser(user);
    await audit(ctx, by, by.actor, { app: null, action: 'user.create', target: user.username, diff: { after: userAnswer(user) } });
  });
  return user;
}

export function mountAccounts(api: Hono, ctx: AdminContext): void {
  const { store } = ctx;
  const sessionAnswer = (p: Principal, createdAt?: number) => ({
    ...userAnswer(p.user),
    via: p.via,
    ...(p.csrf ? { csrfToken: p.csrf } : {}),
    ...(createdAt !== undefined ? { expiresAt: iso(createdAt + ctx.session.absoluteMs) } : {}),
  });

  api.post('/session', async (c) => {
    const { username, password } = await body(ctx, c, adminRequests().login);
    const from = origin(c);
    const now = ctx.now();
    const wait = ctx.limiter.blocked(username, from.ip, now);
    if (wait > 0) {
      throw new HttpError(429, 'rate_limited', `too many failed log-ins; retry in ${wait} s`, { headers: { 'retry-after': String(wait) } });
    }
    const user = await store.user(username);
    // one answer for an unknown user, a wrong password and a disabled account, in the same time
    const ok = (await verifyPassword(password, user?.password)) && user !== undefined && !user.disabled;
    if (!ok) {
      ctx.limiter.failed(username, from.ip, now);
      throw new HttpError(401, 'invalid_credentials', 'wrong username or password');
    }
    ctx.limiter.succeeded(username);
    // session fixation: whatever id came with the request is dropped, the new one is fresh
    const old = getCookie(c, SESSION_COOKIE);
    const id = randomSecret();
    const csrf = randomSecret();
    await store.atomic(async () => {
      if (old) await store.deleteSession(sha256(old));
      await store.purgeSessions(now - ctx.session.absoluteMs, now - ctx.session.idleMs);
      await store.insertSession({ id: sha256(id), username: user.username, csrf, createdAt: now, seenAt: now });
      await audit(ctx, from, user.username, { app: null, action: 'session.login', target: user.username });
    });
    setCookie(c, SESSION_COOKIE, id, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/admin',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: Math.floor(ctx.session.absoluteMs / 1000),
    });
    return c.json(sessionAnswer({ user, via: 'session', csrf }, now));
  });

  api.get('/session', async (c) => {
    const p = await who(ctx, c);
    const created = p.sessionId ? (await store.session(p.sessionId))?.createdAt : undefined;
    return c.json(sessionAnswer(p, created));
  });

  api.delete('/session', async (c) => {
    const p = await who(ctx, c);
    if (p.via !== 'session') throw new HttpError(400, 'not_a_session', 'a bearer token has no session to end; revoke it with DELETE /admin/v1/tokens/:id');
    await store.atomic(async () => {
      await store.deleteSession(p.sessionId!);
      await audit(ctx, origin(c), p.user.username, { app: null, action: 'session.logout', target: p.user.username });
    });
    deleteCookie(c, SESSION_COOKIE, { path: '/admin', secure: new URL(c.req.url).protocol === 'https:' });
    return c.body(null, 204);
  });

  api.get('/users', async (c) => {
    demand(await who(ctx, c), 'admin');
    return c.json({ items: (await store.users()).map(userAnswer) });
  });

  api.post('/users', async (c) => {
    const p = await who(ctx, c);
    demand(p, 'admin');
    const input = await body(ctx, c, adminRequests().createUser);
    const user = await createUser(ctx, input, { actor: p.user.username, ...origin(c) });
    return c.json(userAnswer(user), 201);
  });

  api.put('/users/:username', async (c) => {
    const p = await who(ctx, c);
    demand(p, 'admin');
    const input = await body(ctx, c, adminRequests().updateUser);
    const name = c.req.param('username');
    if (input.password !== undefined) {
      const weak = weakPassword(input.password, name);
      if (weak) throw new HttpError(400, 'weak_password', `password: ${weak}`, { path: 'password' });
    }
    const password = input.password === undefined ? undefined : await hashPassword(input.password);
    const updated = await store.atomic(async () => {
      const before = await store.user(name);
      if (!before) throw new HttpError(404, 'not_found', `no user ${name}`, { path: 'username' });
      const after: UserRow = { ...before, ...defined({ role: input.role, apps: input.apps, disabled: input.disabled }), password: password ?? before.password };
      // the last admin of every app cannot lock everyone out
      const isFullAdmin = (u: UserRow) => !u.disabled && allowed(u, 'admin');
      if (isFullAdmin(before) && !isFullAdmin(after) && (await store.users()).filter(isFullAdmin).length === 1) {
        throw new HttpError(409, 'last_admin', `${name} is the last enabled admin on all apps`, { path: input.disabled ? 'disabled' : 'role' });
      }
      await store.updateUser(name, { role: input.role, apps: input.apps, disabled: input.disabled, password });
      // a new password or a lost right ends the user's sessions
      if (password || input.disabled || input.role || input.apps) await store.deleteSessionsOf(name);
      const changed = { ...defined({ role: input.role, apps: input.apps, disabled: input.disabled }), ...(password ? { password: '(changed)' } : {}) };
      await audit(ctx, origin(c), p.user.username, { app: null, action: 'user.update', target: name, diff: { before: userAnswer(before), changed } });
      return after;
    });
    return c.json(userAnswer(updated));
  });

  const tokenAnswer = (t: { id: string; username: string; name: string; createdAt: number; expiresAt: number | null; lastUsedAt: number | null }): TokenAnswer => ({
    id: t.id,
    username: t.username,
    name: t.name,
    createdAt: iso(t.createdAt)!,
    ...(t.expiresAt !== null ? { expiresAt: iso(t.expiresAt) } : {}),
    ...(t.lastUsedAt !== null ? { lastUsedAt: iso(t.lastUsedAt) } : {}),
  });

  api.get('/tokens', async (c) => {
    const p = await who(ctx, c);
    const rows = allowed(p.user, 'admin') ? await store.tokens() : await store.tokens(p.user.username);
    return c.json({ items: rows.filter((t) => t.revokedAt === null).map(tokenAnswer) });
  });

  api.post('/tokens', async (c) => {
    const p = await who(ctx, c);
    demand(p, 'admin');
    const input = await body(ctx, c, adminRequests().createToken);
    const username = input.username ?? p.user.username;
    if (!await store.user(username)) throw new HttpError(404, 'not_found', `no user ${username}`, { path: 'username' });
    const expiresAt = input.expiresAt === undefined ? null : Date.parse(input.expiresAt);
    if (expiresAt !== null && expiresAt <= ctx.now()) throw new HttpError(400, 'invalid_field', 'expiresAt: must be in the future', { path: 'expiresAt' });
    const secret = `swp_${randomSecret()}`;
    const row = { id: `tok_${randomSecret(9)}`, username, name: input.name, hash: sha256(secret), createdAt: ctx.now(), expiresAt, revokedAt: null, lastUsedAt: null };
    await store.atomic(async () => {
      await store.insertToken(row);
      await audit(ctx, origin(c), p.user.username, { app: null, action: 'token.create', target: row.id, diff: { after: tokenAnswer(row) } });
    });
    return c.json({ ...tokenAnswer(row), token: secret }, 201);
  });

  api.delete('/tokens/:id', async (c) => revoke(c, await who(ctx, c)));
  const revoke = async (c: Context, p: Principal) => {
    const id = c.req.param('id')!;
    const row = (await store.tokens()).find((t) => t.id === id && t.revokedAt === null);
    if (!row || (row.username !== p.user.username && !allowed(p.user, 'admin'))) {
      if (!row) throw new HttpError(404, 'not_found', `no token ${id}`, { path: 'id' });
      demand(p, 'admin');
    }
    await store.atomic(async () => {
      await store.revokeToken(id, ctx.now());
      await audit(ctx, origin(c), p.user.username, { app: null, action: 'token.revoke', target: id });
    });
    return c.body(null, 204);
  };
}

/** `o` without its undefined members */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Test helper: an operator of the admin API over real HTTP — logs in, keeps the session cookie and
 * the CSRF token, and sends them the way the console does.
 *
 * @example
 * const alice = await login(s.url, 'alice', PASSWORD);
 * const r = await alice.post('/apps/demo/campaigns', { id: 'c1' });
 * expect(r.status).toBe(201);
 */
export const PASSWORD = 'correct horse battery staple';

export interface Answer {
  status: number;
  headers: Headers;
  /** parsed JSON, or the text when it is not JSON */
  body: any;
}

export interface Operator {
  username: string;
  /** `sw_admin=<id>` as sent back */
  cookie: string;
  csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  put(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  del(path: string, headers?: Record<string, string>): Promise<Answer>;
}

/** `fetch` of `/admin/v1` + `path`, its answer read whole. */
export async function call(base: string, method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(`${base}/admin/v1${path}`, {
    method,
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body };
}

/** The session cookie's `name=value` in a Set-Cookie header. */
export const sessionCookie = (headers: Headers) => /sw_admin=[^;]*/.exec(headers.get('set-cookie') ?? '')?.[0] ?? '';

export async function login(base: string, username: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<Operator> {
  const r = await call(base, 'POST', '/session', { body: { username, password }, headers });
  if (r.status !== 200) throw new Error(`log-in of ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  return operator(base, username, sessionCookie(r.headers), r.body.csrfToken, headers);
}

/** An operator with a given cookie and CSRF token (forged ones, in tests), sending `always` on every request. */
export function operator(base: string, username: string, cookie: string, csrf: string, always: Record<string, string> = {}): Operator {
  const auth = (extra: Record<string, string> = {}) => ({ ...always, cookie, 'x-csrf-token': csrf, ...extra });
  return {
    username,
    cookie,
    csrf,
    get: (path, headers) => call(base, 'GET', path, { headers: { ...always, cookie, ...headers } }),
    post: (path, body = {}, headers) => call(base, 'POST', path, { body, headers: auth(headers) }),
    put: (path, body, headers) => call(base, 'PUT', path, { body, headers: auth(headers) }),
    del: (path, headers) => call(base, 'DELETE', path, { headers: auth(headers) }),
  };
}

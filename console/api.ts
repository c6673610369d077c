/**
 * The console's one door to `/admin/v1/`: same-origin fetch with the session cookie, the CSRF token
 * on every state-changing request, errors as {@link ApiError} carrying the server's `path`, and a
 * 401 on a signed-in session reported once through `onExpired` (the app then shows the log-in).
 *
 * @example
 * const api = createApi({ onExpired: (why) => showLogin(why) });
 * await api.login('admin', 'secret');
 * const { items } = await api.get<{ items: DraftEntry[] }>('/apps/demo/campaigns');
 */
export interface ApiError {
  status: number;
  code: string;
  message: string;
  /** the field the server blames (`pins.0.itemId`), '' when none */
  path: string;
}

export const isApiError = (e: unknown): e is ApiError =>
  typeof e === 'object' && e !== null && 'status' in e && 'code' in e && 'message' in e;

export interface Session {
  username: string;
  role: 'viewer' | 'editor' | 'publisher' | 'admin';
  apps: string[];
  csrfToken?: string;
  expiresAt?: string;
}

export interface ApiOptions {
  /** where the admin API lives. @default '/admin/v1' @example { base: 'https://ops.bank.example/admin/v1' } */
  base?: string;
  /** called when a signed-in request answers 401: the session expired or was ended elsewhere.
   * @example { onExpired: (code) => setScreen({ login: code }) } */
  onExpired?: (code: string) => void;
  /** @default globalThis.fetch @example { fetch: (u, i) => window.fetch(u, i) } */
  fetch?: typeof fetch;
}

export interface Api {
  session(): Session | undefined;
  /** restores a session from the cookie after a reload; undefined when there is none */
  resume(): Promise<Session | undefined>;
  login(username: string, password: string): Promise<Session>;
  logout(): Promise<void>;
  get<T>(path: string): Promise<T>;
  /** the raw text (CSV exports) */
  text(path: string): Promise<string>;
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

export function createApi(options: ApiOptions = {}): Api {
  const base = options.base ?? '/admin/v1';
  const doFetch = options.fetch ?? ((u: RequestInfo | URL, i?: RequestInit) => fetch(u, i));
  let current: Session | undefined;

  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (method !== 'GET' && current?.csrfToken) h['x-csrf-token'] = current.csrfToken;
    let res: Response;
    try {
      res = await doFetch(base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    } catch (e) {
      throw { status: 0, code: 'network', message: String((e as Error)?.message ?? e), path: '' } satisfies ApiError;
    }
    if (res.ok) return res;
    const error = await readError(res);
    // a signed-in request refused as unauthenticated: the session is gone, not the form wrong
    if (res.status === 401 && current && path !== '/session') {
      current = undefined;
      options.onExpired?.(error.code);
    }
    throw error;
  }

  async function json<T>(res: Response): Promise<T> {
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  return {
    session: () => current,
    async resume() {
      try {
        const res = await doFetch(`${base}/session`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
        current = res.ok ? ((await res.json()) as Session) : undefined;
      } catch {
        current = undefined;
      }
      return current;
    },
    async login(username, password) {
      current = undefined;
      current = await json<Session>(await request('POST', '/session', { username, password }));
      return current;
    },
    async logout() {
      try {
        await request('DELETE', '/session');
      } finally {
        current = undefined;
      }
    },
    get: async <T>(path: string) => json<T>(await request('GET', path)),
    text: async (path) => (await request('GET', path, undefined, { accept: 'text/csv' })).text(),
    send: async <T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>) =>
      json<T>(await request(method, path, body, headers)),
  };
}

async function readError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: Partial<ApiError> };
    const e = body.error ?? {};
    return { status: res.status, code: e.code ?? `http_${res.status}`, message: e.message ?? res.statusText, path: e.path ?? '' };
  } catch {
    return { status: res.status, code: `http_${res.status}`, message: res.statusText || `HTTP ${res.status}`, path: '' };
  }
}

/**
 * Test helper: a loopback HTTP proxy in front of the real server that misbehaves on demand.
 *
 * A mode is a `Fault`: a function that gets the buffered request and a few primitives (forward to
 * the server, reply, answer itself, cut the socket, hang) and decides what the client sees. The
 * built-in modes below are Faults too, so a later mode — e.g. a seeded random one that drops,
 * delays, duplicates, truncates or reorders — is one more function passed to `setMode`, without
 * touching this file.
 *
 * CORS preflights pass through untouched unless `faultPreflight` is set, so a browser sees the
 * injected 500/429 rather than a failed preflight; answers the proxy makes itself echo the Origin
 * like the server would, so a page can read their status and Retry-After.
 *
 * @example
 * const proxy = await startFaultProxy(server.url);
 * proxy.setMode('429', { retryAfter: 2 });
 * proxy.setMode('drop-response'); // the server stores the batch, the client never sees the ack
 * proxy.setMode(async (f) => { await sleep(50); f.reply(await f.forward()); }, { name: 'slow' });
 * expect(proxy.counts['drop-response']).toBe(3);
 * await proxy.close();
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type BuiltinMode = 'pass' | '500' | '429' | 'hang' | 'reset' | 'drop-response';

/** What the server answered, fully read. */
export interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface FaultContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** the whole request body */
  body: Buffer;
  /** the name of the mode handling this request */
  mode: string;
  /** sends the request to the server (again, if called twice) and reads its whole answer */
  forward(): Promise<Upstream>;
  /** passes a server answer to the client */
  reply(upstream: Upstream): void;
  /** answers from the proxy itself, as the server would (JSON, CORS echoed) */
  answer(status: number, body?: unknown, headers?: Record<string, string>): void;
  /** cuts the client's connection (the client sees a reset / network error) */
  destroy(): void;
  /** never answers; the connection stays open until `close()` */
  hang(): void;
}

export type Fault = (ctx: FaultContext) => void | Promise<void>;

export interface ModeOptions {
  /** seconds in the Retry-After of mode '429' (default 1) */
  retryAfter?: number;
  /** the name requests are counted under for a custom Fault (default its function name) */
  name?: string;
}

export interface FaultProxy {
  url: string;
  port: number;
  mode: string;
  setMode(mode: BuiltinMode | Fault, options?: ModeOptions): void;
  /** requests handled per mode name (preflights passed through are counted as 'preflight') */
  counts: Record<string, number>;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  mode?: BuiltinMode;
  retryAfter?: number;
  /** apply the mode to CORS preflights too (default false: they pass through) */
  faultPreflight?: boolean;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host', 'content-length']);

const builtins = (retryAfter: () => number): Record<BuiltinMode, Fault> => ({
  pass: async (f) => f.reply(await f.forward()),
  '500': (f) => f.answer(500, { error: { code: 'injected', message: 'fault proxy: injected 500', path: '' } }),
  '429': (f) =>
    f.answer(429, { error: { code: 'rate_limited', message: 'fault proxy: injected 429', path: '' } }, { 'retry-after': String(retryAfter()) }),
  hang: (f) => f.hang(),
  reset: (f) => f.destroy(),
  'drop-response': async (f) => {
    await f.forward();
    f.destroy();
  },
});

export async function startFaultProxy(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  let retryAfter = options.retryAfter ?? 1;
  const modes = builtins(() => retryAfter);
  let current: { name: string; fault: Fault } = { name: options.mode ?? 'pass', fault: modes[options.mode ?? 'pass'] };
  const counts: Record<string, number> = {};

  const forward = (req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
      headers['content-length'] = String(body.length);
      const out = request(
        { agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
          answer.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const preflight = req.method === 'OPTIONS' && !options.faultPreflight;
    const { name, fault } = preflight ? { name: 'preflight', fault: modes.pass } : current;
    counts[name] = (counts[name] ?? 0) + 1;
    const origin = req.headers.origin;
    const ctx: FaultContext = {
      req,
      res,
      body,
      mode: name,
      forward: () => forward(req, body),
      reply(up) {
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
        res.writeHead(up.status, headers).end(up.body);
      },
      answer(status, payload, headers = {}) {
        const cors: Record<string, string> = origin
          ? { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'Retry-After', vary: 'Origin' }
          : {};
        res.writeHead(status, { 'content-type': 'application/json', ...cors, ...headers });
        res.end(payload === undefined ? undefined : JSON.stringify(payload));
      },
      destroy: () => req.socket.destroy(),
      hang: () => {},
    };
    await fault(ctx);
  };

  const server = createServer((req, res) => {
    req.on('error', () => {});
    res.on('error', () => {});
    handle(req, res).catch(() => {
      // the server itself failed (e.g. stopped mid-test): the client sees a bad gateway, as via a real proxy
      if (!res.headersSent && !res.destroyed) res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"bad_gateway","message":"fault proxy: upstream failed","path":""}}');
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get mode() {
      return current.name;
    },
    counts,
    setMode(mode, opts = {}) {
      if (opts.retryAfter !== undefined) retryAfter = opts.retryAfter;
      current =
        typeof mode === 'function' ? { name: opts.name ?? (mode.name || 'custom'), fault: mode } : { name: mode, fault: modes[mode] };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        agent.destroy();
      }),
  };
}

/**
 * A fault that only watches: every request to `path` is forwarded untouched and its JSON body is
 * pushed onto `into` (as the server got it), so a test can count and read e.g. decide requests.
 * @example proxy.setMode(recording('/v1/decide', decides), { name: 'count' })
 */
export function recording(path: string, into: unknown[]): Fault {
  return async (f) => {
    if (f.req.url === path) into.push(JSON.parse(f.body.toString()));
    f.reply(await f.forward());
  };
}

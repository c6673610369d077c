/**
 * `GET /v1/config/stream`: server-sent events of an app's live release version, so open pages
 * learn of a release within a second. On connect the stream sends the live version; then one event
 * per change, and a comment line every `heartbeatMs` so proxies keep it open and a dead peer is
 * found. Each event is `id: <version>` + `data: <version>`: the device refetches the config itself
 * (with If-None-Match), so the stream carries no rules and no personal data.
 *
 * Connections are bounded per app key (`maxPerKey`): past it, 503 with Retry-After, and the SDK
 * falls back to revalidating on a timer.
 */
import { HttpError } from '../wire/errors';

export interface ReleaseStreamsOptions {
  /** the app's live version now */
  version(app: string): number;
  /** `listener(version)` on every change; returns the unsubscribe */
  subscribe(app: string, listener: (version: number) => void): () => void;
  /** open streams one app key may hold. @default 1000 */
  maxPerKey?: number;
  /** @default 15 000 */
  heartbeatMs?: number;
  /** how long a client waits before reconnecting (the SSE `retry` field). @default 2000 */
  retryMs?: number;
}

export interface ReleaseStreams {
  /** a new event stream for a client of `app` using `key`; HttpError 503 past the key's bound */
  open(key: string, app: string): ReadableStream<Uint8Array>;
  /** open streams of a key */
  count(key: string): number;
  /** ends every stream (the server is closing) */
  close(): void;
}

export function createReleaseStreams(o: ReleaseStreamsOptions): ReleaseStreams {
  const maxPerKey = o.maxPerKey ?? 1000;
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  const counts = new Map<string, number>();
  const open = new Set<() => void>();
  const encoder = new TextEncoder();

  return {
    open(key, app) {
      const n = counts.get(key) ?? 0;
      if (n >= maxPerKey) {
        throw new HttpError(503, 'too_many_streams', `this app key holds ${n} config streams already; revalidate GET /v1/config instead`, {
          headers: { 'retry-after': '30' },
        });
      }
      counts.set(key, n + 1);
      let end = () => {};
      return new ReadableStream<Uint8Array>({
        start(controller) {
          let last = -1;
          const send = (text: string) => {
            try {
              controller.enqueue(encoder.encode(text));
            } catch {
              end();
            }
          };
          const announce = (version: number) => {
            if (version === last) return;
            last = version;
            send(`id: ${version}\ndata: ${version}\n\n`);
          };
          const unsubscribe = o.subscribe(app, announce);
          const beat = setInterval(() => send(': hb\n\n'), heartbeatMs);
          beat.unref?.();
          let ended = false;
          end = () => {
            if (ended) return;
            ended = true;
            clearInterval(beat);
            unsubscribe();
            open.delete(close);
            const left = (counts.get(key) ?? 1) - 1;
            if (left > 0) counts.set(key, left);
            else counts.delete(key);
          };
          const close = () => {
            end();
            try {
              controller.close();
            } catch {
              // already closed by the client
            }
          };
          open.add(close);
          send(`retry: ${o.retryMs ?? 2000}\n\n`);
          announce(o.version(app));
        },
        cancel() {
          end();
        },
      });
    },
    count: (key) => counts.get(key) ?? 0,
    close() {
      for (const close of [...open]) close();
    },
  };
}

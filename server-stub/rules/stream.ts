/**
 * `GET /v1/config/stream`: server-sent events of an app's live release, so open pages run a new
 * release within a second. On connect the stream sends the live version; then, per change, the
 * release's config answer — exactly what GET /v1/config would answer — as an `event: config`,
 * followed by the version as a plain message; and a comment line every `heartbeatMs` so proxies
 * keep it open and a dead peer is found:
 *
 *     id: 7              id: 7
 *     event: config      data: 7
 *     data: {"version":"cfg-…","release":7,"ttlMs":600000,"slots":[…],"tags":[…],"triggers":[…]}
 *
 * A device that reads the config event applies it with no round trip (the refetch was most of
 * publish → device); one that reads only messages (an older SDK) refetches the config on the
 * version, with If-None-Match. The config holds the app's public device rules only: what its app
 * key may already GET, no personal data. It is serialised once per release, whatever the streams.
 *
 * Connections are bounded per app key (`maxPerKey`): past it, 503 with Retry-After, and the SDK
 * falls back to revalidating on a timer.
 */
import type { Config } from '../../sdk/contract';
import { HttpError } from '../wire/errors';

export interface ReleaseStreamsOptions {
  /** the app's live version now */
  version(app: string): number;
  /** `listener(version, config)` on every change; returns the unsubscribe */
  subscribe(app: string, listener: (version: number, config?: Config) => void): () => void;
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
  /** each release's two events (config, version), encoded once for every stream and written as one chunk */
  const encoded = new WeakMap<Config, Uint8Array>();
  const releaseEvents = (version: number, config: Config) => {
    let bytes = encoded.get(config);
    if (!bytes) encoded.set(config, (bytes = encoder.encode(`id: ${version}\nevent: config\ndata: ${JSON.stringify(config)}\n\nid: ${version}\ndata: ${version}\n\n`)));
    return bytes;
  };

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
          const send = (chunk: string | Uint8Array) => {
            try {
              controller.enqueue(typeof chunk == 'string' ? encoder.encode(chunk) : chunk);
            } catch {
              end();
            }
          };
          const announce = (version: number, config?: Config) => {
            if (version === last) return;
            last = version;
            send(config ? releaseEvents(version, config) : `id: ${version}\ndata: ${version}\n\n`);
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

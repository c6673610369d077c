/**
 * Request bodies read with a hard byte limit counted while streaming: a 10 MB upload is refused
 * after `limit + 1` bytes without being buffered. JSON is parsed whatever the content-type says
 * (sendBeacon posts text/plain).
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { HttpError } from './http-errors';

/** Reads and parses the JSON body of `c`, or throws the 400/413 `HttpError` the client deserves. */
export async function readJson(c: Context, limit: number): Promise<unknown> {
  const declared = Number(c.req.header('content-length'));
  if (declared > limit) throw tooLarge(limit);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const bytes = incoming ? await readNode(incoming, limit) : await readWeb(c.req.raw, limit);
  if (bytes.length === 0) throw new HttpError(400, 'invalid_json', 'the request body is empty');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `the request body is not JSON: ${(error as Error).message}`);
  }
}

const tooLarge = (limit: number) =>
  new HttpError(413, 'too_large', `the request body exceeds ${limit} bytes`, {
    // the rest of an oversized upload is drained and discarded by @hono/node-server, then the
    // connection is closed; it must not carry another request
    headers: { connection: 'close' },
  });

/**
 * Straight from the Node stream (no web-stream copy on the hot ingest path). On overflow the
 * listeners are detached and the stream left for @hono/node-server, which drains what is left
 * (bounded in time and bytes) after the 413 has been written, so the client reads the answer.
 */
function readNode(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: unknown) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        incoming.pause();
        done(tooLarge(limit));
      } else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (error: Error) => done(new HttpError(400, 'aborted', `the request body could not be read: ${error.message}`));
    const onClose = () => {
      if (!incoming.readableEnded) done(new HttpError(400, 'aborted', 'the client closed the request before its body ended'));
    };
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** For `app.request()` and other fetch-style callers without a Node stream. */
async function readWeb(request: Request, limit: number): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

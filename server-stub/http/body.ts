/**
 * Request bodies read with a hard byte limit counted while streaming: a 10 MB upload is refused
 * after `limit + 1` bytes without being buffered. JSON is parsed whatever the content-type says
 * (sendBeacon posts text/plain).
 *
 * And with deadlines: a body that stalls for `idleMs` between bytes, or is still arriving `totalMs`
 * after the handler started reading, is answered 408 and its connection closed, so a client that
 * trickles a byte at a time cannot hold a connection (and its buffered bytes) for long.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { HttpError } from '../wire/errors';
import { parseJsonBytes } from '../wire/json';

export interface BodyDeadlines {
  /** longest silence between two chunks of a body. @example { idleMs: 10_000 } */
  idleMs: number;
  /** longest time to receive a whole body. @example { totalMs: 30_000 } */
  totalMs: number;
}

/** Reads and parses the JSON body of `c`, or throws the 400/408/413 `HttpError` the client deserves. */
export async function readJson(c: Context, limit: number, deadlines?: BodyDeadlines): Promise<unknown> {
  // from the bytes: a large batch is never made into one large string (wire/json.ts)
  return parseJsonBytes(await readBytes(c, limit, deadlines));
}

/** The body of `c` as text, bounded like `readJson`; an empty body is a 400. */
export async function readText(c: Context, limit: number, deadlines?: BodyDeadlines): Promise<string> {
  return (await readBytes(c, limit, deadlines)).toString('utf8');
}

async function readBytes(c: Context, limit: number, deadlines?: BodyDeadlines): Promise<Buffer> {
  const declared = Number(c.req.header('content-length'));
  if (declared > limit) throw tooLarge(limit);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const bytes = incoming ? await readNode(incoming, limit, deadlines) : await readWeb(c.req.raw, limit);
  if (bytes.length === 0) throw new HttpError(400, 'invalid_json', 'the request body is empty');
  return bytes;
}

const tooSlow = (why: string) =>
  new HttpError(408, 'timeout', `${why}; send the body at once`, {
    // what is left of the body is drained (bounded) and the connection closed after the answer
    headers: { connection: 'close' },
  });

const tooLarge = (limit: number) =>
  new HttpError(413, 'too_large', `the request body exceeds ${limit} bytes`, {
    // the rest of an oversized upload is drained and discarded by @hono/node-server, then the
    // connection is closed; it must not carry another request
    headers: { connection: 'close' },
  });

/**
 * Straight from the Node stream (no web-stream copy on the hot ingest path). On overflow or a
 * missed deadline the listeners are detached and the stream left for @hono/node-server, which
 * drains what is left (bounded in time and bytes) after the 413/408 has been written, so the
 * client reads the answer, and then closes the connection.
 */
function readNode(incoming: IncomingMessage, limit: number, deadlines?: BodyDeadlines): Promise<Buffer> {
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let idle: NodeJS.Timeout | undefined;
    let total: NodeJS.Timeout | undefined;
    const done = (error?: unknown) => {
      clearTimeout(idle);
      clearTimeout(total);
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const fail = (error: HttpError) => {
      chunks.length = 0;
      incoming.pause();
      done(error);
    };
    const stalled = () => fail(tooSlow(`no byte of the request body for ${deadlines!.idleMs} ms`));
    if (deadlines) {
      idle = setTimeout(stalled, deadlines.idleMs);
      total = setTimeout(() => fail(tooSlow(`the request body took longer than ${deadlines.totalMs} ms`)), deadlines.totalMs);
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(tooLarge(limit));
      chunks.push(chunk);
      idle?.refresh();
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

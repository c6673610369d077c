/**
 * Every non-2xx answer of the server-stub has one shape, `{ error: { code, message, path } }`
 * (see `ErrorBody` in sdk/contract.ts). Handlers throw `HttpError`; app.ts turns it into JSON.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { LIMITS, type ErrorBody, type RejectedEvent } from '../../sdk/contract';

/**
 * `text` cut to `max` UTF-16 units (the contract bounds messages to LIMITS.text): a message or path
 * quoting a client's 100 KB property name must not make the answer itself break the contract, or
 * grow past what the SDK reads (64 KB).
 */
export const clampText = (text: string, max: number = LIMITS.text): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export interface HttpErrorInit {
  /** dotted path of the offending field, '' when the whole request is at fault */
  path?: string;
  /** extra members of `error` (e.g. `rejected` for POST /v1/events) */
  extra?: Record<string, unknown>;
  /** extra response headers (e.g. Retry-After, Allow) */
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly path: string;
  readonly extra: Record<string, unknown> | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, init: HttpErrorInit = {}) {
    super(clampText(message));
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.path = clampText(init.path ?? '');
    this.extra = init.extra;
    this.headers = init.headers ?? {};
  }

  body(): ErrorBody & { error: { rejected?: RejectedEvent[] } } {
    return { error: { code: this.code, message: this.message, path: this.path, ...this.extra } };
  }
}

/** The JSON body of an answer the server did not plan for; never carries the stack. */
export const internalError = (): ErrorBody => ({
  error: { code: 'internal', message: 'internal server error', path: '' },
});

/**
 * Node's `clientError`: requests the HTTP parser refuses before any route sees them (malformed
 * request lines, headers past the size limit, requests too slow to arrive) get the same JSON error
 * shape as everything else, then the connection is closed. A socket that already got bytes of an
 * answer, or is gone, is only destroyed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, limits: { headerBytes: number }): void {
  const sent = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
  if (error.code === 'ECONNRESET' || !socket.writable || sent > 0) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', `the request line and headers exceed ${limits.headerBytes} bytes`]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'timeout', 'the request took too long to arrive']
        : [400, 'bad_request', `malformed HTTP request (${error.code ?? 'unparsable'})`];
  const body = JSON.stringify({ error: { code, message, path: '' } });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    'x-content-type-options: nosniff',
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  // a peer that never reads must not keep the socket: the answer gets a second, then it goes
  setTimeout(() => socket.destroy(), 1000).unref();
}

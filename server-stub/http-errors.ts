/**
 * Every non-2xx answer of the server-stub has one shape, `{ error: { code, message, path } }`
 * (see `ErrorBody` in sdk/contract.ts). Handlers throw `HttpError`; app.ts turns it into JSON.
 */
import type { ErrorBody, RejectedEvent } from '../sdk/contract';

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
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.path = init.path ?? '';
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

/**
 * Every error the SDK reports is a `SlotwiseError` with a literal `code`. The SDK never throws
 * into the host page from a callback, timer or widget: it reports through `on('error')`.
 */
export type ErrorCode =
  | 'invalid_options'
  | 'invalid_argument'
  | 'storage_unavailable'
  | 'storage_failed'
  | 'queue_overflow'
  | 'network'
  | 'server'
  | 'rate_limited'
  | 'rejected'
  | 'unauthorized'
  | 'too_large'
  | 'bad_response'
  | 'timeout'
  | 'bad_rule'
  | 'listener_failed'
  | 'middleware_failed'
  | 'closed';

export class SlotwiseError extends Error {
  override readonly name = 'SlotwiseError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** extra facts for the host: ids dropped, the server's answer, the bad option's path */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Wraps anything thrown into a SlotwiseError without losing the cause. */
export function toSlotwiseError(code: ErrorCode, cause: unknown, message?: string): SlotwiseError {
  if (cause instanceof SlotwiseError) return cause;
  const text = message ?? (cause instanceof Error ? cause.message : String(cause));
  return new SlotwiseError(code, text, { cause });
}

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
  | 'closed'
  /** the host's `refreshIdentityToken` threw */
  | 'identity_token';

export class SlotwiseError extends Error {
  declare readonly name: 'SlotwiseError';
  declare readonly code: ErrorCode;
  /** extra facts for the host: ids dropped, the server's answer, the bad option's path */
  declare readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    // assigned, not class fields: fields cost a defineProperty helper in the es2020 bundles
    Object.assign(this, { name: 'SlotwiseError', code, details });
  }
}

/**
 * Wraps anything thrown into a SlotwiseError without losing the cause. A SlotwiseError passes
 * as it is, also one of another copy of this class (the script tag's network module has its own).
 */
export function toSlotwiseError(code: ErrorCode, cause: unknown, message?: string): SlotwiseError {
  if ((cause as Error)?.name == 'SlotwiseError') return cause as SlotwiseError;
  const text = message ?? (cause instanceof Error ? cause.message : String(cause));
  return new SlotwiseError(code, text, { cause });
}

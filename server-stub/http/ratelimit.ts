/**
 * Per-key token buckets. A request costs one token; a bucket holds at most `burst` and refills at
 * `perSecond`. Buckets exist only for configured keys (unknown keys are refused before this), so
 * memory is bounded by the key list.
 */
import type { RateLimit } from './keys';

/** Generous enough for the demo and for tests that post thousands of events in batches. */
export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 2000, burst: 5000 };

export interface Limiter {
  /** takes a token for `key`; when none is left, says how many whole seconds until one is */
  take(key: string, limit: RateLimit | false): { ok: true } | { ok: false; retryAfterS: number };
}

export function createLimiter(now: () => number): Limiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, limit) {
      if (!limit) return { ok: true };
      const t = now();
      const b = buckets.get(key) ?? { tokens: limit.burst, at: t };
      b.tokens = Math.min(limit.burst, b.tokens + (Math.max(0, t - b.at) / 1000) * limit.perSecond);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / limit.perSecond)) };
    },
  };
}

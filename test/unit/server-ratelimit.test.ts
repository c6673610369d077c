// @vitest-environment node
import { describe, expect, test } from 'vitest';
import { createLimiter } from '../../server-stub/http/ratelimit';

describe('token bucket', () => {
  test('a full bucket allows a burst, then refuses with the seconds until the next token', () => {
    let now = 0;
    const limiter = createLimiter(() => now);
    const limit = { perSecond: 4, burst: 3 };
    expect([1, 2, 3, 4].map(() => limiter.take('k', limit).ok)).toEqual([true, true, true, false]);
    expect(limiter.take('k', limit)).toEqual({ ok: false, retryAfterS: 1 });
    now += 250; // one token at 4/s
    expect(limiter.take('k', limit).ok).toBe(true);
    expect(limiter.take('k', limit).ok).toBe(false);
  });

  test('refill stops at the burst size however long the key was idle', () => {
    let now = 0;
    const limiter = createLimiter(() => now);
    const limit = { perSecond: 100, burst: 2 };
    limiter.take('k', limit);
    now += 3_600_000;
    expect([1, 2, 3].map(() => limiter.take('k', limit).ok)).toEqual([true, true, false]);
  });

  test('Retry-After rounds up to whole seconds and is at least 1', () => {
    const limiter = createLimiter(() => 0);
    const slow = { perSecond: 0.25, burst: 1 };
    limiter.take('slow', slow);
    expect(limiter.take('slow', slow)).toEqual({ ok: false, retryAfterS: 4 });
    const fast = { perSecond: 1000, burst: 1 };
    limiter.take('fast', fast);
    expect(limiter.take('fast', fast)).toEqual({ ok: false, retryAfterS: 1 });
  });

  test('keys have separate buckets; false means unlimited; a clock going back adds nothing', () => {
    let now = 10_000;
    const limiter = createLimiter(() => now);
    const limit = { perSecond: 1, burst: 1 };
    expect(limiter.take('a', limit).ok).toBe(true);
    expect(limiter.take('b', limit).ok).toBe(true);
    expect(limiter.take('a', limit).ok).toBe(false);
    now -= 5_000;
    expect(limiter.take('a', limit).ok).toBe(false);
    for (let i = 0; i < 1000; i++) expect(limiter.take('c', false).ok).toBe(true);
  });
});

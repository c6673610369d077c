// @vitest-environment node
import { describe, expect, test } from 'vitest';
import { createOriginPolicy, DEFAULT_ORIGINS, originMatcher } from '../../server-stub/http/cors';

describe('origin patterns', () => {
  test('the default allows loopback names on any port and nothing else', () => {
    const ok = originMatcher(DEFAULT_ORIGINS);
    for (const o of ['http://localhost:8787', 'http://127.0.0.1:1', 'http://[::1]:3000', 'http://localhost:65535']) expect(ok(o), o).toBe(true);
    for (const o of [
      'http://localhost',
      'https://localhost:8787',
      'http://localhost.evil.example:80',
      'http://localhost:80.evil.example',
      'http://localhost:8787/',
      'http://127.0.0.1.nip.io:80',
      'null',
      '',
    ]) expect(ok(o), o).toBe(false);
  });

  test('an exact origin matches only itself', () => {
    const ok = originMatcher(['https://bank.example', 'https://app.bank.example:8443']);
    expect(ok('https://bank.example')).toBe(true);
    expect(ok('https://app.bank.example:8443')).toBe(true);
    expect(ok('http://bank.example')).toBe(false);
    expect(ok('https://bank.example:443')).toBe(false);
    expect(ok('https://evil.bank.example')).toBe(false);
  });

  test('anything that is not an origin is refused at start', () => {
    for (const bad of ['*', 'bank.example', 'https://bank.example/', 'https://bank.example/x', 'https://*.bank.example', 'ftp://bank.example', 'https://bank.example:*:*']) {
      expect(() => originMatcher([bad]), bad).toThrow(/not an origin/);
    }
  });
});

describe('origin policy', () => {
  test("a key with origins accepts only those (and the server's own); others use the server list", () => {
    const bank = { origins: ['https://bank.example'] };
    const demo = {};
    const policy = createOriginPolicy({ origins: DEFAULT_ORIGINS, keys: [bank, demo], self: () => ['http://127.0.0.1:9000'] });
    expect(policy.any('https://bank.example')).toBe(true);
    expect(policy.any('https://evil.example')).toBe(false);
    expect(policy.forKey(bank, 'https://bank.example')).toBe(true);
    expect(policy.forKey(bank, 'http://localhost:3000')).toBe(false);
    expect(policy.forKey(bank, 'http://127.0.0.1:9000')).toBe(true);
    expect(policy.forKey(demo, 'http://localhost:3000')).toBe(true);
    expect(policy.forKey(demo, 'https://bank.example')).toBe(false);
  });
});

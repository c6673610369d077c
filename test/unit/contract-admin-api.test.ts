// @vitest-environment node
/**
 * The admin API's request schemas (sdk/contract-admin.ts, admin section): the lean schemas the
 * console checks its forms with and the zod/mini ones the server runs give the same verdict and
 * name the same field.
 */
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { firstProblem } from '../../sdk/contract';
import { check, type Schema } from '../../sdk/contract-check';
import { adminRequestChecks, adminRequests } from '../../sdk/contract-admin';

const PW = 'correct horse battery staple';
const CASES: [keyof ReturnType<typeof adminRequestChecks>, unknown, string | null][] = [
  ['login', { username: 'ann', password: PW }, null],
  ['login', { username: 'ann' }, 'password'],
  ['createUser', { username: 'ann', role: 'editor', apps: ['demo', 'bank'], password: PW }, null],
  ['createUser', { username: 'ann', role: 'editor', apps: ['*'], password: PW }, null],
  ['createUser', { username: 'a n', role: 'editor', password: PW }, 'username'],
  ['createUser', { username: 'ann', role: 'owner', password: PW }, 'role'],
  ['createUser', { username: 'ann', role: 'viewer', apps: [], password: PW }, 'apps'],
  ['createUser', { username: 'ann', role: 'viewer', apps: ['Bad App'], password: PW }, 'apps.0'],
  ['updateUser', { disabled: true }, null],
  ['updateUser', { disabled: 'yes' }, 'disabled'],
  ['createToken', { name: 'ci', expiresAt: '2030-01-01T00:00:00Z' }, null],
  ['createToken', { name: 'ci', expiresAt: 'tomorrow' }, 'expiresAt'],
  ['createToken', { name: '' }, 'name'],
  ['createApp', { id: 'mobile-bank', name: 'Mobile bank', fourEyes: true }, null],
  ['createApp', { id: '-bank' }, 'id'],
  ['updateApp', { fourEyes: 1 }, 'fourEyes'],
  ['publish', {}, null],
  ['publish', { note: 'x', goLiveAt: '2030-01-01T09:00:00+08:00' }, null],
  ['publish', { goLiveAt: 5 }, 'goLiveAt'],
  ['reject', { reason: 7 }, 'reason'],
  ['rollback', { note: 'back' }, null],
];

describe('admin request schemas', () => {
  it('lean and zod agree on the verdict and the field', () => {
    for (const [name, value, path] of CASES) {
      const lean = check(adminRequestChecks()[name] as Schema, value);
      const zod = (adminRequests()[name] as z.ZodMiniType).safeParse(value);
      expect([name, lean.success, zod.success]).toEqual([name, path === null, path === null]);
      if (!lean.success && !zod.success) {
        expect([name, lean.error.path]).toEqual([name, path]);
        expect([name, firstProblem(zod.error).path]).toEqual([name, path]);
      }
    }
  });

  it('keeps declared fields only', () => {
    const r = adminRequests().createApp.safeParse({ id: 'bank', live: 9, extra: true });
    expect(r.success && r.data).toEqual({ id: 'bank' });
  });
});

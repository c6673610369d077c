// The engine's profile/alias cache (engine/profiles.ts): bounded, keeps what was used recently,
// never answers an older value than the last one set, forgets what was deleted.
import { describe, expect, it } from 'vitest';
import { Lru } from '../../server-stub/engine/profiles';

describe('Lru', () => {
  it('answers the last value set for a key, from either generation', () => {
    const c = new Lru<number>(4);
    c.set('a', 1);
    c.set('b', 2); // young is full (2): the next new key turns it old
    c.set('c', 3);
    expect(c.get('a')).toBe(1); // from old, copied to young
    c.set('b', 20); // a newer value while an older one sits in old
    expect(c.get('b')).toBe(20);
    c.set('d', 4);
    c.set('e', 5);
    expect(c.get('b')).toBe(20);
  });

  it('holds at most max entries and keeps the ones used lately', () => {
    const c = new Lru<number>(100);
    for (let i = 0; i < 1000; i++) {
      c.set(`k${i}`, i);
      expect(c.get('hot')).toBe(i === 0 ? undefined : -1);
      if (i === 0) c.set('hot', -1);
      expect(c.size).toBeLessThanOrEqual(100);
    }
    // the newest keys are there; the oldest are gone
    expect(c.get('k999')).toBe(999);
    expect(c.get('k950')).toBe(950);
    expect(c.get('k0')).toBeUndefined();
  });

  it('forgets a deleted key in both generations', () => {
    const c = new Lru<number>(4);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3); // a and b are now old
    c.get('a'); // copied to young: in both
    c.delete('a');
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBe(2);
  });

  it('keeps a steady hot set without turning generations over', () => {
    const c = new Lru<number>(20);
    for (let i = 0; i < 5; i++) c.set(`h${i}`, i);
    for (let round = 0; round < 1000; round++) for (let i = 0; i < 5; i++) expect(c.get(`h${i}`)).toBe(i);
    expect(c.size).toBe(5);
  });
});

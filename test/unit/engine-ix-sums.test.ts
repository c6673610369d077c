// IxSums (server-stub/engine/ix-sums.ts) against the Map it stands in for: the same sums, the same
// insertion order, through growth from its smallest capacity.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IxSums } from '../../server-stub/engine/ix-sums';

describe('IxSums', () => {
  test('sums and orders entries like a Map<number, number>, whatever the adds', () => {
    const adds = fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: -10, max: 10, noNaN: true })), { maxLength: 300 });
    fc.assert(
      fc.property(adds, fc.integer({ min: 1, max: 64 }), (ops, capacity) => {
        const sums = new IxSums(capacity);
        const map = new Map<number, number>();
        for (const [ix, v] of ops) {
          sums.add(ix, v);
          map.set(ix, (map.get(ix) ?? 0) + v);
        }
        expect(sums.size).toBe(map.size);
        expect([...sums.ix.subarray(0, sums.size)]).toEqual([...map.keys()]);
        for (const [ix, v] of map) expect(sums.get(ix)).toBe(v);
        expect(sums.get(10_001)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { schemas } from '../../sdk/contract';
import { createAttribution } from '../../sdk/attribution';
import { createSlotStore } from '../../sdk/slot-store';
import type { SlotItem } from '../../sdk/types';
import { FAKE_TIMERS, fakeCore } from './fake-core';

const shown: SlotItem = { id: 'f7', kind: 'fund', title: 'Fund 7', position: 2, strategy: 'model', score: 0.7, reasons: [], decisionId: 'dec-1', slotId: 'home.today' };

const setup = () => {
  const core = fakeCore({ idb: false });
  const store = createSlotStore(core);
  return { core, store, a: createAttribution(core, store) };
};

const real = globalThis.IntersectionObserver;

describe('attribution', () => {
  beforeEach(() => vi.useFakeTimers(FAKE_TIMERS));
  afterEach(() => {
    vi.useRealTimers();
    globalThis.IntersectionObserver = real;
  });

  it('records each action with the decision, slot, item and position that showed the item', () => {
    const { core, a } = setup();
    const ids = [a.impression(shown), a.click(shown), a.conversion(shown, 5000), a.dismiss(shown), a.notInterested(shown)];
    expect(core.events.map((e) => [e.id, e.type, e.name])).toEqual(
      ['impression', 'click', 'conversion', 'dismiss', 'not_interested'].map((t, i) => [ids[i], t, t]),
    );
    for (const e of core.events) {
      expect(e).toMatchObject({ decisionId: 'dec-1', slotId: 'home.today', itemId: 'f7', position: 2 });
      expect(schemas().event.safeParse(e).success).toBe(true);
    }
    expect(core.events[2].properties).toEqual({ value: 5000 });
  });

  it('takes the slot from the argument when the item has none, and records items without a decision', () => {
    const { core, a } = setup();
    const { decisionId: _, slotId: __, ...plain } = shown;
    a.click(plain, 'home.ad');
    expect(core.events[0]).toMatchObject({ slotId: 'home.ad', itemId: 'f7', decisionId: undefined });
  });

  it('reports an item without an id instead of throwing', () => {
    const { core, a } = setup();
    expect(a.click(undefined as never)).toBeUndefined();
    expect(a.dismiss({} as never)).toBeUndefined();
    expect(core.events).toEqual([]);
    expect(core.errors.map((e) => e.code)).toEqual(['invalid_argument', 'invalid_argument']);
  });

  it('dismiss hides the item from the slot at once', () => {
    const { store, a } = setup();
    const seen: string[][] = [];
    store.publish({ slotId: 'home.today', items: [shown, { ...shown, id: 'f8' }], status: 'network', decisionId: 'dec-1' });
    store.subscribe('home.today', (s) => seen.push(s.items.map((i) => i.id)));
    a.dismiss(shown);
    expect(seen).toEqual([['f7', 'f8'], ['f8']]);
  });

  it('observeImpression records one impression once the viewability rule holds', () => {
    let cb: IntersectionObserverCallback | undefined;
    globalThis.IntersectionObserver = class {
      constructor(c: IntersectionObserverCallback) {
        cb = c;
      }
      observe() {}
      unobserve() {}
    } as never;
    const { core, a } = setup();
    const el = document.createElement('div');
    a.observeImpression(el, shown);
    a.observeImpression(el, shown);
    cb!([{ target: el, intersectionRatio: 0.6, isIntersecting: true } as unknown as IntersectionObserverEntry], null as never);
    vi.advanceTimersByTime(1000);
    expect(core.events.map((e) => [e.type, e.decisionId, e.itemId])).toEqual([['impression', 'dec-1', 'f7']]);
  });
});

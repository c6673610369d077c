import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createViewability } from '../../sdk/viewability';
import { FAKE_TIMERS } from './fake-core';

/**
 * happy-dom has no layout, so its IntersectionObserver never reports. This stand-in is driven by
 * the test: `show(el, ratio)` delivers the entry a browser would deliver when `el` is `ratio` visible.
 */
class FakeIO {
  static all: FakeIO[] = [];
  targets = new Set<Element>();
  constructor(
    readonly cb: IntersectionObserverCallback,
    readonly init?: IntersectionObserverInit,
  ) {
    FakeIO.all.push(this);
  }
  observe(el: Element) {
    this.targets.add(el);
  }
  unobserve(el: Element) {
    this.targets.delete(el);
  }
  disconnect() {
    this.targets.clear();
  }
  takeRecords() {
    return [];
  }
  static show(el: Element, ratio: number) {
    for (const io of FakeIO.all)
      if (io.targets.has(el))
        io.cb([{ target: el, intersectionRatio: ratio, isIntersecting: ratio > 0 } as IntersectionObserverEntry], io as never);
  }
}

const real = globalThis.IntersectionObserver;
let el: Element;
beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
  FakeIO.all = [];
  globalThis.IntersectionObserver = FakeIO as never;
  el = document.createElement('div');
});
afterEach(() => {
  vi.useRealTimers();
  globalThis.IntersectionObserver = real;
});

describe('viewability', () => {
  it('counts half visible for a continuous second, once per key', () => {
    const watch = createViewability();
    const fire = vi.fn();
    watch(el, 'd1|f1', fire);
    FakeIO.show(el, 0.3);
    vi.advanceTimersByTime(5000);
    expect(fire).not.toHaveBeenCalled();
    FakeIO.show(el, 0.5);
    vi.advanceTimersByTime(999);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
    FakeIO.show(el, 0);
    FakeIO.show(el, 1);
    vi.advanceTimersByTime(2000);
    expect(fire).toHaveBeenCalledTimes(1);
    // the same decision and item again, from another element: still once
    const again = vi.fn();
    const other = document.createElement('div');
    watch(other, 'd1|f1', again);
    FakeIO.show(other, 1);
    vi.advanceTimersByTime(2000);
    expect(again).not.toHaveBeenCalled();
    // another decision showing the same item counts
    watch(other, 'd2|f1', again);
    FakeIO.show(other, 1);
    vi.advanceTimersByTime(1000);
    expect(again).toHaveBeenCalledTimes(1);
  });

  it('an interruption restarts the second', () => {
    const watch = createViewability();
    const fire = vi.fn();
    watch(el, 'k', fire);
    FakeIO.show(el, 0.8);
    vi.advanceTimersByTime(900);
    FakeIO.show(el, 0.2);
    vi.advanceTimersByTime(100);
    FakeIO.show(el, 0.4999);
    vi.advanceTimersByTime(999);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('stop() before the second is up counts nothing', () => {
    const watch = createViewability();
    const fire = vi.fn();
    const stop = watch(el, 'k', fire);
    FakeIO.show(el, 1);
    vi.advanceTimersByTime(500);
    stop();
    vi.advanceTimersByTime(1000);
    expect(fire).not.toHaveBeenCalled();
  });

  it('without IntersectionObserver it watches nothing and claims nothing', () => {
    globalThis.IntersectionObserver = undefined as never;
    const watch = createViewability();
    const fire = vi.fn();
    const stop = watch(el, 'k', fire);
    vi.advanceTimersByTime(5000);
    expect(fire).not.toHaveBeenCalled();
    expect(() => stop()).not.toThrow();
  });
});

/**
 * The viewability rule for impressions: at least half of the element visible for one second
 * without interruption, counted once per key (decision and item).
 *
 * IntersectionObserver is read when first needed; where there is none (Node, old WebViews) watching
 * is a no-op: no impression is claimed that could not be seen.
 */
const RATIO = 0.5;
const DWELL_MS = 1000;

/** watch(element, key, onViewed) → stop */
export type Watch = (element: Element, key: string, onViewed: () => void) => () => void;

export function createViewability(): Watch {
  let io: IntersectionObserver | undefined;
  const watched = new Map<Element, { key: string; fire: () => void; timer?: ReturnType<typeof setTimeout> }>();
  const seen = new Set<string>();

  const stop = (el: Element) => {
    clearTimeout(watched.get(el)?.timer);
    watched.delete(el);
    io?.unobserve(el);
  };

  return (element, key, fire) => {
    const IO = globalThis.IntersectionObserver;
    if (!IO || seen.has(key) || !element) return () => {};
    io ??= new IO(
      (entries) => {
        for (const e of entries) {
          const w = watched.get(e.target);
          if (!w) continue;
          // browsers report a half-visible element as 0.4999…
          if (e.isIntersecting && e.intersectionRatio >= RATIO - 1e-3) {
            w.timer ??= setTimeout(() => {
              stop(e.target);
              if (seen.has(w.key)) return;
              seen.add(w.key);
              w.fire();
            }, DWELL_MS);
          } else {
            clearTimeout(w.timer);
            w.timer = undefined;
          }
        }
      },
      { threshold: [0, RATIO] },
    );
    stop(element);
    watched.set(element, { key, fire });
    io.observe(element);
    return () => {
      if (watched.get(element)?.fire === fire) stop(element);
    };
  };
}

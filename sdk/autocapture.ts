/**
 * Autocapture: page views (including SPA navigation), clicks on marked elements, and app
 * foreground/background. Each part attaches lazily and detaches on close, leaving the page
 * (and `history`) as it found it.
 */
import type { Properties } from './contract';
import type { AutocaptureOptions } from './types';

export interface AutocaptureHooks {
  page(): void;
  track(name: string, properties: Properties): void;
}

type Patched = History['pushState'] & { sw?: boolean };

/** Attaches what `options` switches on; returns the detach. Does nothing outside a browser. */
export function autocapture(options: Required<AutocaptureOptions>, hooks: AutocaptureHooks): () => void {
  const off: (() => void)[] = [];
  const w = globalThis.window;
  const d = globalThis.document;
  if (!w || !d) return () => {};
  const listen = (target: EventTarget, type: string, fn: (e: Event) => void, capture = false) => {
    target.addEventListener(type, fn, capture);
    off.push(() => target.removeEventListener(type, fn, capture));
  };

  if (options.pageviews) {
    let last: string | undefined;
    // one page view per URL: replaceState with the same URL, or a router calling both, is no navigation
    const view = () => {
      if (location.href === last) return;
      last = location.href;
      hooks.page();
    };
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method];
      const patched: Patched = function (this: History, ...args: Parameters<History['pushState']>) {
        const result = original.apply(this, args);
        if (patched.sw) view();
        return result;
      };
      patched.sw = true;
      history[method] = patched;
      off.push(() => {
        // restore only if nobody wrapped us since; otherwise stay in their chain, switched off
        if (history[method] === patched) history[method] = original;
        patched.sw = false;
      });
    }
    listen(w, 'popstate', view);
    listen(w, 'hashchange', view);
    // the landing page view waits for the code that created the client (a microtask): the script
    // tag replays the snippet's use()/on() first, an app registers its own, and both see it
    let on = true;
    off.push(() => (on = false));
    queueMicrotask(() => on && view());
  }

  if (options.clicks) {
    // capture phase: an app handler calling stopPropagation must not hide the click
    listen(
      d,
      'click',
      (e) => {
        const el = (e.target as Element | null)?.closest?.('[data-sw-event]') as HTMLElement | null | undefined;
        const name = el?.dataset.swEvent;
        if (!name) return;
        const properties: Properties = {};
        for (const key in el.dataset) {
          // data-sw-plan-id → planId
          if (/^sw[A-Z]/.test(key) && key != 'swEvent') properties[key[2]!.toLowerCase() + key.slice(3)] = el.dataset[key];
        }
        hooks.track(name, properties);
      },
      true,
    );
  }

  if (options.visibility) {
    listen(d, 'visibilitychange', () => hooks.track(d.visibilityState == 'hidden' ? 'app_background' : 'app_foreground', {}));
  }

  return () => {
    for (const f of off.splice(0)) f();
  };
}

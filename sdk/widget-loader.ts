/**
 * Loads the widgets chunk (`slotwise-widgets.min.js`, Preact + widgets + custom elements) from the
 * core script tag, and only when a page needs it: when a widget element is on the page, or as soon
 * as one is added later (watched with a MutationObserver, which is then dropped). Pages without
 * widgets never pay for them.
 */

/** The elements the widgets chunk defines. */
const WIDGETS = 'sw-today-picks,sw-you-may-like,sw-smart-ad,sw-reminders,sw-interests';

export interface WidgetLoaderOptions {
  /** The core's own script element: the chunk is loaded from next to it, with its nonce. */
  script?: HTMLScriptElement | null;
  /**
   * URL of the chunk. Default: the script's `data-widgets-src`, else `slotwise-widgets.min.js` next
   * to the script's `src` (keeping its query, e.g. a version). @example '/static/slotwise-widgets.min.js?v=3'
   */
  src?: string;
  /** Nonce for the chunk's script (and, through it, the widgets' styles). Default the script's. @example 'r4nd0m' */
  nonce?: string;
  /** For tests. Default `document`. */
  document?: Document;
}

/** `…/slotwise.min.js?v=3` → `…/<file>?v=3`: a chunk next to the core script, with its query */
export const besides = (coreSrc: string, file: string): string => coreSrc.replace(/[^/?#]*([?#].*)?$/, file + '$1');

/** `…/slotwise.min.js?v=3` → `…/slotwise-widgets.min.js?v=3` */
export const widgetsUrl = (coreSrc: string): string => besides(coreSrc, 'slotwise-widgets.min.js');

/**
 * Adds `<script async src>` for a chunk of the core (widgets, network module), marked with the
 * attribute `mark`, carrying the core script's nonce (a strict CSP allows it) and crossorigin.
 * `on` (onload, onerror) is set before the element is added, so no event can be missed.
 */
export function inject(
  doc: Document,
  src: string,
  mark: string,
  script?: HTMLScriptElement | null,
  nonce = script?.nonce,
  on?: Pick<HTMLScriptElement, 'onload' | 'onerror'>,
): HTMLScriptElement {
  const el = Object.assign(doc.createElement('script'), on);
  el.src = src;
  el.async = true;
  if (nonce) el.nonce = nonce;
  if (script?.crossOrigin) el.crossOrigin = script.crossOrigin;
  el.setAttribute(mark, '');
  return (doc.head ?? doc.documentElement).appendChild(el);
}

/**
 * Loads the chunk once a widget element is on the page. Returns a function that stops watching.
 * Never throws: a page without a usable script URL simply gets no widgets.
 * @example loadWidgetsWhenNeeded({ script: document.currentScript as HTMLScriptElement })
 */
export function loadWidgetsWhenNeeded(options: WidgetLoaderOptions = {}): () => void {
  let observer: MutationObserver | undefined;
  const stop = () => observer?.disconnect();
  try {
    const doc = options.document ?? document;
    const script = options.script;
    const src = options.src ?? script?.dataset.widgetsSrc ?? (script?.src ? widgetsUrl(script.src) : undefined);
    if (!src) return stop;
    const load = () => {
      stop();
      // already there: loaded by another copy, or the app defined the elements itself (ESM widgets)
      if (doc.querySelector('script[data-slotwise-widgets]') || doc.defaultView?.customElements?.get('sw-today-picks')) return;
      inject(doc, src, 'data-slotwise-widgets', script, options.nonce ?? script?.nonce);
    };
    if (doc.querySelector(WIDGETS)) {
      load();
      return stop;
    }
    // look only at what was added, not the whole page, on every mutation
    observer = new MutationObserver((records) => {
      for (const r of records)
        for (const n of r.addedNodes)
          if (n.nodeType == 1 && ((n as Element).matches(WIDGETS) || (n as Element).querySelector(WIDGETS))) return load();
    });
    observer.observe(doc.documentElement, { childList: true, subtree: true });
  } catch (e) {
    console.error('slotwise: widgets not loaded', e);
  }
  return stop;
}

/**
 * The widgets as custom elements with Shadow DOM, for plain HTML and any framework:
 * `<sw-today-picks slot-id="home.today" count="4" locale="en" theme="dark">`, `<sw-you-may-like>`,
 * `<sw-smart-ad>`, `<sw-reminders>`, `<sw-interests>`. Attributes map to props (`slot-id` → slotId,
 * also `layout` on sw-you-may-like); changing one re-renders. Two properties, set from JS, take what
 * attributes cannot carry: `strings` (replacements for built-in strings) and, on the slot elements,
 * `fallback` (items shown when the slot ends up empty), e.g.
 * `document.querySelector('sw-today-picks').fallback = [{ id: 'cash', kind: 'fund', title: 'Cash Plus', … }]`.
 * A property set before the chunk defined the element (by a page or framework) is taken over.
 *
 * No layout shift: once defined, every slot keeps one box from skeleton to cards, since a card's
 * shape does not depend on its item (styles.ts). Until the
 * chunk has loaded, the page holds that box with a rule of its own (the heights at any width):
 * `sw-today-picks:not(:defined){display:block;min-height:326px}`, `sw-smart-ad` 206px,
 * `sw-reminders` 234px (a reminder slot that usually has a notice; with none it takes no space),
 * `sw-you-may-like` 100px + 262px per card of `count` (list layout: 1 672px for 6). Preloading the chunk
 * (`<link rel="preload" href="/slotwise-widgets.min.js" as="script">`, the URL the core loads it
 * from) makes cached slots paint sooner.
 */
import { h, render, type ComponentType } from 'preact';

import type { SlotwiseClient } from '../sdk/index';
import { Interests } from './Interests';
import { Reminders } from './Reminders';
import { SmartAd } from './SmartAd';
import { TodayPicks } from './TodayPicks';
import { YouMayLike } from './YouMayLike';

export interface ElementsOptions {
  /** Nonce for a `<style>` in each shadow root, instead of a shared adopted stylesheet. @example 'r4nd0m' */
  nonce?: string;
  /** Where to define the elements. Default `customElements`. */
  registry?: CustomElementRegistry;
}

const ATTRS = ['slot-id', 'count', 'locale', 'theme', 'layout'];
/** element properties, passed to the widget as the props of the same name */
const PROPS = ['strings', 'fallback'];

/**
 * Defines the five elements, all talking to `client`. Elements already on the page upgrade at once,
 * in one tick, so their slots go out as one decide request. A tag already defined is left alone.
 * @example defineElements(createClient({ appKey: 'demo', endpoint: 'https://api.bank.example' }))
 */
export function defineElements(client: SlotwiseClient, options: ElementsOptions = {}): void {
  const registry = options.registry || customElements;
  const tags: Record<string, ComponentType<any>> = {
    'sw-today-picks': TodayPicks,
    'sw-you-may-like': YouMayLike,
    'sw-smart-ad': SmartAd,
    'sw-reminders': Reminders,
    'sw-interests': Interests,
  };
  for (const tag in tags) if (!registry.get(tag)) registry.define(tag, element(tags[tag], client, options.nonce));
}

function element(Widget: ComponentType<any>, client: SlotwiseClient, nonce?: string) {
  class El extends HTMLElement {
    static get observedAttributes() {
      return ATTRS;
    }
    declare _p?: Record<string, unknown>;
    connectedCallback() {
      this.update();
      // A page or framework may have set a property before the element was defined: take the value
      // over through the accessor (which re-renders). A wrong one is dropped with its error logged:
      // nobody is there to catch it, and the widget renders without it.
      for (const k of PROPS)
        if (this.hasOwnProperty(k)) {
          const value = (this as any)[k];
          delete (this as any)[k];
          try {
            (this as any)[k] = value;
          } catch (e) {
            console.error(e);
          }
        }
    }
    attributeChangedCallback() {
      this.update();
    }
    disconnectedCallback() {
      // unmounting unsubscribes and stops impression observers
      if (this.shadowRoot) render(null, this.shadowRoot);
    }
    update() {
      if (!this.isConnected) return;
      const root = this.shadowRoot || this.attachShadow({ mode: 'open' });
      const props: Record<string, unknown> = { client, nonce, root, ...this._p };
      // `slot-id` → slotId; the others are named alike
      for (const k of ATTRS) props[k == 'slot-id' ? 'slotId' : k] = this.getAttribute(k) || undefined;
      props.count = +props.count! || undefined;
      // an error in here is reported by the browser as an element reaction; it never reaches host code
      render(h(Widget, props), root);
    }
  }
  for (const k of PROPS)
    Object.defineProperty(El.prototype, k, {
      get(this: El) {
        return this._p?.[k];
      },
      set(this: El, value: unknown) {
        // the client's `fallback` option is by slot; an element's is this slot's items
        if (value != null && k == 'fallback' && !Array.isArray(value)) throw TypeError('fallback: an array of items');
        (this._p ||= {})[k] = value;
        this.update();
      },
    });
  return El;
}

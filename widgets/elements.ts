/**
 * The widgets as custom elements with Shadow DOM, for plain HTML and any framework:
 * `<sw-today-picks slot-id="home.today" count="4" locale="en" theme="dark">`, `<sw-you-may-like>`,
 * `<sw-smart-ad>`, `<sw-reminders>`, `<sw-interests>`. Attributes map to props (`slot-id` → slotId,
 * also `layout` on sw-you-may-like); changing one re-renders. Strings are replaced through the
 * `strings` property.
 */
import { render, type ComponentType } from 'preact';
import { jsx } from 'preact/jsx-runtime';
import type { SlotwiseClient } from '../sdk/index';
import type { Strings } from './i18n';
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
  return class extends HTMLElement {
    static get observedAttributes() {
      return ATTRS;
    }
    declare _strings?: Partial<Strings>;
    /** Replacements for built-in strings. @example el.strings = { todayPicks: '为你精选' } */
    get strings() {
      return this._strings;
    }
    set strings(value: Partial<Strings> | undefined) {
      this._strings = value;
      this.update();
    }
    connectedCallback() {
      // a framework may have set `strings` before the element was defined: take the value over
      if (this.hasOwnProperty('strings')) {
        const value = this.strings;
        delete (this as { strings?: unknown }).strings;
        this._strings = value;
      }
      this.update();
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
      const a = (name: string) => this.getAttribute(name) || undefined;
      // an error in here is reported by the browser as an element reaction; it never reaches host code
      render(
        jsx(Widget, {
          client,
          nonce,
          root,
          slotId: a('slot-id'),
          count: Number(a('count')) || undefined,
          locale: a('locale'),
          theme: a('theme'),
          layout: a('layout'),
          strings: this._strings,
        }),
        root,
      );
    }
  };
}

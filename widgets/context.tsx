/**
 * What every widget shares: the client, locale, theme, strings and a nonce, given directly as
 * props or once for a tree through `<SlotwiseProvider>`. A prop wins over the provider.
 */
import { Component, type ComponentChildren } from 'preact';
import type { Item, SlotwiseClient } from '../sdk/index';
import { stringsFor, toLocale, type Strings } from './i18n';
import { adoptStyles } from './styles';

export type Theme = 'light' | 'dark' | 'auto';

export interface WidgetOptions {
  /** The client the widget asks and reports to. @example createClient({ appKey: 'demo', endpoint: '/' }) */
  client?: SlotwiseClient;
  /** Locale of the widget's own strings; default `client.locale`. @example 'en' */
  locale?: string;
  /** `auto` follows prefers-color-scheme. Default `auto`. @example 'dark' */
  theme?: Theme;
  /** Replacements for built-in strings. @example { todayPicks: '为你精选' } */
  strings?: Partial<Strings>;
  /** Nonce for the `<style>` the widgets inject under a strict CSP. @example 'r4nd0m' */
  nonce?: string;
  /** Where the widgets' stylesheet goes: default `document`; your shadow root if they render in one. @example host.shadowRoot */
  root?: Document | ShadowRoot;
}

export interface SlotProps extends WidgetOptions {
  /** The slot to fill. @example 'home.today' */
  slotId?: string;
  /** How many items to ask for. @example 4 */
  count?: number;
  /** Items shown when the slot ends up empty: the backend failed or had nothing, and the client had no cache or fallback of its own. @example [item] */
  fallback?: Item[];
}

/** What a provider hands down; every widget receives it as its second argument. */
export type WidgetContext = { sw?: WidgetOptions } | undefined;

/**
 * Gives every widget below it a client and defaults; nested providers add to the outer one.
 * (Preact's plain component context: it costs the widgets chunk nothing.)
 * @example <SlotwiseProvider client={sw} theme="auto"><TodayPicks slotId="home.today" /></SlotwiseProvider>
 */
export class SlotwiseProvider extends Component<WidgetOptions & { children?: ComponentChildren }> {
  override getChildContext(): { sw: WidgetOptions } {
    const { children, ...options } = this.props;
    return { sw: { ...(this.context as WidgetContext)?.sw, ...options } };
  }
  override render() {
    return this.props.children;
  }
}

/** Resolves a widget's client, strings and theme class, and styles the root it renders into. */
export function useWidget(p: WidgetOptions, context: WidgetContext) {
  const c = context?.sw || {};
  const client = p.client || c.client;
  const theme = p.theme || c.theme;
  // once per root (a no-op after that), before the first paint; nothing to style on a server
  if (typeof document == 'object') adoptStyles(p.root || c.root || document, p.nonce || c.nonce);
  return {
    client,
    s: stringsFor(toLocale(p.locale || c.locale || client?.locale), { ...c.strings, ...p.strings }),
    // an unknown theme falls back to the light defaults
    cls: 'sw sw-' + (theme || 'auto'),
  };
}

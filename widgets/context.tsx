/**
 * What every widget shares: the client, locale, theme, strings and a nonce, given directly as
 * props or once for a tree through `<SlotwiseProvider>`. A prop wins over the provider.
 */
import { Component, type ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
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
}

export interface SlotProps extends WidgetOptions {
  /** The slot to fill. @example 'home.today' */
  slotId?: string;
  /** How many items to ask for. @example 4 */
  count?: number;
  /** Items shown when the slot fails and the client has nothing either. @example [item] */
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
  const ref = useRef<HTMLElement>(null);
  const nonce = p.nonce || c.nonce;
  useLayoutEffect(() => {
    const root = ref.current?.getRootNode() as Document | ShadowRoot | undefined;
    // 9 document, 11 shadow root; a detached tree has neither and is styled once attached
    if (root && (root.nodeType == 9 || root.nodeType == 11)) adoptStyles(root, nonce);
  });
  return {
    client,
    s: stringsFor(toLocale(p.locale || c.locale || client?.locale), { ...c.strings, ...p.strings }),
    ref,
    // an unknown theme falls back to the light defaults
    cls: 'sw sw-' + (theme || 'auto'),
  };
}

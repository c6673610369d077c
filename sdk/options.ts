/**
 * Client options with their defaults filled in. Checking them is the network module's job
 * (`checkOptions` in net.ts, which the script-tag core loads in parallel); this part only fills
 * defaults and never throws, whatever it is given.
 */
import type { AutocaptureOptions, ClientOptions } from './types';

/** Options with every default filled in. */
export interface ResolvedOptions extends ClientOptions {
  channel: NonNullable<ClientOptions['channel']>;
  consent: NonNullable<ClientOptions['consent']>;
  autocapture: Required<AutocaptureOptions>;
  flush: { count: number; intervalMs: number };
  maxQueue: number;
  decideTimeoutMs: number;
  locale: string;
  debug: boolean;
}

export function resolveOptions(o: ClientOptions): ResolvedOptions {
  const auto = o.autocapture === false ? { pageviews: false, clicks: false, visibility: false } : o.autocapture;
  return {
    ...o,
    endpoint: String(o.endpoint).replace(/\/+$/, ''),
    channel: o.channel ?? 'web',
    consent: o.consent ?? 'granted',
    autocapture: { pageviews: auto?.pageviews ?? true, clicks: auto?.clicks ?? true, visibility: auto?.visibility ?? true },
    flush: { count: o.flush?.count ?? 20, intervalMs: o.flush?.intervalMs ?? 2000 },
    maxQueue: o.maxQueue ?? 10_000,
    decideTimeoutMs: o.decideTimeoutMs ?? 800,
    locale: o.locale || (typeof navigator != 'undefined' && navigator.language) || 'en',
    debug: o.debug ?? false,
  };
}

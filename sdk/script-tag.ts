/**
 * Entry of dist/slotwise.min.js (IIFE): configures a client from its own script element's
 * `data-` attributes, exposes it as `window.slotwise`, and replays the calls the async snippet
 * queued before it loaded.
 *
 * <script async src="/slotwise.min.js" data-app-key="demo" data-endpoint="https://api.example"></script>
 *
 * Attributes: data-app-key (required), data-endpoint (absolute, or relative to the page, e.g. "/";
 * default: the script's origin),
 * data-channel (web|app), data-consent (pending|granted|denied), data-locale, data-debug,
 * data-autocapture="false".
 *
 * The async snippet, to call the SDK before it has loaded (each call is `[method, ...args]`):
 *
 * <script>
 *   window.slotwise = window.slotwise || [];
 *   ['track','page','identify','setConsent','setPersonalization','reset','use','on','flush']
 *     .forEach(function (m) { slotwise[m] = slotwise[m] || function () {
 *       slotwise.push([m].concat([].slice.call(arguments))); }; });
 * </script>
 *
 * Queued calls return nothing; once the script runs, `slotwise` is the real client.
 *
 * The network module (`slotwise-net.min.js`: requests to the backend and their validation) is
 * loaded from next to this script as it starts (or from `data-net-src`), in parallel; everything
 * else runs without it. The options are checked when it arrives: a bad data-attribute is reported
 * (console and `on('error')`, `invalid_options`) and the client closes itself without sending.
 */
import { createClient } from './client';
import { load } from './net';
import type { ClientOptions, SlotwiseClient } from './types';
import { loadWidgetsWhenNeeded } from './widget-loader';

type Queued = unknown[][] & Record<string, unknown>;

function start(): void {
  const w = window as unknown as { slotwise?: SlotwiseClient | Queued };
  const queued = w.slotwise;
  // loaded twice: the first copy already runs the client
  if (queued && !Array.isArray(queued)) return;
  const script = (document.currentScript ?? document.querySelector('script[data-app-key]')) as HTMLScriptElement | null;
  const data = script?.dataset ?? {};
  if (!data.appKey) return console.error('slotwise: invalid options: appKey: no data-app-key');
  load({ script });
  // a relative data-endpoint ("/", "/api") is on this page's origin; none: the script's origin.
  // A value no URL can be made of is passed on as it is, for the option check to name it.
  let endpoint = data.endpoint;
  try {
    endpoint = new URL(endpoint || script?.src || '/', location.href)[endpoint ? 'href' : 'origin'];
  } catch {}
  const options: ClientOptions = { appKey: data.appKey as string, endpoint: endpoint! };
  for (const k of ['channel', 'consent', 'locale'] as const) if (data[k]) (options as unknown as Record<string, string>)[k] = data[k];
  if (data.debug != null) options.debug = data.debug !== 'false';
  if (data.autocapture === 'false') options.autocapture = false;

  let client: SlotwiseClient;
  try {
    client = createClient(options);
  } catch (e) {
    // no caller to throw to: say it once, and leave the queue in place, harmless
    console.error(e);
    return;
  }
  w.slotwise = client;
  for (const [method, ...args] of queued ?? []) {
    const fn = (client as unknown as Record<string, unknown>)[method as string];
    try {
      if (typeof fn != 'function') throw new TypeError(`slotwise.${String(method)} is not a method`);
      fn.apply(client, args);
    } catch (e) {
      console.error('slotwise: queued call failed', e);
    }
  }
  // the widgets chunk, from next to this script, only once a widget element is on the page
  loadWidgetsWhenNeeded({ script });
}

start();

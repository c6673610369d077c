/**
 * `./net` in the script-tag build (rollup.config.mjs resolves the import there): the same
 * interface as net.ts, served by `slotwise-net.min.js` (requests and the lean answer checks),
 * which is loaded once, in parallel, as the core starts, from next to the core script (with its
 * nonce), and registers itself on a private global.
 *
 * Invariants:
 * - The core never waits for this module on its critical path: `track()`, the queue, the cached
 *   slot paint, reminders and the pagehide beacons run without it; only server requests wait.
 * - The module never breaks the core: when it fails to load (404, CSP) every waiting call rejects
 *   with one and the same error, also on later failed attempts until one succeeds (the client
 *   tells each error once: so the failure is reported once); the events stay in IndexedDB, and the
 *   next call (the transport's next flush attempt) tries to load it again.
 * - Options are checked when it arrives (`connect`): bad ones make every call reject with that
 *   `invalid_options` error, so nothing is sent; the client then closes itself.
 */
import { SlotwiseError } from './errors';
import type { connect as real } from './net';
import type { ClientOptions, Net } from './types';
import { besides, inject } from './widget-loader';

/** what slotwise-net.min.js registers (net-entry.ts) */
export interface Registered {
  v: string;
  connect: typeof real;
}

/** set by net-entry.ts: a waiting core's register function, or the module when it came first */
const KEY = '__slotwiseNet';

let from: { script?: HTMLScriptElement | null } = {};
let module: Promise<Registered> | undefined;
let failure: SlotwiseError | undefined;

/** Starts loading slotwise-net.min.js (URL: the script's `data-net-src`, else next to its `src`). */
export function load(o: { script?: HTMLScriptElement | null }): void {
  from = o;
  get().catch(() => {});
}

function get(): Promise<Registered> {
  return (module ??= new Promise<Registered>((resolve, reject) => {
    const g = globalThis as unknown as Record<string, unknown>;
    const script = from.script;
    const src = script?.dataset.netSrc ?? (script?.src && besides(script.src, 'slotwise-net.min.js'));
    const failed = (why: string) => reject((failure ??= new SlotwiseError('network', `slotwise-net.min.js ${why}; events are kept`)));
    // a chunk of another release would not fit this core (a stale cache): treated as not loaded
    const take = (m: Registered) =>
      m.v != __SDK_VERSION__ ? failed(`is ${m.v}, not ${__SDK_VERSION__}`) : ((g[KEY] = m), (failure = undefined), resolve(m));
    const here = g[KEY] as Registered | undefined;
    if (here?.connect) return take(here);
    if (!src) return failed('has no URL');
    g[KEY] = take;
    const el = inject(document, src, 'data-slotwise-net', script, script?.nonce, {
      // a script runs before its load event: still unregistered then, it was not the module
      onload: () => failed('did not register'),
      onerror: () => {
        el.remove();
        failed(`did not load from ${src}`);
      },
    });
  }).catch((e) => {
    module = undefined;
    throw e;
  }));
}

/** net.ts's `connect`, once the module is here. @see Net.ready */
export function connect(options: ClientOptions): Net {
  let net: Promise<Net> | undefined;
  const use = () =>
    (net ??= get().then(
      // throws invalid_options: kept, every call rejects with it
      (m) => m.connect(options),
      (e) => {
        net = undefined;
        throw e;
      },
    ));
  // each method: the same call on the module's Net, once it is here
  const lazy = { ready: use().then(() => {}) } as Record<string, unknown>;
  for (const k of ['send', 'decide', 'config', 'drain', 'ask', 'watch', 'follow'] satisfies Exclude<keyof Net, 'ready'>[])
    lazy[k] = (...a: unknown[]) => use().then((n) => (n[k] as (...a: unknown[]) => unknown)(...a));
  return lazy as unknown as Net;
}

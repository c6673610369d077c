/**
 * The rules the device evaluates, at start: the last good config saved on the device is applied
 * at once, so a start without network (or before slotwise-net.min.js arrived, in the script tag)
 * still runs yesterday's rules; then the network module keeps it fresh (`Net.follow`,
 * config-follow.ts: GET /v1/config on its TTL, and each new release from the config stream).
 *
 * Invariants: what is saved is the config the network module checked (saved records carry `v: 2`:
 * older ones held unchecked rules and are ignored); while the network module cannot be loaded,
 * the failure is reported and the start retried every 30 s (the module's own loader retries
 * once per call); `close()` leaves no timer behind.
 */
import { toSlotwiseError } from './errors';
import type { Core, Rules } from './types';

type Checked = Rules['config'];
const RETRY_MS = 30_000;

export interface RemoteConfig {
  close(): void;
}

export function createRemoteConfig(core: Core, apply: (config: Checked) => void): RemoteConfig {
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let off: (() => void) | undefined;

  const start = (held: { version?: string; release?: number; wait: number }) =>
    core.net.follow(core, apply, held).then(
      (f) => (closed ? f() : (off = f)),
      (e) => {
        core.report(toSlotwiseError('network', e));
        if (!closed) timer = setTimeout(start, RETRY_MS, held);
      },
    );

  core.kv
    .get<{ v: number; at: number; config: Checked }>('config')
    .catch(() => undefined)
    .then((saved) => {
      if (closed) return;
      // written by config-follow.ts after validation; checked for shape only, against a damaged record
      const c = saved?.v == 2 && saved.config;
      const ok = c && Array.isArray(c.tags) && Array.isArray(c.triggers);
      if (ok) apply(c);
      start(ok ? { version: c.version, release: c.release, wait: saved.at + c.ttlMs - core.now() } : { wait: 0 });
    });

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      off?.();
    },
  };
}

/**
 * The rules the device evaluates: GET /v1/config, refreshed on the config's own TTL. The last good
 * config is kept on the device, so a start without network still runs yesterday's rules.
 *
 * Invariants: a config that fails the contract is never applied (the last good one stays in
 * force); a bad rule is skipped and reported once per config version; a failed refresh is reported
 * and retried with backoff; `close()` leaves no timer behind.
 *
 * Live releases: while the page is open the network module listens to the config stream
 * (`Net.watch`, server-sent events) and a new release version refetches the config at once, with
 * If-None-Match. Without a stream (no EventSource, refused, or never opened) the config is
 * revalidated every `POLL_MS` and whenever the page becomes visible again: a 304 when unchanged.
 *
 * Validation happens in the network module (`core.net.config()`); what is saved is the checked
 * config, so a start without that module (the script tag, before slotwise-net.min.js arrived, or
 * when it cannot load) runs the saved rules at once. Saved records carry `v: 2`: older ones held
 * unchecked rules and are ignored.
 */
import { toSlotwiseError } from './errors';
import { save } from './rules';
import type { Core, Rules } from './types';

type Checked = Rules['config'];
const KEY = 'config';
/** never refresh more often than this, whatever the TTL says */
const MIN_MS = 10_000;
const RETRY_MS = 30_000;
/** revalidation without a stream */
const POLL_MS = 30_000;
const MAX_MS = 2 ** 31 - 1;

export interface RemoteConfig {
  refresh(): Promise<void>;
  close(): void;
}

export function createRemoteConfig(core: Core, apply: (config: Checked) => void): RemoteConfig {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let retry = RETRY_MS;
  let version: string | undefined;
  let release: number | undefined;
  let polled = false;
  let stop: Promise<() => void> | undefined;
  const visible = () => document.visibilityState == 'visible' && refresh();

  const later = (ms: number) => {
    clearTimeout(timer);
    if (!closed) timer = setTimeout(refresh, Math.min(Math.max(ms, MIN_MS), MAX_MS));
  };

  async function refresh() {
    try {
      const { config, problems } = await core.net.config();
      if (closed) return;
      if (config.version !== version) problems.forEach(core.report);
      version = config.version;
      release = config.release;
      apply(config);
      save(core, KEY, { v: 2, at: core.now(), config });
      retry = RETRY_MS;
      later(polled ? POLL_MS : config.ttlMs);
      // the first answer starts the stream; a release it announces that is not ours is fetched
      stop ??= core.net.watch(
        (r) => r != release && refresh(),
        () => {
          if (polled || closed) return;
          polled = true;
          later(POLL_MS);
          if (typeof document == 'object') document.addEventListener('visibilitychange', visible);
        },
      ).catch(() => () => {});
    } catch (e) {
      core.report(toSlotwiseError('network', e));
      later(retry);
      retry = Math.min(retry * 2, 3600_000);
    }
  }

  core.kv
    .get<{ v: number; at: number; config: Checked }>(KEY)
    .catch(() => undefined)
    .then((saved) => {
      if (closed) return;
      // written by us after validation; checked for shape only, against a damaged record
      const c = saved?.v == 2 && saved.config;
      const ok = c && Array.isArray(c.tags) && Array.isArray(c.triggers);
      if (ok) apply(c), (version = c.version);
      const wait = ok ? saved.at + c.ttlMs - core.now() : 0;
      if (wait > 0) later(wait);
      else return refresh();
    });

  return {
    refresh,
    close() {
      closed = true;
      clearTimeout(timer);
      stop?.then((f) => f());
      if (polled && typeof document == 'object') document.removeEventListener('visibilitychange', visible);
    },
  };
}

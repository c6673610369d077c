/**
 * The config's refresh loop, in the network module (slotwise-net.min.js in the script tag, so the
 * core carries only the saved-config start: remote-config.ts). GET /v1/config is refetched on the
 * config's own TTL; while the page is open the config stream (`Net.watch`, server-sent events)
 * announces each new release, which is fetched at once with If-None-Match. Without a stream (no
 * EventSource, refused, or never opened) the config is revalidated every `POLL_MS` and whenever the
 * page becomes visible again: a 304 when unchanged.
 *
 * Invariants: a config that fails the contract is never applied (the last good one stays in
 * force); a bad rule is skipped and reported once per config version; a failed refresh is reported
 * and retried with backoff; the returned stop function leaves no timer, listener or stream behind.
 */
import { toSlotwiseError } from './errors';
import { save } from './rules';
import type { Core, Net, Rules } from './types';

type Checked = Rules['config'];
/** where the checked config is saved on the device (read by remote-config.ts at start) */
export const CONFIG_KEY = 'config';
/** never refresh more often than this, whatever the TTL says */
const MIN_MS = 10_000;
const RETRY_MS = 30_000;
/** revalidation without a stream */
const POLL_MS = 30_000;
const MAX_MS = 2 ** 31 - 1;

/** what the device runs at start: the saved config's version and release, and how long it stays fresh (≤ 0: fetch now) */
export interface Held {
  version?: string;
  release?: number;
  wait: number;
}

/**
 * Keeps `apply` fed with the live config. `held` is what the device runs already: the saved
 * config's version and release, and how long it stays fresh (≤ 0: fetch now). The stream opens at
 * once either way: a page reloaded within the saved config's TTL hears of a newer release at the
 * stream's first event, not only once the TTL ran out.
 */
export function follow(net: Net, core: Core, apply: (config: Checked) => void, held: Held): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let retry = RETRY_MS;
  let version = held.version;
  let release = held.release;
  let polled = false;
  let stop: Promise<() => void> | undefined;
  const visible = () => document.visibilityState == 'visible' && refresh();

  const later = (ms: number) => {
    clearTimeout(timer);
    if (!closed) timer = setTimeout(refresh, Math.min(Math.max(ms, MIN_MS), MAX_MS));
  };

  async function refresh() {
    try {
      const { config, problems } = await net.config();
      if (closed) return;
      if (config.version !== version) problems.forEach(core.report);
      version = config.version;
      release = config.release;
      apply(config);
      save(core, CONFIG_KEY, { v: 2, at: core.now(), config });
      retry = RETRY_MS;
      later(polled ? POLL_MS : config.ttlMs);
      listen();
    } catch (e) {
      core.report(toSlotwiseError('network', e));
      later(retry);
      retry = Math.min(retry * 2, 3600_000);
    }
  }

  /** opens the stream once; a release it announces that is not the one applied is fetched */
  function listen() {
    stop ??= net
      .watch(
        (r) => r != release && refresh(),
        () => {
          if (polled || closed) return;
          polled = true;
          later(POLL_MS);
          if (typeof document == 'object') document.addEventListener('visibilitychange', visible);
        },
      )
      .catch(() => () => {});
  }

  if (held.wait > 0) later(held.wait), listen();
  else void refresh();

  return () => {
    closed = true;
    clearTimeout(timer);
    stop?.then((f) => f());
    if (polled && typeof document == 'object') document.removeEventListener('visibilitychange', visible);
  };
}

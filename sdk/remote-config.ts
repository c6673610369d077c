/**
 * The rules the device evaluates: GET /v1/config, refreshed on the config's own TTL. The last good
 * config is kept on the device, so a start without network still runs yesterday's rules.
 *
 * Invariants: a config that fails the contract is never applied (the last good one stays in
 * force); a failed refresh is reported and retried with backoff; `close()` leaves no timer behind.
 */
import type { Config } from './contract';
import { schemas } from './contract';
import { fetchJson } from './decisions';
import { toSlotwiseError } from './errors';
import { save } from './rules';
import type { Core } from './types';

const KEY = 'config';
/** never refresh more often than this, whatever the TTL says */
const MIN_MS = 10_000;
const RETRY_MS = 30_000;
const MAX_MS = 2 ** 31 - 1;

export interface RemoteConfig {
  refresh(): Promise<void>;
  close(): void;
}

export function createRemoteConfig(core: Core, apply: (config: Config) => void): RemoteConfig {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let retry = RETRY_MS;

  const later = (ms: number) => {
    clearTimeout(timer);
    if (!closed) timer = setTimeout(refresh, Math.min(Math.max(ms, MIN_MS), MAX_MS));
  };

  async function refresh() {
    try {
      const config = await fetchJson(core, '/v1/config', schemas().config);
      if (closed) return;
      apply(config);
      save(core, KEY, { at: core.now(), config });
      retry = RETRY_MS;
      later(config.ttlMs);
    } catch (e) {
      core.report(toSlotwiseError('network', e));
      later(retry);
      retry = Math.min(retry * 2, 3600_000);
    }
  }

  core.kv
    .get<{ at: number; config: unknown }>(KEY)
    .catch(() => undefined)
    .then((saved) => {
      if (closed) return;
      const v = saved && schemas().config.safeParse(saved.config);
      if (v?.success) apply(v.data);
      const wait = v?.success ? saved!.at + v.data.ttlMs - core.now() : 0;
      if (wait > 0) later(wait);
      else return refresh();
    });

  return {
    refresh,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

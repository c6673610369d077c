/**
 * App keys. Each key belongs to one app; events are stored under the app, so a rotated key keeps
 * the app's history. Keys come from `<dataDir>/keys.json` when it exists, else one `demo` key.
 *
 * @example keys.json
 * { "keys": [{ "key": "pk_live_3f9c", "app": "mobile-bank", "origins": ["https://bank.example"],
 *              "rateLimit": { "perSecond": 50, "burst": 200 } }] }
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { firstProblem, LIMITS } from '../../sdk/contract';

/** A token bucket: `burst` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface AppKey {
  /** what clients send as `x-slotwise-key` or `?key=` */
  key: string;
  /** the app the key is scoped to; stored as `events.app_key` and passed to the engine */
  app: string;
  /** origins allowed to use this key from a browser (patterns as in cors.ts); default: the server's */
  origins?: string[];
  /** this key's limit; `false` switches it off; default: the server's */
  rateLimit?: RateLimit | false;
}

export const DEFAULT_KEYS: AppKey[] = [{ key: 'demo', app: 'demo' }];

const keysFile = () => {
  const id = z.string().check(z.minLength(1), z.maxLength(LIMITS.id));
  const rateLimit = z.object({
    perSecond: z.number().check(z.positive()),
    burst: z.number().check(z.minimum(1)),
  });
  const key = z.object({
    key: id,
    app: id,
    origins: z.optional(z.array(z.string().check(z.maxLength(LIMITS.text)))),
    rateLimit: z.optional(z.union([rateLimit, z.literal(false)])),
  });
  return z.object({ keys: z.array(key).check(z.minLength(1), z.maxLength(10_000)) });
};

/** The keys in `<dataDir>/keys.json`, or `DEFAULT_KEYS`; throws naming the file and field when it is bad. */
export function loadKeys(dataDir: string): AppKey[] {
  const file = join(dataDir, 'keys.json');
  if (!existsSync(file)) return DEFAULT_KEYS;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not JSON: ${(error as Error).message}`);
  }
  const parsed = keysFile().safeParse(json);
  if (!parsed.success) throw new Error(`${file}: ${firstProblem(parsed.error).message}`);
  return parsed.data.keys;
}

/** Key lookup; duplicates are a configuration error rather than a silent last-one-wins. */
export function keyIndex(keys: AppKey[]): Map<string, AppKey> {
  const index = new Map<string, AppKey>();
  for (const k of keys) {
    if (index.has(k.key)) throw new Error(`app key "${k.key}" is configured twice`);
    index.set(k.key, k);
  }
  return index;
}

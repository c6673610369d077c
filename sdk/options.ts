/**
 * Client options: validated once, at construction, with defaults filled in. The one place the
 * SDK throws into the host: a bad config is a programming error the host must see at once.
 */
import * as z from 'zod/mini';
import { CHANNELS, CONSENT_STATES, LIMITS, firstProblem } from './contract';
import { SlotwiseError } from './errors';
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

const int = (min: number, max: number) => z.optional(z.int().check(z.minimum(min), z.maximum(max)));
const bool = () => z.optional(z.boolean());
const fn = () => z.optional(z.custom<never>((v) => typeof v == 'function', 'expected a function'));

const schema = () =>
  z.strictObject({
    appKey: z.string().check(z.minLength(1), z.maxLength(LIMITS.id)),
    endpoint: z.string().check(z.maxLength(LIMITS.text), z.regex(/^https?:\/\/[^\s/?#]+[^\s?#]*$/, 'expected an http(s) URL without query')),
    channel: z.optional(z.enum(CHANNELS)),
    consent: z.optional(z.enum(CONSENT_STATES)),
    autocapture: z.optional(
      z.union([z.literal(false), z.strictObject({ pageviews: bool(), clicks: bool(), visibility: bool() })]),
    ),
    flush: z.optional(z.strictObject({ count: int(1, LIMITS.batchEvents), intervalMs: int(0, 3_600_000) })),
    maxQueue: int(1, 1_000_000),
    fallback: z.optional(z.record(z.string(), z.array(z.unknown()))),
    decideTimeoutMs: int(1, 60_000),
    locale: z.optional(z.string().check(z.minLength(1), z.maxLength(35))),
    debug: bool(),
    nonce: z.optional(z.string()),
    fetch: fn(),
    indexedDB: z.optional(z.union([z.literal(false), z.custom<never>((v) => !!v && typeof v == 'object', 'expected an IDBFactory')])),
    now: fn(),
  });

/** @throws SlotwiseError `invalid_options`, its message naming the option */
export function resolveOptions(input: ClientOptions): ResolvedOptions {
  const result = schema().safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const problem =
      issue.code == 'unrecognized_keys'
        ? { message: `unknown option ${issue.keys.join(', ')}`, path: issue.keys[0]! }
        : issue.path.length
          ? firstProblem(result.error)
          : { message: 'expected an object { appKey, endpoint, … }', path: '' };
    throw new SlotwiseError('invalid_options', `slotwise: invalid options: ${problem.message}`, { path: problem.path });
  }
  const o = input;
  const auto = o.autocapture === false ? { pageviews: false, clicks: false, visibility: false } : o.autocapture;
  return {
    ...o,
    endpoint: o.endpoint.replace(/\/+$/, ''),
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

/**
 * Test helper: a seeded random `Fault` for the fault proxy (test/helpers/fault-proxy.ts). Each
 * request draws one action from a small PRNG seeded once, so a failing run is replayed with the
 * same seed (the order of requests still depends on timing, so a replay is close, not identical).
 *
 * The first requests meet every action once (seeded order), then actions are drawn by weight.
 * Actions: pass; delay (0–400 ms before forwarding, so requests overtake each other: reordering);
 * drop the request (the server never sees it); drop the answer (stored, the ack is lost);
 * duplicate (sent upstream twice, the second answer returned); truncate (a 200 cut to half its
 * body); 500; 429 with Retry-After: 1; timeout (held past the client's 10 s request timeout,
 * then forwarded late and cut). Every action ends the exchange in bounded time.
 *
 * @example
 * const chaos = seededChaos({ seed: 42 });
 * proxy.setMode(chaos.fault, { name: 'chaos' });
 * console.log(chaos.seed, chaos.counts);
 */
import type { Fault, FaultContext } from './fault-proxy';
import { prng } from '../../server-stub/engine/random';

export type ChaosAction = 'pass' | 'delay' | 'drop-request' | 'drop-response' | 'duplicate' | 'truncate' | '500' | '429' | 'timeout';

/** Relative weights; the default fails a bit over half of all requests. */
export const DEFAULT_WEIGHTS: Record<ChaosAction, number> = {
  pass: 40,
  delay: 15,
  'drop-request': 8,
  'drop-response': 8,
  duplicate: 8,
  truncate: 7,
  '500': 6,
  '429': 6,
  timeout: 2,
};

export interface ChaosOptions {
  /** default: SLOTWISE_FAULT_SEED from the environment, else a random 32-bit seed */
  seed?: number;
  weights?: Partial<Record<ChaosAction, number>>;
  /** how long a timeout holds the request; past the SDK's 10 s request timeout by default */
  timeoutMs?: number;
  /** longest extra delay of the `delay` action */
  maxDelayMs?: number;
  /** the first requests get every action once, in a seeded order, so a short run still meets each
   * kind of fault; then draws are random by weight. @default true */
  coverFirst?: boolean;
}

export interface Chaos {
  seed: number;
  fault: Fault;
  /** how often each action was drawn */
  counts: Record<ChaosAction, number>;
}

// the engine's seeded PRNG (mulberry32): the same seed gives the same sequence of faults
export { prng };

export function seedFromEnv(): number {
  const env = process.env.SLOTWISE_FAULT_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n)) throw new Error(`SLOTWISE_FAULT_SEED must be an integer, got ${JSON.stringify(env)}`);
    return n >>> 0;
  }
  return (Math.random() * 2 ** 32) >>> 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function seededChaos(o: ChaosOptions = {}): Chaos {
  const seed = (o.seed ?? seedFromEnv()) >>> 0;
  const random = prng(seed);
  const weights = { ...DEFAULT_WEIGHTS, ...o.weights };
  const actions = (Object.keys(weights) as ChaosAction[]).filter((a) => weights[a] > 0);
  const total = actions.reduce((n, a) => n + weights[a], 0);
  const timeoutMs = o.timeoutMs ?? 11_000;
  const maxDelayMs = o.maxDelayMs ?? 400;
  const counts = Object.fromEntries(Object.keys(DEFAULT_WEIGHTS).map((a) => [a, 0])) as Record<ChaosAction, number>;

  // Fisher–Yates with the seeded PRNG: the order of the covering draws depends on the seed alone
  const cover = o.coverFirst === false ? [] : [...actions];
  for (let i = cover.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [cover[i], cover[j]] = [cover[j]!, cover[i]!];
  }

  const pick = (): ChaosAction => {
    if (cover.length) return cover.pop()!;
    let r = random() * total;
    for (const a of actions) if ((r -= weights[a]) < 0) return a;
    return actions[actions.length - 1]!;
  };

  const act: Record<ChaosAction, (f: FaultContext, delay: number) => Promise<void> | void> = {
    pass: async (f) => f.reply(await f.forward()),
    delay: async (f, delay) => {
      await sleep(delay);
      f.reply(await f.forward());
    },
    'drop-request': (f) => f.destroy(),
    'drop-response': async (f) => {
      await f.forward();
      f.destroy();
    },
    duplicate: async (f) => {
      await f.forward();
      f.reply(await f.forward());
    },
    truncate: async (f) => {
      const up = await f.forward();
      // a 200 whose body is cut short: the client must not take it for an acknowledgement
      f.reply({ ...up, body: up.body.subarray(0, up.body.length >> 1) });
    },
    '500': (f) => f.answer(500, { error: { code: 'injected', message: 'chaos: injected 500', path: '' } }),
    '429': (f) => f.answer(429, { error: { code: 'rate_limited', message: 'chaos: injected 429', path: '' } }, { 'retry-after': '1' }),
    timeout: async (f) => {
      // the client gives up first; the request still reaches the server, late, like a slow network
      await sleep(timeoutMs);
      await f.forward().catch(() => {});
      f.destroy();
    },
  };

  const fault: Fault = (f) => {
    // both draws happen now, in request order, so the sequence depends on the seed alone
    const action = pick();
    const delay = Math.floor(random() * maxDelayMs);
    counts[action]++;
    return act[action](f, delay);
  };
  return { seed, fault, counts };
}

/**
 * The decision log: one row per decision in `engine_decisions`, its served items as compact JSON
 * (the `engine_decision_items` view unfolds them, see schema.ts). Decisions are buffered, packed and
 * handed to the background writer (writer.ts) every `flushMs`, so neither building the JSON nor
 * SQLite runs on the thread that answers requests.
 */
import { CATEGORICAL, NUMERIC } from './features';
import type { Writer } from './writer';

export interface LoggedItem {
  slot: string;
  item: string;
  position: number;
  strategy: string;
  score: number;
  explored: 0 | 1;
  /** the feature vector the item was scored on (NaN / '' = absent) */
  num: ArrayLike<number>;
  cat: string[];
}

export interface Decision {
  decisionId: string;
  app: string;
  /** null when personalisation is off: the log then keeps no user */
  userKey: string | null;
  personalized: boolean;
  model: string;
  ts: number;
  items: LoggedItem[];
}

export interface DecisionLog {
  add(decision: Decision): void;
  /** hands everything buffered to the writer now */
  flush(): void;
  close(): void;
}

/**
 * Decisions as they cross to the writer: one typed array and two short string lists per batch,
 * which clone far faster than a graph of small objects, and cost the writer thread no string per
 * item. Per decision `meta` holds 4 strings (id, app, user key or null, model) and `nums` holds
 * personalised 0/1, ts and the item count, then per item `[slot, item, position, strategy, score,
 * explored, ...numeric features, ...levels]`, with slot, item, strategy and levels as indices into
 * `words` (the batch's distinct strings; −1: no level) and NaN for an absent feature.
 */
export interface Batch {
  meta: (string | null)[];
  words: string[];
  nums: Float64Array;
}

/**
 * The rows of `engine_decisions` for a batch: each decision's items as compact JSON (format 2, see
 * schema.ts) — `{"w": [its distinct strings], "i": [[slot, item, position, strategy, score,
 * explored, ...numeric features, ...levels], …]}` with the strings as indices into `w`, absent
 * levels and absent or non-finite features null, features and score to 4 decimals.
 *
 * It also runs inside the writer worker, rebuilt from its source text, so it uses nothing but its
 * arguments and built-ins.
 */
export function rowsOf(batch: Batch, numeric: readonly string[], categorical: readonly string[]): unknown[][] {
  const quoted = batch.words.map((w) => JSON.stringify(w));
  /** per batch word: its index in the current decision's `w`, valid while `stamp` is the decision's */
  const local = new Int32Array(quoted.length);
  const stamp = new Int32Array(quoted.length).fill(-1);
  /**
   * String(Math.round(v * 1e4) / 1e4), from integers: the shortest form of k / 1e4 is k's decimal
   * digits with 4 places, trailing zeros dropped, and integers print faster than doubles
   */
  const fixed4 = (v: number): string => {
    const k = Math.round(v * 1e4);
    if (!Number.isFinite(k)) return 'null';
    if (k !== (k | 0)) return String(k / 1e4);
    const a = k < 0 ? -k : k;
    let f = a % 10000;
    if (f === 0) return String(k / 1e4);
    let places = 4;
    while (f % 10 === 0) {
      f /= 10;
      places--;
    }
    const digits = String(f);
    return (k < 0 ? '-' : '') + String((a - (a % 10000)) / 10000) + '.' + '000'.slice(0, places - digits.length) + digits;
  };
  const x = batch.nums;
  const rows: unknown[][] = [];
  let at = 0;
  for (let d = 0; d < batch.meta.length / 4; d++) {
    const personalized = x[at]!;
    const ts = x[at + 1]!;
    const items = new Array<string>(x[at + 2]!);
    const words: string[] = [];
    const word = (code: number) => {
      if (stamp[code] !== d) {
        stamp[code] = d;
        local[code] = words.length;
        words.push(quoted[code]!);
      }
      return local[code]!;
    };
    at += 3;
    for (let k = 0; k < items.length; k++) {
      let item = '[' + word(x[at]!) + ',' + word(x[at + 1]!) + ',' + x[at + 2] + ',' + word(x[at + 3]!) + ',' + fixed4(x[at + 4]!) + ',' + x[at + 5];
      at += 6;
      for (let j = 0; j < numeric.length; j++, at++) item += Number.isNaN(x[at]!) ? ',null' : ',' + fixed4(x[at]!);
      for (let j = 0; j < categorical.length; j++, at++) item += x[at]! < 0 ? ',null' : ',' + word(x[at]!);
      items[k] = item + ']';
    }
    const m = d * 4;
    rows.push([batch.meta[m], batch.meta[m + 1], batch.meta[m + 2], personalized, batch.meta[m + 3], ts, '{"w":[' + words.join(',') + '],"i":[' + items.join(',') + ']}']);
  }
  return rows;
}

export function createDecisionLog(writer: Writer, { flushMs = 50, maxBuffered = 500 } = {}): DecisionLog {
  const perItem = 6 + NUMERIC.length + CATEGORICAL.length;
  let meta: (string | null)[] = [];
  let words = new Map<string, number>();
  /** reused between batches; each batch gets a copy of what it used */
  let nums = new Float64Array(4096);
  let used = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const word = (w: string) => {
    let code = words.get(w);
    if (code === undefined) words.set(w, (code = words.size));
    return code;
  };

  function handOver(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!meta.length) return;
    const batch: Batch = { meta, words: [...words.keys()], nums: nums.slice(0, used) };
    meta = [];
    words = new Map();
    used = 0;
    writer.write({ decisions: batch });
  }

  return {
    add(d) {
      if (closed || !d.items.length) return;
      const need = used + 3 + d.items.length * perItem;
      if (need > nums.length) {
        const grown = new Float64Array(Math.max(need, nums.length * 2));
        grown.set(nums.subarray(0, used));
        nums = grown;
      }
      meta.push(d.decisionId, d.app, d.userKey, d.model);
      const x = nums;
      let at = used;
      x[at++] = d.personalized ? 1 : 0;
      x[at++] = d.ts;
      x[at++] = d.items.length;
      for (const i of d.items) {
        x[at++] = word(i.slot);
        x[at++] = word(i.item);
        x[at++] = i.position;
        x[at++] = word(i.strategy);
        x[at++] = i.score;
        x[at++] = i.explored;
        for (let j = 0; j < NUMERIC.length; j++) x[at++] = i.num[j] ?? NaN;
        for (let j = 0; j < CATEGORICAL.length; j++) x[at++] = i.cat[j] ? word(i.cat[j]!) : -1;
      }
      used = at;
      if (meta.length >= maxBuffered * 4) handOver();
      else if (!timer) {
        timer = setTimeout(handOver, flushMs);
        timer.unref?.();
      }
    },
    flush: handOver,
    close() {
      handOver();
      closed = true;
    },
  };
}

/**
 * The decision log: one row per decision in `engine_decisions`, its served items as JSON (the
 * `engine_decision_items` view unfolds them, see schema.ts). Decisions are buffered, packed and
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
 * Decisions as they cross to the writer: per decision 6 `meta` values (id, app, user key,
 * personalised 0/1, model, ts) and an item count; per item `3 + categorical` strings (slot, item,
 * strategy, levels) and `3 + numeric` numbers (position, score, explored, features) — one typed
 * array and two plain arrays per batch, which clone far faster than a graph of small objects.
 */
export interface Batch {
  meta: (string | number | null)[];
  counts: number[];
  strings: string[];
  nums: Float64Array;
}

/**
 * The rows of `engine_decisions` for a batch: the items as JSON, features by name, absent ones left
 * out, numbers to 4 decimals. It also runs inside the writer worker, rebuilt from its source text,
 * so it uses nothing but its arguments and built-ins.
 */
export function rowsOf(batch: Batch, numeric: readonly string[], categorical: readonly string[]): unknown[][] {
  const rows: unknown[][] = [];
  const sw = 3 + categorical.length;
  const nw = 3 + numeric.length;
  let item = 0;
  for (let d = 0; d < batch.counts.length; d++) {
    let json = '';
    for (let k = 0; k < batch.counts[d]!; k++, item++) {
      const s = item * sw;
      const n = item * nw;
      let f = '';
      for (let j = 0; j < numeric.length; j++) {
        const x = batch.nums[n + 3 + j]!;
        if (Number.isNaN(x)) continue;
        const r = Math.round(x * 1e4) / 1e4;
        f += (f ? ',' : '') + '"' + numeric[j] + '":' + (Number.isFinite(r) ? String(r) : 'null');
      }
      for (let j = 0; j < categorical.length; j++) {
        const level = batch.strings[s + 3 + j];
        if (level) f += (f ? ',' : '') + '"' + categorical[j] + '":' + JSON.stringify(level);
      }
      json +=
        (json ? ',' : '') +
        '{"slot":' + JSON.stringify(batch.strings[s]) + ',"item":' + JSON.stringify(batch.strings[s + 1]) + ',"position":' + batch.nums[n] +
        ',"strategy":' + JSON.stringify(batch.strings[s + 2]) + ',"score":' + batch.nums[n + 1] + ',"explored":' + batch.nums[n + 2] + ',"features":{' + f + '}}';
    }
    rows.push([...batch.meta.slice(d * 6, d * 6 + 6), '[' + json + ']']);
  }
  return rows;
}

export function createDecisionLog(writer: Writer, { flushMs = 50, maxBuffered = 500 } = {}): DecisionLog {
  let meta: (string | number | null)[] = [];
  let counts: number[] = [];
  let strings: string[] = [];
  let nums: number[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function handOver(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!counts.length) return;
    const batch: Batch = { meta, counts, strings, nums: Float64Array.from(nums) };
    meta = [];
    counts = [];
    strings = [];
    nums = [];
    writer.write({ decisions: batch });
  }

  return {
    add(d) {
      if (closed || !d.items.length) return;
      meta.push(d.decisionId, d.app, d.userKey, d.personalized ? 1 : 0, d.model, d.ts);
      counts.push(d.items.length);
      for (const i of d.items) {
        strings.push(i.slot, i.item, i.strategy);
        for (let j = 0; j < CATEGORICAL.length; j++) strings.push(i.cat[j] ?? '');
        nums.push(i.position, i.score, i.explored);
        for (let j = 0; j < NUMERIC.length; j++) nums.push(i.num[j] ?? NaN);
      }
      if (counts.length >= maxBuffered) handOver();
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

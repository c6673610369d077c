/**
 * The decision log: one row per decision in `engine_decisions`, its served items as compact JSON
 * (the `engine_decision_items` view unfolds them, see schema.ts). Decisions are buffered, packed and
 * handed to the background writer (writer.ts) every `flushMs`, so neither building the JSON nor
 * SQLite runs on the thread that answers requests.
 */
import type { Batch } from './decision-rows';
import { CATEGORICAL, NUMERIC } from './feature-names';
import type { Writer } from './writer';

export { rowsOf, type Batch } from './decision-rows';

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
  /** the campaign that placed or boosted it, if one did */
  campaign?: string;
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
  /** the catalog items of the pools this request drew from whose risk level is above the customer's cap */
  suitabilityRemoved?: number;
}

export interface DecisionLog {
  add(decision: Decision): void;
  /** hands everything buffered to the writer now */
  flush(): void;
  close(): void;
}

export function createDecisionLog(writer: Pick<Writer, 'write'>, { flushMs = 50, maxBuffered = 500 } = {}): DecisionLog {
  const perItem = 7 + NUMERIC.length + CATEGORICAL.length;
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
      const need = used + 4 + d.items.length * perItem;
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
      x[at++] = d.suitabilityRemoved ?? 0;
      for (const i of d.items) {
        x[at++] = word(i.slot);
        x[at++] = word(i.item);
        x[at++] = i.position;
        x[at++] = word(i.strategy);
        x[at++] = i.score;
        x[at++] = i.explored;
        for (let j = 0; j < NUMERIC.length; j++) x[at++] = i.num[j] ?? NaN;
        for (let j = 0; j < CATEGORICAL.length; j++) x[at++] = i.cat[j] ? word(i.cat[j]!) : -1;
        x[at++] = i.campaign ? word(i.campaign) : -1;
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

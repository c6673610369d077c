/**
 * The decision log's wire and row layout: how a batch of decisions crosses to the writer thread
 * and the `engine_decisions` rows it becomes. A leaf module, so the log and its writer share it
 * without importing each other.
 */

/**
 * Decisions as they cross to the writer: one typed array and two short string lists per batch,
 * which clone far faster than a graph of small objects, and cost the writer thread no string per
 * item. Per decision `meta` holds 4 strings (id, app, user key or null, model) and `nums` holds
 * personalised 0/1, ts, the item count and the candidates suitability removed, then per item `[slot,
 * item, position, strategy, score, explored, ...numeric features, ...levels, campaign]`, with slot,
 * item, strategy, levels and campaign as indices into `words` (the batch's distinct strings; −1: no
 * level, no campaign) and NaN for an absent feature.
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
 * levels and absent or non-finite features null, features and score to 4 decimals; then, only when
 * there is one, `"c": [per item its campaign as an index into w, or null]` and `"r": <candidates
 * suitability removed>` (absent: none, and so for every row logged before they were).
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
    const removed = x[at + 3]!;
    const campaigns = new Array<string>(items.length);
    let anyCampaign = false;
    const words: string[] = [];
    const word = (code: number) => {
      if (stamp[code] !== d) {
        stamp[code] = d;
        local[code] = words.length;
        words.push(quoted[code]!);
      }
      return local[code]!;
    };
    at += 4;
    for (let k = 0; k < items.length; k++) {
      let item = '[' + word(x[at]!) + ',' + word(x[at + 1]!) + ',' + x[at + 2] + ',' + word(x[at + 3]!) + ',' + fixed4(x[at + 4]!) + ',' + x[at + 5];
      at += 6;
      for (let j = 0; j < numeric.length; j++, at++) item += Number.isNaN(x[at]!) ? ',null' : ',' + fixed4(x[at]!);
      for (let j = 0; j < categorical.length; j++, at++) item += x[at]! < 0 ? ',null' : ',' + word(x[at]!);
      items[k] = item + ']';
      campaigns[k] = x[at]! < 0 ? 'null' : ((anyCampaign = true), String(word(x[at]!)));
      at++;
    }
    const m = d * 4;
    rows.push([batch.meta[m], batch.meta[m + 1], batch.meta[m + 2], personalized, batch.meta[m + 3], ts, '{"w":[' + words.join(',') + '],"i":[' + items.join(',') + ']' + (anyCampaign ? ',"c":[' + campaigns.join(',') + ']' : '') + (removed > 0 ? ',"r":' + removed : '') + '}']);
  }
  return rows;
}

/**
 * Sums by catalog index, in typed arrays: what a `Map<number, number>` does for the co-view scores
 * of a request (up to a few hundred entries), without a boxed number per value or a hash table
 * that is regrown entry by entry. Entries are kept in insertion order; a small open-addressing
 * index (linear probing, at most half full) finds them.
 */
export class IxSums {
  /** entry i: catalog index `ix[i]`, sum `value[i]`, for i < size, in insertion order */
  ix: Int32Array;
  value: Float64Array;
  size = 0;
  /** hash slot → entry + 1 (0: empty) */
  private slots: Int32Array;

  constructor(capacity = 16) {
    capacity = 2 ** Math.ceil(Math.log2(Math.max(2, capacity)));
    this.ix = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
    this.slots = new Int32Array(capacity * 2);
  }

  /** The sum at `ix`, 0 when there is none. */
  get(ix: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let h = Math.imul(ix, 0x9e3779b1) & mask; ; h = (h + 1) & mask) {
      const e = slots[h]!;
      if (e === 0) return 0;
      if (this.ix[e - 1] === ix) return this.value[e - 1]!;
    }
  }

  /** Adds `v` to the sum at `ix` (a new entry starts at 0 + v). */
  add(ix: number, v: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let h = Math.imul(ix, 0x9e3779b1) & mask;
    for (; ; h = (h + 1) & mask) {
      const e = slots[h]!;
      if (e === 0) break;
      if (this.ix[e - 1] === ix) {
        this.value[e - 1]! += v;
        return;
      }
    }
    if (this.size === this.ix.length) {
      this.grow();
      this.add(ix, v);
      return;
    }
    this.ix[this.size] = ix;
    this.value[this.size] = 0 + v;
    slots[h] = ++this.size;
  }

  private grow(): void {
    const n = this.ix.length * 2;
    const ix = new Int32Array(n);
    ix.set(this.ix);
    const value = new Float64Array(n);
    value.set(this.value);
    this.ix = ix;
    this.value = value;
    const slots = (this.slots = new Int32Array(n * 2));
    const mask = slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      let h = Math.imul(ix[e]!, 0x9e3779b1) & mask;
      while (slots[h] !== 0) h = (h + 1) & mask;
      slots[h] = e + 1;
    }
  }
}

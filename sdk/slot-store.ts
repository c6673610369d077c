/**
 * The slot store: the last decision per user, page and slot on the device, and the current state
 * of every slot in memory for subscribers.
 *
 * Invariants:
 * - Entries are keyed by user, personalisation, slot and page: one user's items never show for
 *   another, and items chosen with personal features never show once personalisation is off.
 * - A subscriber gets the current state synchronously, then every change.
 * - An item the user dismissed is shown again neither from memory nor from the device's cache.
 * - Entries are kept past their TTL (a stale entry still paints a page at once) for a week.
 */
import { toSlotwiseError } from './errors';
import { fail, personal, save } from './rules';
import type { Core, SlotItem, SlotState } from './types';

/** one slot's cached decision */
export interface Entry {
  items: SlotItem[];
  decisionId: string;
  /** expiry: the server's ttlMs after the answer */
  exp: number;
}

const S = 'slot:';
const KEEP = 7 * 864e5;

export interface SlotStore {
  read(page: string, slotId: string): Promise<Entry | undefined>;
  write(page: string, slotId: string, entry: Entry): void;
  get(slotId: string): SlotState | undefined;
  publish(state: SlotState): void;
  subscribe(slotId: string, fn: (state: SlotState) => void): () => void;
  /** ids of the items the user dismissed in this page's life */
  gone: Set<string>;
  /** hides an item everywhere: current states and every cached slot of this user */
  drop(itemId: string): void;
  clear(): Promise<void>;
}

export function createSlotStore(core: Core): SlotStore {
  const states = new Map<string, SlotState>();
  const subs = new Map<string, Set<(state: SlotState) => void>>();
  const gone = new Set<string>();
  // entries of this page's life: no kv round trip, and a cache under pending consent
  const mem = new Map<string, Entry>();
  let pruned = false;

  const user = () => {
    const { userId, anonymousId } = core.identity();
    return `${S}${userId ?? anonymousId}\u0001${+personal(core)}\u0001`;
  };
  const key = (page: string, slotId: string) => `${user()}${slotId}\u0001${page}`;
  const visible = (e: Entry): Entry => ({ ...e, items: e.items.filter((i) => !gone.has(i.id)) });

  const call = (fn: (state: SlotState) => void, state: SlotState) => {
    try {
      fn(state);
    } catch (e) {
      core.report(toSlotwiseError('listener_failed', e));
    }
  };
  function publish(state: SlotState) {
    states.set(state.slotId, state);
    for (const fn of subs.get(state.slotId) ?? []) call(fn, state);
  }

  const all = async (prefix: string) => {
    const keys = await core.kv.keys(prefix);
    return Promise.all(keys.map(async (k) => [k, await core.kv.get<Entry>(k)] as const));
  };

  return {
    gone,
    async read(page, slotId) {
      const k = key(page, slotId);
      const e = mem.get(k) ?? (await core.kv.get<Entry>(k).catch(fail(core)));
      return e && Array.isArray(e.items) ? visible(e) : undefined;
    },
    write(page, slotId, entry) {
      const k = key(page, slotId);
      mem.set(k, entry);
      save(core, k, entry);
      if (pruned) return;
      pruned = true;
      all(S)
        .then((list) => list.forEach(([k, e]) => (!e || e.exp < core.now() - KEEP) && core.kv.del(k)))
        .catch(fail(core));
    },
    get: (slotId) => states.get(slotId),
    publish,
    subscribe(slotId, fn) {
      const set = subs.get(slotId) ?? new Set();
      subs.set(slotId, set.add(fn));
      if (!states.has(slotId)) states.set(slotId, { slotId, items: [], status: 'loading' });
      call(fn, states.get(slotId)!);
      return () => void set.delete(fn);
    },
    drop(itemId) {
      gone.add(itemId);
      for (const s of states.values())
        if (s.items.some((i) => i.id == itemId)) publish({ ...s, items: s.items.filter((i) => i.id != itemId) });
      for (const [k, e] of mem) mem.set(k, visible(e));
      all(user())
        .then((list) => list.forEach(([k, e]) => e?.items?.some((i) => i.id == itemId) && save(core, k, visible(e))))
        .catch(fail(core));
    },
    async clear() {
      mem.clear();
      gone.clear();
      await Promise.all((await core.kv.keys(S)).map((k) => core.kv.del(k))).catch(fail(core));
    },
  };
}

/**
 * The slot store: the last decision per user, page and slot on the device, and the current state
 * of every slot in memory for subscribers.
 *
 * Invariants:
 * - Entries are keyed by identity (user, risk tolerance, personalisation: `who()`), slot and page:
 *   one user's items never show for another, items chosen for one tolerance never show under
 *   another, and items chosen with personal features never show once personalisation is off.
 * - `withdraw()` takes every item on show down at once (the identity changed; what it showed was
 *   chosen for the last one).
 * - A subscriber gets the current state synchronously, then every change.
 * - An item the user dismissed is shown again neither from memory nor from the device's cache.
 * - Entries are kept past their TTL (a stale entry still paints a page at once) for a week.
 * - Cached paint in one frame: the entries of the page the client starts on are read from the
 *   device once, at start (one key listing in the same IndexedDB round as the stored identity,
 *   then this page's entries at once), into memory. They are handed out only after `core.ready`
 *   settled, under the key of the user and personalisation current at that moment, so a
 *   provisional identity (or personalisation the user had switched off) never sees them. From
 *   then on subscribe() answers a slot of this page synchronously with its `cache` state; a slot
 *   subscribed earlier gets `loading`, then `cache` the moment the read ends, before any network.
 * - publish() of a state equal to the current one (status, decision, staleness, item ids) is
 *   not told again: the start read and decide() may both paint the same cached entry.
 */
import { toSlotwiseError } from './errors';
import { fail, personal, save } from './rules';
import type { Core, SlotEntry, SlotItem, SlotState } from './types';

/** one slot's cached decision (declared in types.ts, which the network module's half shares) */
export type Entry = SlotEntry;

/** a slot's state from an entry; one without items is `empty` */
export const state = (slotId: string, e: Entry, status: SlotState['status'], stale?: boolean): SlotState => ({
  slotId,
  items: e.items,
  decisionId: e.decisionId,
  status: e.items.length ? status : 'empty',
  ...(stale ? { stale } : {}),
});

const S = 'slot:';
const KEEP = 7 * 864e5;

export interface SlotStore {
  /** the identity the cache is keyed by now: decisions compare it before and after a request */
  who(): string;
  read(page: string, slotId: string): Promise<Entry | undefined>;
  write(page: string, slotId: string, entry: Entry): void;
  get(slotId: string): SlotState | undefined;
  publish(state: SlotState): void;
  /** every slot showing items shows `loading` instead */
  withdraw(): void;
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
  let warm = false;

  const user = () => {
    const { userId, anonymousId } = core.identity();
    return `${S}${userId ?? anonymousId}\u0001`;
  };
  const who = () => `${user()}${core.identity().riskTolerance ?? ''}\u0001${+personal(core)}\u0001`;
  const key = (page: string, slotId: string) => `${who()}${slotId}\u0001${page}`;
  const visible = (e: Entry): Entry => ({ ...e, items: e.items.filter((i) => !gone.has(i.id)) });
  const page = () => core.context().page?.path ?? '';
  const sig = (s?: SlotState) => s && [s.status, s.decisionId, s.stale, ...s.items.map((i) => i.id)].join();
  /** this page's cached state of a slot, from memory */
  const cached = (slotId: string): SlotState | undefined => {
    const e = warm ? mem.get(key(page(), slotId)) : undefined;
    const v = e && visible(e);
    return v?.items.length ? state(slotId, v, 'cache', v.exp <= core.now()) : undefined;
  };

  const call = (fn: (state: SlotState) => void, state: SlotState) => {
    try {
      fn(state);
    } catch (e) {
      core.report(toSlotwiseError('listener_failed', e));
    }
  };
  function publish(state: SlotState) {
    if (sig(state) == sig(states.get(state.slotId))) return;
    states.set(state.slotId, state);
    for (const fn of subs.get(state.slotId) ?? []) call(fn, state);
  }

  /** the entries under `prefix` whose key ends with `end` */
  const all = async (prefix: string, end = '') => {
    const keys = (await core.kv.keys(prefix)).filter((k) => k.endsWith(end));
    return Promise.all(keys.map(async (k) => [k, await core.kv.get<Entry>(k)] as const));
  };

  const started = Promise.all([
    all(S, '\u0001' + page()),
    // core.ready is set by createClient right after createSlots returns
    Promise.resolve().then(() => core.ready?.catch(() => {})),
  ])
    .then(([list]) => list.forEach(([k, e]) => k.startsWith(who()) && Array.isArray(e?.items) && !mem.has(k) && mem.set(k, e!)))
    .catch(fail(core))
    .then(() => {
      warm = true;
      for (const [id, s] of states) if (s.status == 'loading') publish(cached(id) ?? s);
    });

  return {
    gone,
    who,
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
    withdraw() {
      for (const s of states.values()) if (s.items.length) publish({ slotId: s.slotId, items: [], status: 'loading' });
    },
    subscribe(slotId, fn) {
      const set = subs.get(slotId) ?? new Set();
      subs.set(slotId, set.add(fn));
      if (!states.has(slotId)) states.set(slotId, cached(slotId) ?? { slotId, items: [], status: 'loading' });
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
      // after the start read, or it could put back what is cleared here
      await started;
      mem.clear();
      gone.clear();
      await Promise.all((await core.kv.keys(S)).map((k) => core.kv.del(k))).catch(fail(core));
    },
  };
}

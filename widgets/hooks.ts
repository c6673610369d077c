/**
 * The widgets' bridge to the client: follow a slot, report viewability, remember what the user
 * closed. Every client call is guarded so a widget never throws into the host page.
 */
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import type { Item, SlotKind, SlotState, SlotwiseClient } from '../sdk/index';

/**
 * Follows one slot: asks for it when mounted (and when the request changes) and takes every state
 * the client publishes for it. Starts as `loading`. The request is made in a layout effect, i.e.
 * in the same tick as the render, so widgets rendered together are coalesced by the client into one
 * decide request. A failed request is `fallback` with no items.
 * @example const { items, status } = useSlot(client, 'home.today', 'picks', 4)
 */
export function useSlot(
  client: SlotwiseClient | undefined,
  slotId: string | undefined,
  kind: SlotKind,
  count: number,
  exclude?: string[],
  /** the page the slot is cached under; default the current one */
  page?: string,
): SlotState {
  const [state, setState] = useState<SlotState>({ slotId: slotId || '', items: [], status: 'loading' });
  const key = exclude ? exclude.join() : '';
  // the contract allows 1…50 items per slot
  count = Math.min(50, Math.max(1, count | 0));
  useLayoutEffect(() => {
    if (!client || !slotId) return;
    let live = true;
    // a `loading` after items is the client withdrawing them (identify, reset, personalisation):
    // they were chosen for someone else and go now, not when the new answer arrives
    const take = (next?: SlotState) => live && next && setState(next);
    // the client never throws and its decide never rejects; `fail` is for a foreign client
    const off = client.subscribe(slotId, take);
    client.decide([{ id: slotId, kind, count, ...(exclude?.length && { exclude }) }], page ? { page } : undefined).then(
      (d) => take(d.slots[slotId]),
      () => take({ slotId, items: [], status: 'fallback' }),
    );
    return () => {
      live = false;
      off();
    };
  }, [client, slotId, kind, count, key, page]);
  return state;
}

/**
 * A ref that reports the item's impression through the client's viewability rule
 * (≥ 50 % visible for ≥ 1 s, once per decision and item).
 */
export function useImpression(client: SlotwiseClient | undefined, item: Item, slotId?: string) {
  const ref = useNode<HTMLElement>();
  useEffect(() => {
    if (client && ref.current) return client.observeImpression(ref.current, item, slotId);
  }, [client, item, slotId]);
  return ref;
}

/**
 * A ref to an element for the life of the component: Preact's useRef, minus the useMemo it is
 * made of (the widgets chunk carries no other use of it).
 */
export const useNode = <T>() => useState<{ current: T | null }>(() => ({ current: null }))[0];

const KEY = 'sw:hidden';
/** far enough to mean "for good"; small enough to survive JSON */
const EVER = 1e13;

/**
 * What the user closed (for good) or snoozed (for `ms`), by item or reminder id, kept in
 * localStorage so it stays hidden across pages (memory only where storage is refused). Re-renders
 * when the next snooze ends. Returns `[isHidden, hide, ids hidden now]`.
 */
export function useHidden(): [(id: string) => boolean, (id: string, ms?: number) => void, string[]] {
  const [until, setUntil] = useState<Record<string, number>>(read);
  const now = Date.now();
  const live = Object.keys(until).filter((id) => until[id] > now);
  const next = Math.min(...live.map((id) => until[id]));
  useEffect(() => {
    // timers cap at 2^31 ms: a longer wait (or none, Infinity) just checks again then
    const t = setTimeout(() => setUntil((u) => ({ ...u })), Math.min(next - Date.now(), 2e9));
    return () => clearTimeout(t);
  }, [next]);
  const hide = (id: string, ms = EVER) =>
    setUntil((u) => {
      const t = Date.now();
      const kept = Object.fromEntries(Object.entries({ ...u, [id]: t + ms }).filter((e) => e[1] > t).slice(-200));
      try {
        localStorage.setItem(KEY, JSON.stringify(kept));
      } catch {
        // private mode or a sandboxed frame: hidden for this page only
      }
      return kept;
    });
  return [(id) => until[id] > Date.now(), hide, live];
}

function read(): Record<string, number> {
  try {
    // anything else stored there reads as nothing hidden (its entries are never in the future)
    return JSON.parse(localStorage.getItem(KEY)!) || {};
  } catch {
    return {};
  }
}

/**
 * What a slot widget shows: the slot's items (when it ends up empty, the widget's own fallback), minus
 * what the user hid. Hidden ids go out as the slot's `exclude`, read once per mount so that hiding
 * a card does not refetch the view under the user's hands.
 */
export function useItems(
  client: SlotwiseClient | undefined,
  slotId: string | undefined,
  kind: SlotKind,
  count: number,
  fallback?: Item[],
) {
  const [hidden, hide, ids] = useHidden();
  const [exclude] = useState(ids);
  const state = useSlot(client, slotId, kind, count, exclude);
  const items = state.items.length || state.status == 'loading' ? state.items : fallback || [];
  return { state, items: items.filter((i) => !hidden(i.id)), hidden, hide };
}

/**
 * decide() and prefetch(): slot requests coalesced into one POST /v1/decide, answered from the
 * slot store at once where it can, revalidated in the background, with a time budget and a
 * fallback chain.
 *
 * Invariants:
 * - Coalescing: every request for one page made in the same tick joins one batch. The batch is
 *   sent once the tick ended and every member has read its cache, so it asks only for slots
 *   without a fresh entry; a batch where all are fresh sends nothing.
 * - The answer is untrusted: read with a size cap, parsed, validated with the contract; anything
 *   else is a reported error and the callers fall back. An answer arriving after the budget still
 *   fills the cache and the subscribers of slots still showing that page.
 * - Fallback order per slot: cached items (even stale), then `options.fallback[slotId]`, then an
 *   empty slot. decide() never rejects.
 * - A cached entry is fresh for a request only if it was asked with at least that count and the
 *   same kind (the count asked, not the items received: a server may hold fewer). Asking for more
 *   still paints the cached items at once and revalidates; asking for fewer gets the first ones.
 * - Suitability: a request carries the user and risk tolerance the device holds when it is sent.
 *   Its answer is cached and shown only under that identity (`store.who()`, compared when the
 *   answer arrives, synchronously before it is written); an identify or reset in between discards
 *   it, and a decide() still waiting asks again for the new identity. Cached items are read and
 *   painted under one identity too. The server enforces suitability on its answers; the host's
 *   fallback items, which no server saw, are checked here (risk ≤ the tolerance held, R2 if none).
 *
 * The request itself (building the POST, caching and showing its answer) is decide-send.ts, served
 * by the network module (`Net.ask`): in the script tag it comes with slotwise-net.min.js, and a
 * module that did not load is a failed request like any other.
 */
import { LIMITS, SLOT_KINDS, type Item, type SlotRequest } from './contract';
import { SlotwiseError, toSlotwiseError } from './errors';
import { state, type Entry, type SlotStore } from './slot-store';
import type { Asker, Core, Decision, SlotItem, SlotState, Slots } from './types';

const isId = (v: unknown) => typeof v == 'string' && !!v && v.length <= LIMITS.id;

/**
 * A slot request as the contract's `slotRequest` has it, or what is wrong with it. Checked by
 * hand, not with zod: decide() runs in the core, before the network module is here.
 */
export function slotRequest(r: unknown, i: number): SlotRequest | string {
  const { id, kind, count, exclude } = (r ?? {}) as SlotRequest;
  const field =
    !isId(id) ? 'id' :
    !SLOT_KINDS.includes(kind) ? 'kind' :
    !(Number.isInteger(count) && count >= 1 && count <= LIMITS.slotCount) ? 'count' :
    exclude !== undefined && !(Array.isArray(exclude) && exclude.length <= LIMITS.exclude && exclude.every(isId)) ? 'exclude' : '';
  return field
    ? `slots.${i}.${field}: expected { id, kind: ${SLOT_KINDS.join('|')}, count: 1–${LIMITS.slotCount}, exclude?: id[] }`
    : { id, kind, count, ...(exclude && { exclude }) };
}

interface Batch {
  slots: Map<string, SlotRequest>;
  /** members still reading their cache, plus one for the tick */
  open: number;
  go(): void;
  /** fresh entries by slot id; undefined when the request failed */
  answer: Promise<Record<string, Entry> | undefined>;
  late?: boolean;
}

export interface Decisions extends Pick<Slots, 'decide' | 'prefetch'> {
  /** withdraws what is on show and asks again for it (after a reset or identify, for the new identity) */
  redo(): void;
  /**
   * The rules' release is `r` now: cached decisions of another release read as expired, and the
   * slots on show are asked again when it changed (their items stay until the answer replaces them).
   */
  release(r?: number): void;
}


export function createDecisions(core: Core, store: SlotStore, tags: () => Record<string, string | number | boolean>): Decisions {
  const batches = new Map<string, Batch>();
  /** slot id → the page and request it shows now; late answers for other pages only fill the cache */
  const showing = new Map<string, { page: string; req: SlotRequest }>();
  /** the release of the rules in force; unknown until a config arrived */
  let rel: number | undefined;

  const show = (page: string, state: SlotState) => void (showing.get(state.slotId)?.page === page && store.publish(state));
  const asker: Asker = { core, store, tags, show };
  // the request half comes with the network module (decide-send.ts), up to 20 slots a request; a
  // module that did not load is a failed request: told, and the callers fall back. A batch whose
  // slots are all fresh sends nothing, so it waits for no module either.
  const send = (page: string, slots: SlotRequest[]) => core.net.ask(asker, page, slots).catch((e) => void core.report(toSlotwiseError('network', e)));

  function join(page: string): Batch {
    let b = batches.get(page);
    if (!b) {
      let go!: () => void;
      const gate = new Promise<void>((r) => (go = r));
      const batch: Batch = (b = { slots: new Map(), open: 1, go, answer: gate.then(() => (batch.slots.size ? send(page, [...batch.slots.values()]) : {})) });
      batches.set(page, b);
      Promise.resolve().then(() => leave(page, batch));
    }
    b.open++;
    return b;
  }

  function leave(page: string, b: Batch) {
    if (--b.open) return;
    if (batches.get(page) === b) batches.delete(page);
    b.go();
  }

  /** cached items (even stale), then the host's fallback items, then nothing */
  const fallback = (slotId: string, cached: Entry | undefined, now: number): SlotState => {
    if (cached?.items.length) return state(slotId, cached, 'cache', cached.exp <= now);
    const given = core.options.fallback?.[slotId];
    // no server checked the host's items: the device does, with the tolerance it holds (R2 if none)
    const cap = +(core.identity().riskTolerance?.[1] ?? 2);
    const items = Array.isArray(given) ? given.filter((i: Item) => !i?.risk || +i.risk[1] <= cap) : [];
    return items.length
      ? { slotId, items: items.map((i) => ({ ...i, slotId })), status: 'fallback' }
      : { slotId, items: [], status: 'empty' };
  };

  /** the valid requests; each bad one is reported and answered with its fallback */
  function check(reqs: unknown): [SlotRequest[], string[]] {
    const ok: SlotRequest[] = [];
    const bad: string[] = [];
    (Array.isArray(reqs) ? reqs : [reqs]).forEach((r, i) => {
      const v = slotRequest(r, i);
      if (typeof v != 'string') ok.push(v);
      else {
        core.report(new SlotwiseError('invalid_argument', v));
        if (typeof (r as SlotRequest)?.id == 'string') bad.push((r as SlotRequest).id);
      }
    });
    return [ok, bad];
  }

  /** reads the cache, joins the page's batch for the rest; `on` shows cached items on the page */
  async function ask(reqs: unknown, page: string, on: boolean) {
    const [ok, bad] = check(reqs);
    const b = join(page);
    const now = core.now();
    let cached: (Entry | undefined)[] = [];
    let who = '';
    try {
      if (on) for (const r of ok) showing.set(r.id, { page, req: r });
      await core.ready?.catch(() => {});
      // what is painted below must be the current identity's: read again if it changed meanwhile
      do {
        who = store.who();
        cached = await Promise.all(
          ok.map(async (r) => {
            const c = await store.read(page, r.id);
            // an entry that does not cover the request reads as expired: it paints, and is revalidated
            // so does one decided under another release of the rules
            return c && { ...c, items: c.items.slice(0, r.count), exp: c.kind == r.kind && c.count! >= r.count && c.r == (rel ?? c.r) ? c.exp : 0 };
          }),
        );
      } while (who != store.who());
      ok.forEach((r, i) => {
        const c = cached[i];
        if (!c || c.exp <= now) {
          const prev = b.slots.get(r.id);
          const exclude = [...(prev?.exclude ?? []), ...(r.exclude ?? [])];
          b.slots.set(r.id, { ...r, count: Math.max(r.count, prev?.count ?? 0), ...(exclude.length ? { exclude } : {}) });
        }
        if (!on) return;
        if (c) show(page, state(r.id, c, 'cache', c.exp <= now));
        else if (!store.get(r.id)) store.publish({ slotId: r.id, items: [], status: 'loading' });
      });
    } finally {
      leave(page, b);
    }
    return { b, ok, bad, cached, now, who };
  }

  async function decide(reqs: SlotRequest[], context?: { page?: string }): Promise<Decision> {
    const slots: Record<string, SlotState> = {};
    try {
      const page = context?.page ?? core.context().page?.path ?? '';
      const { b, ok, bad, cached, now, who } = await ask(reqs, page, true);
      for (const id of bad) slots[id] = fallback(id, undefined, now);
      let fresh: Record<string, Entry> | undefined = {};
      // every slot has a cached answer to paint at once: no wait, the revalidation runs on
      if (ok.some((_, i) => !cached[i])) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const budget = new Promise<'late'>((r) => (timer = setTimeout(r, core.options.decideTimeoutMs ?? 800, 'late')));
        const won = await Promise.race([b.answer, budget]);
        clearTimeout(timer);
        if (won == 'late' && !b.late) {
          b.late = true;
          core.report(new SlotwiseError('timeout', `decide took longer than ${core.options.decideTimeoutMs ?? 800} ms`));
        }
        fresh = won == 'late' ? undefined : won;
      }
      // identify() or reset() while this waited: neither the cache read nor the answer is theirs
      if (store.who() != who) return decide(reqs, context);
      const told: Record<string, Record<string, { items: SlotItem[] }>> = {};
      ok.forEach((r, i) => {
        const c = cached[i];
        const f = fresh?.[r.id];
        const s = (slots[r.id] = f ? state(r.id, f, 'network') : c && c.exp > now ? state(r.id, c, 'cache') : fallback(r.id, c, now));
        if (f) return;
        // cached items were shown by ask() already
        if (s.status != 'cache') show(page, s);
        (told[s.status == 'cache' ? 'cache' : 'fallback'] ??= {})[r.id] = { items: s.items };
      });
      // panels see where every slot's items came from; network answers are told by send()
      for (const source in told)
        core.emit('decision', { decisionId: slots[Object.keys(told[source])[0]].decisionId ?? '', slots: told[source], source: source as 'cache' });
    } catch (e) {
      core.report(toSlotwiseError('invalid_argument', e));
    }
    const first = Object.values(slots).find((s) => s.decisionId);
    return { decisionId: first?.decisionId ?? '', slots };
  }

  return {
    decide,
    async prefetch(reqs, context) {
      try {
        await (await ask(reqs, context?.page ?? core.context().page?.path ?? '', false)).b.answer;
      } catch (e) {
        core.report(toSlotwiseError('invalid_argument', e));
      }
    },
    redo,
    release(r) {
      const was = rel;
      rel = r;
      if (r != was && was != null) redo(1);
    },
  };

  function redo(keep?: 1) {
    if (!keep) store.withdraw();
    const pages: Record<string, SlotRequest[]> = {};
    // the last identity's items went with withdraw(), not when the answer for the new one arrives
    for (const { page, req } of showing.values()) (pages[page] ??= []).push(req);
    for (const page in pages) void decide(pages[page], { page });
  }
}

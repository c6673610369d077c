/**
 * The request half of decide() (decisions.ts): builds one POST /v1/decide for a page's batch,
 * and caches and shows its answer. It lives in the network module (`Net.ask`): in the script tag it
 * arrives with slotwise-net.min.js, while the cache and paint half stays in the core.
 *
 * Invariants (decisions.ts states the whole set): the request carries the identity the device holds
 * when it is sent, and its answer is kept and shown only under that identity; never rejects: a
 * failure is reported and resolves undefined, so the callers fall back.
 */
import { LIMITS, type SlotRequest } from './contract';
import { toSlotwiseError } from './errors';
import { personal } from './rules';
import { state, type Entry } from './slot-store';
import type { Asker, Net, SlotItem } from './types';
import { freshToken } from './identity-token';

/**
 * Asks for `slots` of `page`, at most `LIMITS.slots` a request: the fresh entries by slot id, or
 * undefined when every request failed (a part that failed leaves its slots to the fallback).
 */
export async function ask(net: Net, a: Asker, page: string, slots: SlotRequest[]): Promise<Record<string, Entry> | undefined> {
  const parts = [];
  for (let i = 0; i < slots.length; i += LIMITS.slots) parts.push(one(net, a, page, slots.slice(i, i + LIMITS.slots)));
  const answers = await Promise.all(parts);
  return parts.length && !answers.some(Boolean) ? undefined : Object.assign({}, ...answers);
}

/** Sends one decide request for `slots` of `page`; the fresh entries by slot id, or undefined. */
async function one(net: Net, a: Asker, page: string, slots: SlotRequest[]): Promise<Record<string, Entry> | undefined> {
  const { core, store } = a;
  const on = personal(core);
  const t = on ? a.tags() : {};
  const who = store.who();
  const identityToken = await freshToken(core);
  const { anonymousId, userId, sessionId, riskTolerance } = core.identity();
  const exclude = [...store.gone];
  const base = core.options.endpoint.replace(/\/+$/, '');
  // images the backend serves are paths on the endpoint; `//host` is not a path and stays as it is
  const stamp = (items: SlotItem[], decisionId: string, slotId: string): SlotItem[] =>
    items
      .filter((i) => !store.gone.has(i.id))
      .map((i) => ({ ...i, image: i.image && /^\/(?!\/)/.test(i.image) ? base + i.image : i.image, decisionId, slotId }));
  const request = {
    anonymousId,
    userId,
    sessionId,
    ...(riskTolerance && { riskTolerance }),
    ...(identityToken && { identityToken }),
    context: { page, channel: core.options.channel, locale: core.locale() },
    ...(Object.keys(t).length ? { tags: t } : {}),
    ...(on ? {} : { personalized: false }),
    slots: exclude.length ? slots.map((s) => ({ ...s, exclude: [...(s.exclude ?? []), ...exclude].slice(-LIMITS.exclude) })) : slots,
  };
  try {
    const res = await net.decide(request);
    // asked for an identity that is gone: not kept, not shown, not told
    if (store.who() != who) return;
    const out: Record<string, Entry> = {};
    for (const s of slots) {
      const items = stamp(res.slots[s.id]?.items ?? [], res.decisionId, s.id);
      store.write(page, s.id, (out[s.id] = { items, decisionId: res.decisionId, exp: core.now() + res.ttlMs, count: s.count, kind: s.kind, r: res.release }));
      a.show(page, state(s.id, out[s.id], 'network'));
    }
    core.emit('decision', { decisionId: res.decisionId, slots: res.slots, source: 'network' });
    return out;
  } catch (e) {
    core.report(toSlotwiseError('network', e));
  }
}

/**
 * Envelope building: everything `track()` does besides pushing to the queue. Cheap on purpose
 * (the call budget is 10 µs): the static context is computed once, the page part per event.
 */
import { LIMITS, type EventContext, type EventType, type Properties, type SlotwiseEvent } from './contract';
import type { IdentityState } from './identity';

export type Extra = Pick<SlotwiseEvent, 'decisionId' | 'slotId' | 'itemId' | 'position'>;

const clip = (s: string | undefined) => (s ? s.slice(0, LIMITS.text) : undefined);

/** The page as the event sees it, or undefined outside a browser. */
export function pageContext(): EventContext['page'] {
  if (typeof location == 'undefined') return undefined;
  const d = globalThis.document;
  return { url: clip(location.href)!, path: clip(location.pathname)!, title: clip(d?.title), referrer: clip(d?.referrer) };
}

/** `context()` for events: static parts once, the page each time (SPAs change it). */
export function createContext(channel: EventContext['channel'], locale: () => string): () => EventContext {
  let base: Omit<EventContext, 'page'> | undefined;
  return () => {
    base ??= {
      channel,
      locale: locale().slice(0, 35),
      ...(globalThis.screen && { screen: { width: screen.width | 0, height: screen.height | 0 } }),
      timezone: timezone(),
      sdk: { name: 'slotwise', version: __SDK_VERSION__ },
    };
    // a fresh object per event: middleware may rewrite one event's context, never its neighbours'
    return { ...base, page: pageContext() };
  };
}

function timezone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone?.slice(0, 64);
  } catch {
    return undefined;
  }
}

/** A bad call gets a message; a good one gets undefined. Checked by hand: this is the hot path. */
export function checkCall(name: unknown, properties: unknown): string | undefined {
  if (typeof name != 'string' || !name || name.length > LIMITS.id) return `event name must be a string of 1–${LIMITS.id} characters, got ${JSON.stringify(name)?.slice(0, 40)}`;
  if (properties != null && (typeof properties != 'object' || Array.isArray(properties))) return `properties of "${name}" must be an object`;
  return undefined;
}

export function envelope(
  type: EventType,
  name: string,
  properties: Properties | undefined,
  extra: Extra | undefined,
  id: string,
  ts: number,
  who: IdentityState,
  context: EventContext,
): SlotwiseEvent {
  const event: SlotwiseEvent = {
    id,
    type,
    name,
    ts,
    anonymousId: who.anonymousId,
    sessionId: who.sessionId,
    // a copy: the host may reuse its object after the call
    properties: { ...properties },
    context,
    ...extra,
  };
  if (who.userId) event.userId = who.userId;
  return event;
}

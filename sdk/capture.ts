/**
 * Envelope building: everything `track()` does besides pushing to the queue. Cheap on purpose
 * (the call budget is 10 µs): the static context is computed once, the page part per event.
 */
import { LIMITS, type EventContext, type EventType, type Properties, type SlotwiseEvent } from './contract';
import type { IdentityState } from './identity';

export type Extra = Pick<SlotwiseEvent, 'decisionId' | 'slotId' | 'itemId' | 'position'>;

const clip = (s: string | undefined) => (s ? s.slice(0, LIMITS.text) : undefined);

let lastUrl: string | undefined;
let lastPath = '';

/** The page as the event sees it, or undefined outside a browser. */
export function pageContext(): EventContext['page'] {
  if (typeof location == 'undefined') return undefined;
  // one `location` read per event (each costs ~1 µs in Chromium); the path is cut from the URL
  const url = location.href;
  if (url !== lastUrl) {
    lastUrl = url;
    lastPath = /^[a-z][\w+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url)?.[1] || location.pathname;
  }
  const d = globalThis.document;
  return { url: clip(url)!, path: clip(lastPath)!, title: clip(d?.title), referrer: clip(d?.referrer) };
}

export interface ContextFn {
  (): EventContext;
  /**
   * Looks the time zone up and stamps it on `events` built before. Kept off `track()`: the
   * first Intl.DateTimeFormat of a page takes 20–50 ms in Chromium (ICU data).
   */
  timezone(events: { context: EventContext }[]): void;
}

/** `context()` for events: static parts once, the page each time (SPAs change it). */
export function createContext(channel: EventContext['channel'], locale: () => string): ContextFn {
  let base: Omit<EventContext, 'page'> | undefined;
  const make = () =>
    (base ??= {
      channel,
      locale: locale().slice(0, 35),
      ...(globalThis.screen && { screen: { width: screen.width | 0, height: screen.height | 0 } }),
      sdk: { name: 'slotwise', version: __SDK_VERSION__ },
    });
  // a fresh object per event: middleware may rewrite one event's context, never its neighbours'
  const context = (() => ({ ...make(), page: pageContext() })) as ContextFn;
  context.timezone = (events) => {
    const zone = timezone();
    if (!zone) return;
    base = { ...make(), timezone: zone };
    for (const e of events) e.context.timezone ??= zone;
  };
  return context;
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
  if (typeof name != 'string' || !name || name.length > LIMITS.id) return `event name must be a string of 1–${LIMITS.id} characters`;
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

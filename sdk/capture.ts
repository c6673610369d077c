/**
 * Capture and envelope building. `track()` only captures (≤ 2 µs): the call's name, a snapshot
 * of its properties, its time, id, who and page. The envelope (context, middleware, listeners) is
 * built later, in a slice (queue.ts); the static context is computed once, the page once per task.
 */
import { LIMITS, type EventContext, type EventType, type Properties, type SlotwiseEvent } from './contract';

export type Extra = Pick<SlotwiseEvent, 'decisionId' | 'slotId' | 'itemId' | 'position'>;

const clip = (s: string | undefined) => (s ? s.slice(0, LIMITS.text) : undefined);

let page: EventContext['page'];
let cached = false;

/**
 * The page of an event tracked now. Read once per task (the `location` and `document` reads cost
 * ~1 µs per event in Chromium; a burst's calls share them), and afresh for a page view, which the
 * SPA autocapture records right after `pushState`. The price: a `track()` after a `pushState` in
 * the same task without a page view carries the URL from before.
 */
export function pageNow(fresh?: boolean): EventContext['page'] {
  if (!cached) queueMicrotask(() => (cached = false));
  if (fresh || !cached) (page = pageContext()), (cached = true);
  return page;
}

/** The page as the event sees it, or undefined outside a browser. */
export function pageContext(): EventContext['page'] {
  if (typeof location == 'undefined') return undefined;
  const d = globalThis.document;
  return { url: clip(location.href)!, path: clip(location.pathname)!, title: clip(d?.title), referrer: clip(d?.referrer) };
}

/** the context of an event on `page` (default: the page now) */
export type ContextFn = (page?: EventContext['page']) => EventContext;

/**
 * `context()` for events: the static part once, when the first event is built (the page's first
 * Intl.DateTimeFormat, for the time zone, takes 20–50 ms in Chromium: never in `track()`).
 */
export function createContext(channel: EventContext['channel'], locale: () => string): ContextFn {
  let base: Omit<EventContext, 'page'> | undefined;
  // fresh objects per event: middleware may rewrite one event's context, never its neighbours'
  return (page = pageContext()) => ({
    ...(base ??= {
      channel,
      locale: locale().slice(0, 35),
      timezone: timezone(),
      ...(globalThis.screen && { screen: { width: screen.width | 0, height: screen.height | 0 } }),
      sdk: { name: 'slotwise', version: __SDK_VERSION__ },
    }),
    page: page && { ...page },
  });
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

/**
 * A `track()` call as captured when it is made: what must be fixed then (name, properties, time,
 * id, who, page) and nothing else. The envelope is built from it later, in a slice (queue.ts).
 * Who is copied field by field, so `relabel` (identity.ts) can fix a capture made before the
 * stored identity was read.
 */
export interface Capture {
  type: EventType;
  name: string;
  /** a copy: flat values as they were; with a nested value, the JSON text of the whole */
  properties: Properties | string;
  extra?: Extra;
  id: string;
  ts: number;
  anonymousId: string;
  userId?: string;
  sessionId: string;
  page: EventContext['page'];
  /** the middleware registered at the call */
  use: ((e: SlotwiseEvent) => unknown)[];
}

/**
 * The properties as they are now, in a form the page can no longer change: a shallow copy when
 * every value is flat (nanoseconds), else their JSON text (parsed back when the envelope is built,
 * so listeners see what will be sent: a Date as its string). A value JSON cannot hold stays as
 * it is: serialising reports it.
 */
export function snapshot(p: Properties | undefined): Properties | string {
  const copy = { ...p };
  for (const k in copy)
    if (typeof copy[k] == 'object' && copy[k]) {
      try {
        return JSON.stringify(copy);
      } catch {
        break;
      }
    }
  return copy;
}

/** The event of a capture (an object of its own: middleware may change it). */
export function envelope({ properties: p, extra, page, use, userId, ...c }: Capture, context: EventContext): SlotwiseEvent {
  const event: SlotwiseEvent = { ...c, properties: typeof p == 'string' ? JSON.parse(p) : p, context, ...extra };
  if (userId) event.userId = userId;
  return event;
}

/**
 * ingest/: storing events durably and exactly once, then handing them to the engine.
 *
 * POST /v1/events semantics, in one place:
 *
 * - The batch is atomic. If any event is invalid, nothing is stored and the answer is
 *   400 `{ error: { code: 'invalid_event', message, path, rejected: [{ index, id, path, message }] } }`
 *   naming every bad event (path and message are the first one's), so the SDK dead-letters exactly
 *   those and sends the rest again. The list always names every bad event by index, but its other
 *   fields are shortened as needed to keep the answer under the 64 KB the SDK reads (`fitRejected`). A batch that is not `{ sentAt, events: [1..500] }` is a 400
 *   with the offending path (e.g. `events` for 501 events).
 * - Otherwise the store appends the batch (store/store.ts): all its events or none, idempotent by
 *   event id. An id already stored — by an earlier batch, earlier in this batch, under another app,
 *   on another instance — counts as a duplicate and is never overwritten. After the commit, and
 *   before the answer, the newly stored events (never the duplicates) are handed to the engine with
 *   their log positions; it applies each stored event exactly once (engine/service.ts), so an engine
 *   failure never costs a client its events, and a decide asked after the answer sees them.
 * - Batches that arrive together share one transaction and one fsync (SQLite: store/group-commit.ts,
 *   the WAL fsynced off the HTTP thread by store/wal-sync.ts; PostgreSQL: store/postgres.ts). The
 *   answer `{ accepted, duplicates }` is sent after that commit is durable:
 *   accepted + duplicates = events in the batch, and every one of them is on disk. A store that
 *   cannot answer makes it a 503 with Retry-After (the SDK retries; nothing is stored twice).
 *
 * Validation is zod's (the shared contract), with a compiled fast path in front (http/fast-schema.ts)
 * that answers for well-formed events and leaves anything doubtful, and every error message, to zod.
 */
import { firstProblem, LIMITS, schemas, type EventsResponse, type RejectedEvent, type SlotwiseEvent } from '../../sdk/contract';
import type { IngestMessage } from '../engine/service';
import type { Store, Valid } from '../store/store';
import { compileFast, DEFER } from '../wire/fast-schema';
import { clampText, HttpError } from '../wire/errors';

export interface IngestOptions {
  store: Store;
  /**
   * Gets each batch's newly stored events after their commit, before the answer: the engine thread
   * (SQLite), or the follower of the shared log, whose promise resolves once the batch is handed to
   * the engine in log order (PostgreSQL: read-your-writes on the instance that took the events).
   */
  handOver(batch: IngestMessage): void | Promise<void>;
  now: () => number;
  log: (message: string) => void;
}

/**
 * Stores one batch for `app` (already authenticated). Invalid input throws `HttpError` 400 at once;
 * otherwise the promise settles after the commit that stored the batch.
 */
export type Ingest = (app: string, body: unknown) => Promise<EventsResponse>;

export function createIngest({ store, handOver, now, log }: IngestOptions): Ingest {
  const check = checker();
  return async (app, body) => {
    const events = validate(check, body);
    const stored = await store.append(app, events, now());
    if (stored.events.length) {
      // the events are on disk and will be acknowledged whatever the engine does with them
      try {
        const handed = handOver(stored);
        if (handed) await handed;
      } catch (error) {
        log(`engine: batch of ${app} not handed over (stored all the same): ${(error as Error).stack ?? error}`);
      }
    }
    return { accepted: stored.events.length, duplicates: events.length - stored.events.length };
  };
}

type Checked<T> = { success: true; data: T } | { success: false; error: Parameters<typeof firstProblem>[0] };
interface Checker {
  batch(body: unknown): Checked<{ sentAt: number; events: unknown[] }>;
  event(raw: unknown): Checked<SlotwiseEvent>;
}

/** The contract's schemas behind their compiled fast paths: zod parses only what the fast path defers. */
function checker(): Checker {
  const { eventBatch, event } = schemas();
  const fastBatch = compileFast(eventBatch);
  const fastEvent = compileFast(event);
  return {
    batch(body) {
      const data = fastBatch(body);
      return data === DEFER ? eventBatch.safeParse(body) : { success: true, data };
    },
    event(raw) {
      const data = fastEvent(raw);
      return data === DEFER ? event.safeParse(raw) : { success: true, data };
    },
  };
}

function validate(check: Checker, body: unknown): Valid[] {
  const batch = check.batch(body);
  if (!batch.success) {
    const p = firstProblem(batch.error);
    throw new HttpError(400, p.code, p.message, { path: p.path });
  }
  const events: Valid[] = [];
  const rejected: RejectedEvent[] = [];
  const serialise = serialiser();
  batch.data.events.forEach((raw, index) => {
    const reject = (path: string, message: string) => {
      const id = (raw as { id?: unknown } | null)?.id;
      rejected.push({ index, ...(typeof id === 'string' ? { id } : {}), path, message });
    };
    const r = check.event(raw);
    if (!r.success) {
      const p = firstProblem(r.error, `events.${index}`);
      return reject(p.path, p.message);
    }
    const json = serialise(r.data);
    if (typeof json === 'string') return reject(`events.${index}.${json}`, `events.${index}.${json}: nested too deeply to store`);
    events.push({ event: r.data, ...json });
  });
  if (rejected.length) {
    const [first] = rejected as [RejectedEvent];
    const more = rejected.length > 1 ? ` (and ${rejected.length - 1} more rejected events)` : '';
    throw new HttpError(400, 'invalid_event', `${first.message}${more}; nothing in this batch was stored`, {
      path: first.path,
      extra: { rejected: fitRejected(rejected) },
    });
  }
  return events;
}

/**
 * The JSON columns of one batch's events, or the name of the field that cannot be serialised
 * (nesting deep enough to overflow the stack fits in 512 KB: `{"a":{"a":…}}`). The events of a
 * batch come from one device and mostly share their context, so an equal context reuses the
 * previous event's JSON instead of serialising again — and its object: the event's `context`
 * becomes the first equal one, so the batch's structured clone to the engine thread writes and
 * reads one context, not 500 (a clone keeps shared references; half its cost was contexts).
 */
function serialiser(): (e: SlotwiseEvent) => { properties: string; context: string } | 'properties' | 'context' {
  let last: unknown;
  let lastJson = '';
  return (e) => {
    let field: 'properties' | 'context' = 'properties';
    try {
      const properties = JSON.stringify(e.properties);
      field = 'context';
      if (sameJson(e.context, last)) e.context = last as SlotwiseEvent['context'];
      else {
        lastJson = JSON.stringify(e.context);
        last = e.context;
      }
      return { properties, context: lastJson };
    } catch {
      return field;
    }
  };
}

/**
 * Equal as JSON text: same keys in the same order with equal values. Only ever true when
 * `JSON.stringify` of both would be the same string (values here come from JSON.parse, so there is
 * no `toJSON`, `undefined` or NaN to special-case).
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** What the SDK reads of an answer at most is 64 KB; the rejected list stays well under it. */
const REJECTED_BYTES = 48 * 1024;

/**
 * The rejected list, shortened until its JSON fits REJECTED_BYTES: fields clamped first, then
 * messages dropped (the top-level message still names the first problem), then paths, then ids
 * (the SDK matches by index and checks the id only when present). Every bad event stays named,
 * so the SDK can always tell the good events of the batch from the bad.
 */
function fitRejected(rejected: RejectedEvent[]): Partial<RejectedEvent>[] {
  const clamp = (r: RejectedEvent): RejectedEvent => ({
    index: r.index,
    ...(r.id !== undefined && r.id.length <= LIMITS.id ? { id: r.id } : {}),
    path: clampText(r.path, 256),
    message: clampText(r.message, 256),
  });
  const tiers: ((r: RejectedEvent) => Partial<RejectedEvent>)[] = [
    clamp,
    (r) => ({ ...clamp(r), message: undefined }),
    (r) => ({ index: r.index, id: clamp(r).id }),
    (r) => ({ index: r.index }),
  ];
  for (const tier of tiers) {
    const list = rejected.map(tier);
    if (JSON.stringify(list).length <= REJECTED_BYTES) return list;
  }
  return rejected.map((r) => ({ index: r.index }));
}

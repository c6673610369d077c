/**
 * POST /v1/events semantics, in one place:
 *
 * - The batch is atomic. If any event is invalid, nothing is stored and the answer is
 *   400 `{ error: { code: 'invalid_event', message, path, rejected: [{ index, id, path, message }] } }`
 *   naming every bad event (path and message are the first one's), so the SDK dead-letters exactly
 *   those and sends the rest again. A batch that is not `{ sentAt, events: [1..500] }` is a 400
 *   with the offending path (e.g. `events` for 501 events).
 * - Otherwise all events are inserted in ONE transaction with `INSERT OR IGNORE` on the event id.
 *   An id already stored — by an earlier batch, earlier in this batch, or under another app — counts
 *   as a duplicate and is never overwritten. The engine sees only the newly stored events, inside
 *   the same transaction, so its real-time features and the events table never disagree.
 * - The answer `{ accepted, duplicates }` is sent after the commit, which is fsynced (see db.ts):
 *   accepted + duplicates = events in the batch, and every one of them is on disk.
 */
import { firstProblem, schemas, type EventsResponse, type RejectedEvent, type SlotwiseEvent } from '../sdk/contract';
import type { Db } from './db';
import type { Engine } from './engine';
import { HttpError } from './http-errors';

export interface IngestOptions {
  db: Db;
  engine: Engine;
  now: () => number;
}

/** Stores one batch for `app` (already authenticated); throws `HttpError` 400 on invalid input. */
export type Ingest = (app: string, body: unknown) => EventsResponse;

export function createIngest({ db, engine, now }: IngestOptions): Ingest {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO events (id, app_key, type, name, ts, received_at, anonymous_id, user_id,
       session_id, decision_id, slot_id, item_id, position, properties, context)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  const store = db.transaction((app: string, events: Valid[], receivedAt: number): EventsResponse => {
    const fresh: SlotwiseEvent[] = [];
    for (const { event: e, properties, context } of events) {
      const { changes } = insert.run(
        e.id, app, e.type, e.name, e.ts, receivedAt, e.anonymousId, e.userId ?? null, e.sessionId,
        e.decisionId ?? null, e.slotId ?? null, e.itemId ?? null, e.position ?? null, properties, context,
      );
      if (changes) fresh.push(e);
    }
    if (fresh.length) engine.ingest(app, fresh, receivedAt);
    return { accepted: fresh.length, duplicates: events.length - fresh.length };
  });

  return (app, body) => store.immediate(app, validate(body), now());
}

/** An event that passed the schema, with its JSON columns already serialised. */
interface Valid {
  event: SlotwiseEvent;
  properties: string;
  context: string;
}

function validate(body: unknown): Valid[] {
  const { eventBatch, event } = schemas();
  const batch = eventBatch.safeParse(body);
  if (!batch.success) {
    const p = firstProblem(batch.error);
    throw new HttpError(400, p.code, p.message, { path: p.path });
  }
  const events: Valid[] = [];
  const rejected: RejectedEvent[] = [];
  batch.data.events.forEach((raw, index) => {
    const reject = (path: string, message: string) => {
      const id = (raw as { id?: unknown } | null)?.id;
      rejected.push({ index, ...(typeof id === 'string' ? { id } : {}), path, message });
    };
    const r = event.safeParse(raw);
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
      extra: { rejected },
    });
  }
  return events;
}

/** The JSON columns, or the name of the field that cannot be serialised (nesting deep enough
 * to overflow the stack fits in 512 KB: `{"a":{"a":…}}`). */
function serialise(e: SlotwiseEvent): { properties: string; context: string } | 'properties' | 'context' {
  let field: 'properties' | 'context' = 'properties';
  try {
    const properties = JSON.stringify(e.properties);
    field = 'context';
    return { properties, context: JSON.stringify(e.context) };
  } catch {
    return field;
  }
}

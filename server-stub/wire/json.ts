/**
 * wire/: the contract's rules as the server applies them, shared by the HTTP thread and the engine
 * thread: the one error shape (errors.ts), JSON parsing (json.ts), the zod fast path (fast-schema.ts).
 */
import type { Buffer } from 'node:buffer';
import { HttpError } from './errors';

/** JSON text → value, or the 400 `invalid_json` naming what is wrong. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `the request body is not JSON: ${(error as Error).message}`);
  }
}

/**
 * A string of more than 128 KB is a large object to V8: it gets pages of its own, mapped for it
 * and unmapped after it, and on this host making one cost ~1 ms of mostly system time (under
 * 128 KB: ~15 µs) — as much as parsing it. A full batch of events is ~250 KB. So a body shaped as
 * the SDK sends a batch, `{"sentAt":N,"events":[…]}`, is decoded and parsed in pieces of whole
 * events that stay below that size, cut where one event ends and the next begins (`},{`).
 */
const PIECE_BYTES = 48 * 1024;
const HEAD = /^\{"sentAt":(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?),"events":\[/;
const TAIL = ']}';

/**
 * JSON bytes (UTF-8) → value, exactly as `parseJson(bytes.toString('utf8'))` answers, faster for
 * large event batches. Why the pieces are the whole: a cut inside a string leaves that string open
 * in its piece, and a cut inside an event (or anywhere but between two elements of `events`) leaves
 * brackets open; either way `JSON.parse` refuses that piece and the whole body is parsed as one
 * text instead — so if every piece parses, each was a run of whole elements of `events`, and their
 * concatenation is the array `JSON.parse` would have made. Anything else takes the plain path too.
 * @example parseJsonBytes(Buffer.from('{"sentAt":1,"events":[{"id":"e1"}]}')) // → { sentAt: 1, events: [{ id: 'e1' }] }
 */
export function parseJsonBytes(bytes: Buffer): unknown {
  if (bytes.length > PIECE_BYTES * 2) {
    const pieces = batchPieces(bytes);
    if (pieces) return pieces;
  }
  return parseJson(bytes.toString('utf8'));
}

/** The batch parsed in pieces, or `undefined` where `parseJsonBytes` takes the plain path. */
export function batchPieces(bytes: Buffer): { sentAt: number; events: unknown[] } | undefined {
  const head = HEAD.exec(bytes.toString('latin1', 0, 64));
  if (!head || bytes.toString('latin1', bytes.length - TAIL.length) !== TAIL) return undefined;
  const end = bytes.length - TAIL.length;
  const events: unknown[] = [];
  try {
    for (let start = head[0].length; start < end; ) {
      // the last `},{` of the next PIECE_BYTES cuts between the piece's last event and the next;
      // `}` and `{` are ASCII, so the cut never splits a UTF-8 sequence
      let stop = end;
      if (end - start > PIECE_BYTES) {
        const cut = bytes.lastIndexOf('},{', start + PIECE_BYTES);
        if (cut < start) return undefined; // one event larger than a piece
        stop = cut + 1;
      }
      const piece = JSON.parse(`[${bytes.toString('utf8', start, stop)}]`) as unknown[];
      for (const event of piece) events.push(event);
      start = stop + 1; // past the comma between the two events
    }
    return { sentAt: JSON.parse(head[1]!) as number, events };
  } catch {
    return undefined;
  }
}

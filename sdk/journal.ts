/**
 * The write-ahead journal: a copy in localStorage of every IndexedDB write while it is in flight.
 *
 * Why: a write in flight is not durable: an unload aborts it. A copy made at `pagehide` is not
 * enough either: a reload that fails (offline) sometimes ends the old document before anything
 * it did at `pagehide` reached storage (~1 run in 20 of test/e2e/unload-burst.test.ts lost the
 * whole burst that way), while what it wrote to localStorage ~100 ms earlier survived. So the
 * copy is made when the write starts, synchronously, and the write's success drops it.
 *
 * One record per write, `slotwise:wal:<app>:<uuid>` → the rows' JSON bodies, one per line (JSON
 * text never holds a raw newline). A start reads every record before its own first write, queues
 * the events that are not queued yet and drops the records (queue.ts `restore`).
 *
 * Records are bounded (`MAX_CHARS`): localStorage is shared with the host page, whose own writes
 * must not fail for ours. A write too large to journal is still written; only its unload safety
 * is the IndexedDB write's alone.
 */
import type { Row } from './db';
import { uuid } from './identity';

/** the largest record, in UTF-16 units (the browsers' quota is ~5 M per origin) */
const MAX_CHARS = 1e6;

export interface Journal {
  /** records `rows` before their write starts; returns its key (no record if storage is full or blocked) */
  put(rows: Row[]): string;
  /** drops records whose rows are durable now */
  drop(keys: string[]): void;
  /** every record, each with its rows */
  read(): [key: string, rows: Row[]][];
  /** the keys of the records there are now */
  keys(): string[];
  /** removes every record of the app, this tab's too (consent denied) */
  clear(): void;
}

export function createJournal(app: string, size: (body: string) => number): Journal {
  // encodeURIComponent escapes ':', so one app's prefix is never the start of another's
  const prefix = `slotwise:wal:${encodeURIComponent(app)}:`;
  // localStorage may be missing, blocked or full: then the journal is off, silently
  const keys = () => {
    try {
      return Object.keys(localStorage).filter((k) => k.startsWith(prefix));
    } catch {
      return [];
    }
  };
  const drop = (list: string[]) => {
    try {
      for (const k of list) localStorage.removeItem(k);
    } catch {}
  };
  return {
    put(rows) {
      const text = rows.map((r) => r.body).join('\n');
      const key = prefix + uuid();
      try {
        if (text.length <= MAX_CHARS) localStorage.setItem(key, text);
      } catch {}
      return key;
    },
    drop,
    read: () =>
      // a key another tab dropped since reads as empty; a line that is not an event (another
      // release's format, a tampered value) is skipped
      keys().map((k) => [
        k,
        (localStorage.getItem(k) ?? '').split('\n').flatMap((body) => {
          try {
            const id = (JSON.parse(body) as { id?: unknown }).id;
            return typeof id == 'string' ? [{ id, body, size: size(body) }] : [];
          } catch {
            return [];
          }
        }),
      ]),
    keys,
    clear: () => drop(keys()),
  };
}

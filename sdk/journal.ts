/**
 * The write-ahead journal: a copy in localStorage of every IndexedDB write while it is in flight,
 * and of everything the memory queue holds (no IndexedDB: private modes, some WebViews).
 *
 * Why: a write in flight is not durable: an unload aborts it. A copy made at `pagehide` is not
 * enough either: a reload that fails (offline) sometimes ends the old document before anything
 * it did at `pagehide` reached storage (~1 run in 20 of test/e2e/unload-burst.test.ts lost the
 * whole burst that way), while what it wrote to localStorage ~100 ms earlier survived. So the
 * copy is made when the write starts, synchronously, and the write's success drops it. The memory
 * queue is never durable: its records live until the server acknowledged (or refused) their events
 * (db.ts `memoryStore`).
 *
 * One record per write, `slotwise:wal:<app>:<owner>.<uuid>` → the rows' JSON bodies, one per line
 * (JSON text never holds a raw newline). `<owner>` is the page that wrote it. A start reads every
 * record of other pages before its own first write, queues the events that are not queued yet and
 * drops the records (queue.ts `restore`). A page whose memory queue has records holds the Web Lock
 * named like its records' prefix (`claim`) while it lives: its records are not another page's to
 * take, and a page that finds them waits for that lock, i.e. for the owner's end.
 *
 * Records are bounded (`MAX_CHARS`): localStorage is shared with the host page, whose own writes
 * must not fail for ours. A write too large to journal is still written; only its unload safety
 * is the IndexedDB write's alone. The memory queue keeps all its records within `MAX_CHARS` together.
 */
import { uuid } from './identity';

/** A queued event as stored and journaled: its id, its JSON text and that text's size. */
export interface Row {
  /** key of the `events` record holding it (records ascend in insertion order); set by `head()` */
  k?: number;
  id: string;
  body: string;
  /** UTF-8 bytes of `body` */
  size: number;
}

/** the largest record, and all of a memory queue's records together, in UTF-16 units (the browsers' quota is ~5 M per origin) */
export const MAX_CHARS = 1e6;

export interface Journal {
  /** records `rows` before their write starts; returns its key (no record if storage is full or blocked) */
  put(rows: Row[]): string;
  /** writes (or, for no rows, removes) the record `key` of this page; false when it could not be stored */
  keep(key: string, rows: Row[]): boolean;
  /** a new key of this page */
  key(): string;
  /** drops records whose rows are durable now */
  drop(keys: string[]): void;
  /** every record of the other pages, each with its rows and the Web Lock its writer holds while it lives */
  read(): [key: string, rows: Row[], lock: string][];
  /** the keys of the records there are now */
  keys(): string[];
  /** removes every record of the app, this tab's too (consent denied) */
  clear(): void;
  /** holds this page's lock while it lives: its records stay its own (memory queue) */
  claim(): void;
}

export function createJournal(app: string, size: (body: string) => number): Journal {
  // encodeURIComponent escapes ':', so one app's prefix is never the start of another's
  const prefix = `slotwise:wal:${encodeURIComponent(app)}:`;
  const owner = uuid();
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
  const key = () => `${prefix}${owner}.${uuid()}`;
  const keep = (k: string, rows: Row[]) => {
    try {
      const text = rows.map((r) => r.body).join('\n');
      if (!rows.length) localStorage.removeItem(k);
      else if (text.length <= MAX_CHARS) return localStorage.setItem(k, text), true;
    } catch {}
    return false;
  };
  // a record's writer; records of an earlier release have none (`<uuid>` alone)
  const lock = (k: string) => k.slice(0, k.lastIndexOf('.') + 1 || k.length);
  return {
    put(rows) {
      const k = key();
      keep(k, rows);
      return k;
    },
    keep,
    key,
    drop,
    read: () =>
      // a key another tab dropped since reads as empty; a line that is not an event (another
      // release's format, a tampered value) is skipped
      keys()
        .filter((k) => !k.startsWith(prefix + owner))
        .map((k) => [
          k,
          (localStorage.getItem(k) ?? '').split('\n').flatMap((body) => {
            try {
              const id = (JSON.parse(body) as { id?: unknown }).id;
              return typeof id == 'string' ? [{ id, body, size: size(body) }] : [];
            } catch {
              return [];
            }
          }),
          lock(k),
        ]),
    keys,
    clear: () => drop(keys()),
    // never released: the browser releases it when this document goes (a second claim waits, harmless)
    claim: () => void globalThis.navigator?.locks?.request(prefix + owner + '.', () => new Promise(() => {})).catch(() => {}),
  };
}

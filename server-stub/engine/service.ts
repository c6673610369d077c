/**
 * The engine as a service: what the engine thread (engine/worker.ts) runs, kept free of threads so
 * it can be tested in-process. It owns the engine, its own SQLite connection, and the engine's
 * place in the event log.
 *
 * The event log is the truth; the engine's profiles are a projection of it. Ingest stores and
 * acknowledges a batch first (fsynced, ingest.ts), then hands the newly stored events to the
 * engine, which applies them in one transaction together with `engine_cursor` — the rowid of the
 * last event applied. So:
 * - every stored event is applied once: a message whose events are already behind the cursor is
 *   skipped, and at start (`catchUp`) whatever was stored but never applied — the process died in
 *   between, or the engine thread was restarted — is read back from `events` and applied in order;
 * - a bug in the engine costs the engine a batch (logged, skipped), never the client its events;
 * - the engine's connection can skip fsync (`synchronous = NORMAL`): a commit lost to power loss
 *   takes its cursor with it, and the next start applies those events again.
 *
 * Decide requests arrive as the raw body text and leave as the answer's JSON text, so parsing,
 * validation and serialisation also run on this thread, not the one serving HTTP.
 */
import { firstProblem, requestSchemas, type Config, type DecideRequest, type RiskTolerance, type SlotwiseEvent } from '../../sdk/contract';
import type { Release, RuleSet } from '../../sdk/contract-admin';
import { parseJson } from '../wire/json';
import { migrate, type Db } from '../store/db';
import { EVENT_COLUMNS, logRowOf, type EventRow } from '../store/sqlite';
import type { Appended } from '../store/store';
import type { Engine, EngineDiagnostics, PreviewAnswer } from './index';
import type { CustomerView } from './customer-view';
import { compileFast, DEFER } from '../wire/fast-schema';
import { HttpError } from '../wire/errors';

/**
 * One newly stored batch, as ingest (SQLite) or the follower of a shared log (PostgreSQL,
 * store/follow.ts) hands it over: the store's `Appended`. Without `after` the batch's rows are
 * consecutive rowids of this engine's file. With it (a shared log, positions with gaps) its rows
 * are all the log holds between `after` and `lastRow`; a batch whose `after` is not the engine's
 * cursor is dropped — something before it was lost (the thread was restarted) — and the follower
 * reads again from the cursor the new thread reports.
 */
export type IngestMessage = Appended;

/** An HTTP answer made on the engine thread. */
export interface Answer {
  status: number;
  /** JSON text */
  body: string;
}

export interface EngineService {
  /** applies a stored batch (once, in order); engine errors are logged and the batch skipped */
  ingest(message: IngestMessage): void;
  /** applies events stored but not yet applied; returns how many */
  catchUp(): number;
  /** log position of the last event applied */
  readonly cursor: number;
  /** POST /v1/decide after authorisation: the body text in, the answer out (400 for bad input) */
  decide(app: string, body: string, view?: CustomerView): Answer;
  config(app: string): Config;
  /** makes `release` the app's live rules; its config answer */
  activate(app: string, release: Release): Config;
  preview(app: string, rules: RuleSet, request: DecideRequest, traits?: { riskTolerance?: RiskTolerance }): PreviewAnswer;
  image(itemId: string): string | undefined;
  flush(): void;
  reloadModel(): string;
  readonly modelVersion: string;
  /** the engine's sizes and its writer's work (diagnostics.ts) */
  diagnostics(): EngineDiagnostics;
  close(): void;
}

/** Events read back per step of a catch-up, so a long one never holds all of them in memory. */
const CATCH_UP_PAGE = 2000;

const CURSOR_STEPS = [
  // an existing store's events were applied inside its ingest transactions (before the engine had a
  // thread of its own): the cursor starts behind the last of them
  (db: Db) =>
    db.exec(`
      CREATE TABLE engine_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), event_row INTEGER NOT NULL);
      INSERT INTO engine_cursor (id, event_row) SELECT 1, coalesce(max(rowid), 0) FROM events;
    `),
];

export function createEngineService(o: { db: Db; engine: Engine; log: (message: string) => void }): EngineService {
  const { db, engine, log } = o;
  migrate(db, 'engine-cursor', CURSOR_STEPS);
  const readCursor = db.prepare('SELECT event_row FROM engine_cursor WHERE id = 1').pluck();
  const writeCursor = db.prepare('UPDATE engine_cursor SET event_row = ? WHERE id = 1');
  const page = db.prepare(`SELECT rowid AS row, ${EVENT_COLUMNS} FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?`);
  let cursor = readCursor.get() as number;

  // IMMEDIATE: the HTTP thread writes the same file; a transaction that read first (profiles) and
  // then found another writer's commit in between could not upgrade, and would fail at once
  const apply = db.transaction((app: string, receivedAt: number, events: SlotwiseEvent[], last: number) => {
    engine.ingest(app, events, receivedAt);
    writeCursor.run(last);
  });
  const skip = db.transaction((last: number) => writeCursor.run(last));

  /**
   * Applies a batch in order, or not at all: false when the write lock stayed taken. The cursor then
   * stays behind its rows, and nothing after them may be applied first (moving the cursor past them
   * would skip them for good): the next batch, or the next start, reads them back first.
   */
  const applyBatch = (m: IngestMessage): boolean => {
    const count = m.events.length;
    const last = m.firstRow + count - 1;
    if (last <= cursor) return true;
    try {
      const events = m.firstRow > cursor ? m.events : m.events.slice(cursor - m.firstRow + 1);
      apply.immediate(m.app, m.receivedAt, events, last);
    } catch (error) {
      if (String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) {
        log(`engine: ${count} events of ${m.app} wait for the write lock; they are applied with the next batch`);
        return false;
      }
      log(`engine: ${count} events of ${m.app} not applied (stored all the same): ${(error as Error).stack ?? error}`);
      skip.immediate(last);
    }
    cursor = last;
    return true;
  };

  /**
   * A batch of a followed log. On a failure the cursor still moves past it (logged): the follower
   * never hands it over again, and a gap in a projection beats stopping every later event.
   */
  const applyExternal = (m: IngestMessage) => {
    try {
      apply.immediate(m.app, m.receivedAt, m.events, m.lastRow);
    } catch (error) {
      log(`engine: ${m.events.length} events of ${m.app} not applied (stored all the same): ${(error as Error).stack ?? error}`);
      try {
        skip.immediate(m.lastRow);
      } catch {
        // the cursor stays; the next batch's commit carries it past
      }
    }
    cursor = m.lastRow;
  };

  const catchUp = (): number => {
    let applied = 0;
    for (;;) {
      const rows = page.all(cursor, CATCH_UP_PAGE) as EventRow[];
      if (!rows.length) return applied;
      // consecutive rows of one app and one arrival are one batch, as ingest handed them over
      for (let i = 0; i < rows.length; ) {
        let j = i + 1;
        while (j < rows.length && rows[j]!.app_key === rows[i]!.app_key && rows[j]!.received_at === rows[i]!.received_at && rows[j]!.row === rows[j - 1]!.row + 1) j++;
        const batch = rows.slice(i, j);
        const firstRow = batch[0]!.row;
        if (!applyBatch({ app: batch[0]!.app_key, events: batch.map((r) => logRowOf(r).event), receivedAt: batch[0]!.received_at, firstRow, lastRow: firstRow + batch.length - 1 })) return applied;
        applied += batch.length;
        i = j;
      }
    }
  };

  const ingest = (m: IngestMessage) => {
    // the follower reads from the engine's cursor and hands rows over in log order, gaps and all
    if (m.after !== undefined) {
      if (m.after === cursor) applyExternal(m);
      return;
    }
    // rows stored but never handed over lie before this batch: read them back first (with it)
    if (m.firstRow > cursor + 1) catchUp();
    // still behind (the lock stayed taken): this batch waits its turn, read back with the rows before it
    if (m.firstRow <= cursor + 1) applyBatch(m);
  };

  // zod judges and words every rejection; the compiled fast path only answers for valid input
  const schema = requestSchemas().decideRequest;
  const fast = compileFast(schema);
  const validate = (json: unknown): DecideRequest => {
    const data = fast(json);
    if (data !== DEFER) return data;
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const p = firstProblem(parsed.error);
    throw new HttpError(400, p.code, p.message, { path: p.path });
  };

  return {
    ingest,
    catchUp,
    get cursor() {
      return cursor;
    },
    decide(app, body, view) {
      try {
        return { status: 200, body: engine.decideJson(app, validate(parseJson(body)), view) };
      } catch (error) {
        if (error instanceof HttpError) return { status: error.status, body: JSON.stringify(error.body()) };
        throw error;
      }
    },
    config: (app) => engine.config(app),
    activate: (app, release) => engine.activate(app, release),
    preview: (app, rules, request, traits) => engine.preview(app, rules, request, traits),
    image: (itemId) => engine.image(itemId),
    flush: () => engine.flush(),
    reloadModel: () => engine.reloadModel(),
    get modelVersion() {
      return engine.modelVersion;
    },
    diagnostics: () => engine.diagnostics(),
    close: () => engine.close(),
  };
}

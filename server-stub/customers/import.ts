/**
 * One import, start to end: the same file again is a `duplicate` (by its fingerprint, before a row
 * is read); otherwise its records are checked (rows.ts) and staged batch by batch under a new
 * snapshot while the previous one stays live, counted against it as they go, and the snapshot goes
 * live in one step — unless more lines were rejected than the threshold allows, or there is no
 * data at all, and then it is `aborted` and its rows deleted. Refusals (a personal-data column, no
 * header, not in the encoding) answer 400 and leave the live snapshot alone.
 *
 * Exactness: every data line is counted once, as inserted, updated, unchanged or rejected.
 * Row contents are never logged; rejects carry the line, the field and a reason, never the value.
 */
import type { ImportError, ImportKind } from '../../sdk/contract-customer';
import { HttpError } from '../wire/errors';
import { readRecords, type Encoding, type Format } from './reader';
import { isReject, planColumns, refuse, rowOf, type ColumnPlan, type StagedRow } from './rows';
import type { CustomerStore, ImportRow, Summary } from './store';

export interface ImportRequest {
  app: string;
  kind: ImportKind;
  /** the snapshot's date. @default today (UTC) */
  asOf?: string;
  format: Format;
  /** @default 'utf-8' */
  encoding?: Encoding;
  /** the trait columns to keep (profiles); default every column of the file */
  columns?: string[];
  /** the columns that carry hashed identifiers */
  hashed?: string[];
  /** sha-256 hex of the file's bytes */
  fingerprint: string;
  /** who imports: an operator's name or `cli:<user>` */
  actor: string;
}

export interface ImportPolicy {
  /** share of lines that may be rejected before the snapshot is aborted. @default 0.01 */
  rejectThreshold: number;
  /** snapshots kept per (app, kind), the live one included, for rollback. @default 3 */
  keep: number;
}

export const DEFAULT_IMPORT_POLICY: ImportPolicy = { rejectThreshold: 0.01, keep: 3 };

/** Rejects stored with an import (the count is always exact). */
export const MAX_STORED_ERRORS = 10_000;

const today = (now: number) => new Date(now).toISOString().slice(0, 10);

/**
 * Runs one import of `source` (the file's bytes; read once). Resolves to the finished import;
 * rejects with `HttpError` 400 when the file is refused.
 * @example const row = await runImport(store, createReadStream(file), { app: 'demo', kind: 'profiles', format: 'csv', fingerprint, actor: 'cli:ops' }, { now: Date.now });
 */
export async function runImport(
  store: CustomerStore,
  source: AsyncIterable<Uint8Array>,
  req: ImportRequest,
  o: { now: () => number; policy?: Partial<ImportPolicy>; onProgress?: (lines: number) => void },
): Promise<ImportRow> {
  const policy = { ...DEFAULT_IMPORT_POLICY, ...o.policy };
  const asOf = req.asOf ?? today(o.now());
  const live = await store.live(req.app, req.kind);
  const begin = () => store.begin({ app: req.app, kind: req.kind, asOf, fingerprint: req.fingerprint, actor: req.actor, now: o.now() });

  if (live && live.fingerprint === req.fingerprint) {
    const id = await begin();
    const same: Summary = { lines: live.lines, inserted: 0, updated: 0, unchanged: live.lines - live.rejected, rejected: live.rejected, removed: 0, errors: live.errors };
    await store.finish(id, 'duplicate', same, o.now(), `the same file as import ${live.id}, which is live: nothing changed`);
    return (await store.get(req.app, id))!;
  }

  let records;
  try {
    records = await readRecords(source, { format: req.format, encoding: req.encoding ?? 'utf-8' });
  } catch (error) {
    throw refusal(error);
  }
  const declared = req.columns;
  const plan: ColumnPlan = records.header
    ? planColumns(req.kind, records.header, { asOf, declared, hashed: req.hashed })
    : { kind: req.kind, kept: [], hashed: new Set(req.hashed ?? []), asOf };
  const known = new Set(plan.kept);
  /** JSON lines name their own fields: each new one is planned as a header's would be */
  const extend = (keys: string[]) => {
    const fresh = keys.filter((k) => !known.has(k));
    if (!fresh.length) return;
    fresh.forEach((k) => known.add(k));
    const more = planColumns(req.kind, [...plan.kept, ...fresh, ...REQUIRED_OF[req.kind].filter((r) => !known.has(r))], { asOf, declared, hashed: [...plan.hashed].filter((h) => known.has(h)) });
    plan.kept = more.kept;
  };

  const id = await begin();
  const previous = live?.id;
  const errors: ImportError[] = [];
  let rejected = 0;
  let lines = 0;
  let inserted = 0;
  let updated = 0;
  let unchanged = 0;
  const reject = (e: ImportError) => {
    rejected++;
    if (errors.length < MAX_STORED_ERRORS) errors.push(e);
  };
  const summary = (removed = 0): Summary => ({ lines, inserted, updated, unchanged, rejected, removed, errors: JSON.stringify(errors) });

  try {
    for await (const batch of records.batches) {
      const rows: StagedRow[] = [];
      for (const item of batch) {
        lines++;
        if ('error' in item) {
          reject({ line: item.line, field: '', code: item.error.code, message: item.error.message });
          continue;
        }
        if (item.keys) extend(item.keys);
        const r = rowOf(plan, item.get, item.line);
        if (isReject(r)) reject(r);
        else rows.push(r);
      }
      if (rows.length) {
        const s = await store.stage(id, previous, rows, o.now());
        inserted += s.inserted;
        updated += s.updated;
        unchanged += s.unchanged;
        for (const line of s.duplicates) reject({ line, field: KEY_FIELD[req.kind], code: 'duplicate_key', message: `the same ${KEY_NAME[req.kind]} appears on an earlier line` });
      }
      o.onProgress?.(lines);
    }
  } catch (error) {
    const refused = error instanceof HttpError ? error : isReadFailure(error) ? refusal(error) : undefined;
    await store.finish(id, 'aborted', summary(), o.now(), refused ? `refused: ${refused.message}` : `failed: ${(error as Error).message}`).catch(() => {});
    throw refused ?? error;
  }
  // the order of the errors is the file's; staging reports duplicates a batch late
  errors.sort((a, b) => a.line - b.line);

  if (!lines) {
    await store.finish(id, 'aborted', summary(), o.now(), 'the file has no data lines: an empty snapshot would remove every customer');
    return (await store.get(req.app, id))!;
  }
  if (rejected > lines * policy.rejectThreshold) {
    const note = `${rejected} of ${lines} lines rejected, more than the threshold of ${+(policy.rejectThreshold * 100).toFixed(4)} %: the previous snapshot stays live`;
    await store.finish(id, 'aborted', summary(), o.now(), note);
    return (await store.get(req.app, id))!;
  }
  const removed = (await store.liveCount(previous)) - updated - unchanged;
  if (!(await store.goLive(id, req.app, req.kind, previous, summary(removed), o.now()))) {
    await store.finish(id, 'aborted', summary(removed), o.now(), 'another import of this kind went live meanwhile: run this one again');
    return (await store.get(req.app, id))!;
  }
  await store.prune(req.app, req.kind, policy.keep);
  return (await store.get(req.app, id))!;
}

const REQUIRED_OF: Record<ImportKind, string[]> = { profiles: ['userId'], tags: ['userId', 'tag'], scores: ['userId', 'model', 'score'] };
const KEY_FIELD: Record<ImportKind, string> = { profiles: 'userId', tags: 'tag', scores: 'model' };
const KEY_NAME: Record<ImportKind, string> = { profiles: 'userId', tags: 'userId and tag', scores: 'userId and model' };

const isReadFailure = (error: unknown) =>
  error instanceof TypeError && /encod|decod/i.test(error.message) ? true : (error as { code?: string })?.code === 'no_header';

/** a reader's failure as the 400 that refuses the file */
function refusal(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as Error & { code?: string };
  if (e.code === 'no_header') return refuse('no_header', e.message, 'body');
  if (e instanceof TypeError) return refuse('invalid_encoding', 'the file is not in the declared encoding (UTF-8 unless encoding=gb18030 or gbk says otherwise)', 'encoding');
  return refuse('unreadable', e.message, 'body');
}

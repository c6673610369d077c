/**
 * Where customer data lives: imports, their snapshots, the live pointer per (app, kind), and each
 * app's identity settings — on the store seam (store/store.ts), one implementation per store:
 * SQLite (store-sqlite.ts, in `<dataDir>/slotwise.db`) and PostgreSQL (store-pg.ts, shared by every
 * instance). Component `customers` in `schema_versions`.
 *
 * Snapshots: every import stages its rows under its own id (`cu_rows(import_id, user_id, k, v)`)
 * while `cu_live` still points at the previous snapshot, so nothing a decide reads changes. Going
 * live is one transaction that moves the pointer; a decide reads a customer's facts in one
 * statement joined through the pointers, so it sees each customer wholly old or wholly new. A
 * process killed mid-import leaves a `running` import nobody finishes: `sweep` marks it aborted and
 * deletes its rows (at start, and periodically for imports whose heartbeat stopped).
 */
import type { IdentityMode, ImportKind, ImportStatus, RiskPolicy } from '../../sdk/contract-customer';
import type { StagedRow } from './rows';

/** An import's counts: `lines = inserted + updated + unchanged + rejected`. */
export interface Summary {
  lines: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  removed: number;
  /** JSON of ImportError[] */
  errors: string;
}

/** An import as stored: its counts (`Summary`) and who, what and when. */
export interface ImportRow extends Summary {
  id: number;
  app: string;
  kind: ImportKind;
  asOf: string;
  fingerprint: string;
  status: ImportStatus;
  actor: string;
  startedAt: number;
  finishedAt: number | null;
  note: string | null;
}

/** How the staged rows of one batch compare with the live snapshot's. */
export interface StageResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** lines whose key was already staged by an earlier line of the file */
  duplicates: number[];
}

/** One live fact of a customer: its kind, key and value text, and its snapshot's date. */
export interface Fact {
  kind: ImportKind;
  k: string;
  v: string;
  asOf: string;
}

export interface IdentityRow {
  mode: IdentityMode;
  riskPolicy: RiskPolicy;
  validityDays: number;
  secret: string | null;
  previous: string | null;
  previousUntil: number | null;
}

export interface CustomerStore {
  readonly kind: 'sqlite' | 'postgres';
  /** a new `running` import; its staged rows compare with `previous` (the live import, if any) */
  begin(i: { app: string; kind: ImportKind; asOf: string; fingerprint: string; actor: string; now: number }): Promise<number>;
  stage(id: number, previous: number | undefined, rows: StagedRow[], now: number): Promise<StageResult>;
  /** live snapshot keys of (app, kind) */
  liveCount(previous: number | undefined): Promise<number>;
  /**
   * One transaction: the snapshot becomes live if the pointer still names `previous` (false when
   * another import went live meanwhile: nothing changed), the previous one `kept`, the summary written.
   */
  goLive(id: number, app: string, kind: ImportKind, previous: number | undefined, summary: Summary, now: number): Promise<boolean>;
  /** an import that does not go live (aborted, duplicate): its summary, and its staged rows deleted */
  finish(id: number, status: 'aborted' | 'duplicate', summary: Summary, now: number, note?: string): Promise<void>;
  live(app: string, kind: ImportKind): Promise<ImportRow | undefined>;
  get(app: string, id: number): Promise<ImportRow | undefined>;
  list(app: string, limit: number): Promise<ImportRow[]>;
  /** makes a `kept` snapshot live again (the live one becomes kept); false when `id` is not kept */
  rollback(app: string, id: number, now: number): Promise<boolean>;
  /** keeps the `keep` newest live/kept snapshots of (app, kind); the others' rows are deleted */
  prune(app: string, kind: ImportKind, keep: number): Promise<void>;
  /** running imports whose heartbeat is older than `before`: aborted, rows deleted; how many */
  sweep(before: number, now: number): Promise<number>;
  /** a customer's facts in the app's live snapshots, read in one statement */
  facts(app: string, userId: string): Promise<Fact[]>;
  identity(app: string): Promise<IdentityRow | undefined>;
  setIdentity(app: string, patch: Partial<IdentityRow>, now: number): Promise<IdentityRow>;
  close(): Promise<void>;
}

export const DEFAULT_IDENTITY: IdentityRow = { mode: 'open', riskPolicy: 'page', validityDays: 365, secret: null, previous: null, previousUntil: null };

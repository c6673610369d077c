/**
 * Customer data the bank stands behind (issue 20): the batch import API, the identity settings and
 * the merged view's sources, shared by the server-stub, the console and the import CLI. The SDK
 * bundle imports nothing from here (its side of the contract is `identityToken` in sdk/contract.ts).
 *
 * | route                                                  | who              | answer                         |
 * | ------------------------------------------------------ | ---------------- | ------------------------------ |
 * | POST /admin/v1/apps/:app/imports?kind=…[&asOf][&encoding][&columns][&hashed] | publisher, admin | 200 { import: ImportAnswer } |
 * | GET  /admin/v1/apps/:app/imports                       | viewer           | 200 { items: ImportAnswer[] }  |
 * | GET  /admin/v1/apps/:app/imports/:id/rejected          | viewer           | text/csv: line,field,code,message |
 * | POST /admin/v1/apps/:app/imports/:id/rollback          | publisher, admin | 200 { import: ImportAnswer }   |
 * | GET  /admin/v1/apps/:app/identity                      | viewer           | 200 IdentitySettings           |
 * | PUT  /admin/v1/apps/:app/identity                      | admin            | 200 IdentitySettings           |
 * | POST /admin/v1/apps/:app/identity/secret               | admin            | 200 { secret } (shown once)    |
 */
import * as z from 'zod/mini';

export const IMPORT_KINDS = ['profiles', 'tags', 'scores'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** What the POST answers; the list also shows `running` (in progress), `kept` (an earlier live one, rollback-able) and `pruned`. */
export const IMPORT_STATUSES = ['running', 'live', 'kept', 'pruned', 'aborted', 'duplicate'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** Columns of a profiles file with a fixed meaning; every other column is a trait. */
export const RESERVED_PROFILE_COLUMNS = ['userId', 'riskTolerance', 'riskAssessedAt', 'segment', 'birthday', 'salaryDay', 'holdings'] as const;

/** One rejected line: `line` counts the file's lines, the header being line 1. */
export interface ImportError {
  line: number;
  field: string;
  code: string;
  message: string;
}

export interface ImportAnswer {
  id: number;
  kind: ImportKind;
  /** the snapshot's date (YYYY-MM-DD) */
  asOf: string;
  /** sha-256 of the file's bytes, hex */
  fingerprint: string;
  status: ImportStatus;
  /** data lines (the header not counted); lines = inserted + updated + unchanged + rejected */
  lines: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** keys of the previous live snapshot absent from this one (not counted in `lines`) */
  removed: number;
  /** the first rejects (all of them up to 10 000; `rejected` is always the exact count) */
  errors: ImportError[];
  /** who ran it: an operator's username, or `cli:<user>` */
  actor: string;
  startedAt: string;
  finishedAt?: string;
  /** why an import was aborted */
  note?: string;
}

export const IDENTITY_MODES = ['open', 'signed'] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];
/** What a customer without a valid batch assessment gets: the page's traits, or C1 for risk-bearing items. */
export const RISK_POLICIES = ['page', 'conservative'] as const;
export type RiskPolicy = (typeof RISK_POLICIES)[number];

export interface IdentitySettings {
  mode: IdentityMode;
  riskPolicy: RiskPolicy;
  /** days a batch risk assessment stays authoritative */
  validityDays: number;
  /** whether a secret exists (never the secret itself) */
  hasSecret: boolean;
  /** until when the secret before the last rotation is still accepted */
  previousValidUntil?: string;
}

/** The answer of `decide` says which identity it was served under. */
export const IDENTITY_RESULTS = ['verified', 'unverified', 'open'] as const;
export type IdentityResult = (typeof IDENTITY_RESULTS)[number];

/** PUT …/identity: any subset of the settings. */
export const identityBody = () =>
  z.object({
    mode: z.optional(z.enum(IDENTITY_MODES)),
    riskPolicy: z.optional(z.enum(RISK_POLICIES)),
    validityDays: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(3660))),
  });
export type IdentityBody = z.infer<ReturnType<typeof identityBody>>;

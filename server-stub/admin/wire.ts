/**
 * The admin API's request and answer shapes (`/admin/v1/`), until they move into
 * sdk/contract-admin.ts beside the rule set they manage. Requests are zod/mini schemas (built on
 * first use: no work at module scope); answers are TypeScript types the routes build.
 *
 * Conventions every answer keeps, so the console can rely on them: lists are `{ items: [...] }`
 * (plus `next` when paged), times are ISO 8601 strings in UTC, records carry their `id` (users their
 * `username`, releases their `version`), errors are `{ error: { code, message, path } }`.
 */
import * as z from 'zod/mini';
import { LIMITS } from '../../sdk/contract';
import type { Collection as RuleKind, RuleSet } from '../../sdk/contract-admin';

export const ROLES = ['viewer', 'editor', 'publisher', 'admin'] as const;
/** Each role may do what the ones before it may: viewer < editor < publisher < admin. */
export type Role = (typeof ROLES)[number];

export { COLLECTIONS as RULE_KINDS } from '../../sdk/contract-admin';
export type { Collection as RuleKind, RuleSet } from '../../sdk/contract-admin';
/** One rule or item of any collection, as the contract's schema for it keeps it. */
export type Rule = Record<string, unknown>;

/** `live`: in the live release, unchanged; `draft`: new or edited; `deleted`: live, deletion pending. */
export type EntryStatus = 'live' | 'draft' | 'deleted';

/** One entry of `GET /admin/v1/apps/:app/<kind>`. */
export interface DraftEntry {
  /** the rule's id (a tag rule's `name`) */
  id: string;
  status: EntryStatus;
  /** send back as `If-Match` on PUT/DELETE; changes whenever the entry's status or value does */
  rev: string;
  /** the rule as it would be published (for `deleted`: as it is live) */
  value: Rule;
  updatedAt?: string;
  updatedBy?: string;
}

/**
 * pending (waits for a second publisher) → scheduled (waits for `goLiveAt`) → live → superseded;
 * or rejected (not approved), cancelled (a scheduled one withdrawn, or whose base moved), failed
 * (the engine refused it after it was stored; the previous release was put back).
 */
export const RELEASE_STATUSES = ['pending', 'scheduled', 'live', 'superseded', 'rejected', 'cancelled', 'failed'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export interface ReleaseAnswer {
  version: number;
  status: ReleaseStatus;
  /** the live version the release was made against (its diff's "before") */
  base: number | null;
  note: string;
  createdBy: string;
  createdAt: string;
  approvedBy?: string;
  approvedAt?: string;
  goLiveAt?: string;
  liveAt?: string;
  /** set on a rollback: the version whose rules this release repeats */
  rollbackOf?: number;
  /** why a release was rejected or cancelled */
  reason?: string;
  /** rules per kind */
  counts: Record<RuleKind, number>;
  /** only on `GET …/releases/:version` */
  rules?: RuleSet;
}

export type ChangeKind = 'added' | 'changed' | 'removed';
export interface Change {
  kind: RuleKind;
  id: string;
  change: ChangeKind;
  before?: Rule;
  after?: Rule;
}

export interface AuditAnswer {
  id: number;
  at: string;
  actor: string;
  app: string | null;
  action: string;
  target: string;
  ip: string;
  userAgent: string;
  diff: unknown;
}

export interface UserAnswer {
  username: string;
  role: Role;
  apps: string[];
  disabled: boolean;
  createdAt: string;
}

export interface TokenAnswer {
  id: string;
  username: string;
  name: string;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
  /** only in the answer that creates it: shown once, stored hashed */
  token?: string;
}

export interface AppAnswer {
  id: string;
  name: string;
  fourEyes: boolean;
  /** the live release's version, null before the first */
  live: number | null;
  createdAt: string;
}

export interface KeyAnswer {
  key: string;
  app: string;
  /** `config`: from keys.json or the built-in demo key (not revocable here); `admin`: made here */
  source: 'config' | 'admin';
  createdAt?: string;
  createdBy?: string;
}

const APP_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

let built: ReturnType<typeof build> | undefined;
/** The request schemas, built once on first use. */
export const adminRequests = () => (built ??= build());

function build() {
  const username = z.string().check(z.regex(USERNAME, 'expected 1–64 letters, digits, or . _ @ -'));
  const appId = z.string().check(z.regex(APP_ID, 'expected 1–63 lowercase letters, digits, _ or -, starting with a letter or digit'));
  const role = z.enum(ROLES);
  const apps = z.array(z.union([z.literal('*'), appId])).check(z.minLength(1), z.maxLength(1000));
  const text = (max: number) => z.string().check(z.maxLength(max));
  const iso = z.string().check(z.maxLength(64), z.refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time'));
  return {
    login: z.object({ username: text(LIMITS.id), password: text(1024) }),
    createUser: z.object({ username, role, apps: z.optional(apps), password: z.string().check(z.maxLength(1024)) }),
    updateUser: z.object({
      role: z.optional(role),
      apps: z.optional(apps),
      disabled: z.optional(z.boolean()),
      password: z.optional(z.string().check(z.maxLength(1024))),
    }),
    createToken: z.object({ username: z.optional(username), name: z.string().check(z.minLength(1), z.maxLength(LIMITS.id)), expiresAt: z.optional(iso) }),
    createApp: z.object({ id: appId, name: z.optional(text(LIMITS.id)), fourEyes: z.optional(z.boolean()) }),
    updateApp: z.object({ name: z.optional(text(LIMITS.id)), fourEyes: z.optional(z.boolean()) }),
    publish: z.object({ note: z.optional(text(LIMITS.text)), goLiveAt: z.optional(iso) }),
    reject: z.object({ reason: z.optional(text(LIMITS.text)) }),
    rollback: z.object({ note: z.optional(text(LIMITS.text)) }),
  };
}

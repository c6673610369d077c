/**
 * The wire contract (v1), in exactly one place. The SDK validates answers with it and the
 * server-stub validates requests with it; neither side keeps a copy.
 *
 * What clients send is written in zod/mini (the server validates with it). What the server
 * answers and the on-device rules are written once as lean schemas (contract-check.ts): the SDK
 * checks answers with those, without zod, and `answerSchemas()` / `ruleSchemas()` turn the same
 * definitions into zod/mini for the server-stub and the tests (`toZod`).
 * Every schema is a function of nothing and is built lazily by `schemas()` so importing this
 * module does no work (the bundle is `"sideEffects": false`).
 */
import * as z from 'zod/mini';
import * as c from './contract-check';
import type { Infer, Node, Problem } from './contract-check';

/** Characters of an identity token (a JWT); not in LIMITS, which the script-tag core carries. */
const IDENTITY_TOKEN_CHARS = 4096;

/** Hard limits of the contract. Both sides enforce them. */
export const LIMITS = {
  /** events in one POST /v1/events */
  batchEvents: 500,
  /** bytes in one POST /v1/events body */
  batchBytes: 512 * 1024,
  /** bytes in one POST /v1/decide or other JSON body */
  requestBytes: 64 * 1024,
  /** slots in one decide request */
  slots: 20,
  /** items asked for one slot */
  slotCount: 50,
  /** ids in one slot's exclude list */
  exclude: 1000,
  /** tags sent with one decide request */
  tags: 100,
  /** length of names, ids and keys */
  id: 128,
  /** length of a free-text string (titles, urls, property values are not bounded here) */
  text: 2048,
  /** a keepalive request body must stay under the browser's 64 KB in-flight budget */
  keepaliveBytes: 60 * 1024,
  /** bytes of a decide or config answer the SDK reads at most (an events answer: 64 KB) */
  answerBytes: 256 * 1024,
} as const;

export const EVENT_TYPES = [
  'track',
  'page',
  'identify',
  'impression',
  'click',
  'conversion',
  'dismiss',
  'not_interested',
] as const;
export const SLOT_KINDS = ['picks', 'feed', 'ad', 'reminder'] as const;
export const CHANNELS = ['web', 'app'] as const;
export const RISK_LEVELS = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;
export const RISK_TOLERANCES = ['C1', 'C2', 'C3', 'C4', 'C5'] as const;
export const CONSENT_STATES = ['pending', 'granted', 'denied'] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Banking events a host sends with `track` (campaign templates' real-time tags and triggers match
 * them; the engine reads `product_maturity`):
 * - `transaction` — `{ type, amount, currency }`: `type` one of TRANSACTION_TYPES, `amount` in yuan
 *   (a positive number; the direction is in `type`), `currency` ISO 4217 (`CNY`).
 * - `product_maturity` — `{ product, maturesOn, amount? }`: a held product (`term_deposit`,
 *   `wealth` …) matures on `maturesOn` (`YYYY-MM-DD`, China time). The engine keeps it as the
 *   customer trait `<product in camelCase>MaturesOn` (`termDepositMaturesOn`), the name the bank's
 *   batch column has, so a campaign condition reads either source.
 * @example
 * sw.track('transaction', { type: 'deposit', amount: 80000, currency: 'CNY' });
 * sw.track('product_maturity', { product: 'term_deposit', maturesOn: '2026-12-10', amount: 50000 });
 */
export const TRANSACTION_TYPES = ['deposit', 'withdrawal', 'transfer_in', 'salary', 'card_spend', 'repayment', 'payment_failed'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];
export type SlotKind = (typeof SLOT_KINDS)[number];
export type Channel = (typeof CHANNELS)[number];
export type RiskLevel = (typeof RISK_LEVELS)[number];
export type RiskTolerance = (typeof RISK_TOLERANCES)[number];
export type ConsentState = (typeof CONSENT_STATES)[number];

const id = () => z.string().check(z.minLength(1), z.maxLength(LIMITS.id));
const text = () => z.string().check(z.maxLength(LIMITS.text));
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.int().check(z.minimum(min), z.maximum(max));
/** `params.maxKeys` tells server-stub/fast-schema.ts what this refine checks, so it can check it too */
const fewKeys = (max: number) =>
  z.refine<Record<string, unknown>>((o) => Object.keys(o).length <= max, {
    message: `at most ${max} entries`,
    params: { maxKeys: max },
  });

/** a slot request; built where needed (requests and config) so the groups stay independent */
const slotRequestCheck = () =>
  c.object({
    id: cid(),
    kind: c.oneOf(SLOT_KINDS),
    count: c.int(1, LIMITS.slotCount),
    exclude: c.optional(c.array(cid(), LIMITS.exclude)),
  });
const slotRequest = () => toZod(slotRequestCheck());

/** What clients send: the server validates with these. */
function buildRequests() {
  const properties = z.record(z.string().check(z.maxLength(LIMITS.id)), z.unknown());

  const page = z.object({
    url: text(),
    path: text(),
    title: z.optional(text()),
    referrer: z.optional(text()),
  });

  const eventContext = z.object({
    channel: z.enum(CHANNELS),
    page: z.optional(page),
    locale: z.optional(z.string().check(z.maxLength(35))),
    screen: z.optional(z.object({ width: int(0, 100_000), height: int(0, 100_000) })),
    timezone: z.optional(z.string().check(z.maxLength(64))),
    sdk: z.object({ name: id(), version: id() }),
  });

  const event = z.object({
    id: id(),
    type: z.enum(EVENT_TYPES),
    name: id(),
    /** epoch milliseconds on the device */
    ts: int(0),
    anonymousId: id(),
    userId: z.optional(id()),
    sessionId: id(),
    properties,
    context: eventContext,
    decisionId: z.optional(id()),
    slotId: z.optional(id()),
    itemId: z.optional(id()),
    position: z.optional(int(0, 10_000)),
  });

  const eventBatch = z.object({
    sentAt: int(0),
    events: z.array(z.unknown()).check(z.minLength(1), z.maxLength(LIMITS.batchEvents)),
    /** the bank-signed identity token (JWT, sdk/contract-customer.ts); in the body, as a beacon cannot set headers */
    identityToken: z.optional(z.string().check(z.maxLength(IDENTITY_TOKEN_CHARS))),
  });

  const tagValue = z.union([z.number(), z.string().check(z.maxLength(256)), z.boolean()]);

  const decideRequest = z.object({
    anonymousId: id(),
    userId: z.optional(id()),
    sessionId: id(),
    context: z.object({
      page: text(),
      channel: z.enum(CHANNELS),
      locale: z.string().check(z.maxLength(35)),
    }),
    tags: z.optional(z.record(id(), tagValue).check(fewKeys(LIMITS.tags))),
    personalized: z.optional(z.boolean()),
    /**
     * The risk tolerance the device holds for the user: the last `identify` trait, sent with every
     * decide so suitability holds before that identify reached the server. It only ever lowers:
     * the server applies min(stored, sent), and with nothing stored it takes the unknown-tolerance
     * cap (R1–R2) as the stored value, so a sent C5 alone sees R1–R2 (see README "Suitability").
     */
    riskTolerance: z.optional(z.enum(RISK_TOLERANCES)),
    /** the bank-signed identity token (HS256 JWT, `sub` = userId); an app in `signed` mode serves a request without a valid one as anonymous */
    identityToken: z.optional(z.string().check(z.maxLength(IDENTITY_TOKEN_CHARS))),
    slots: z.array(slotRequest()).check(z.minLength(1), z.maxLength(LIMITS.slots)),
  });

  return { properties, eventContext, event, eventBatch, slotRequest: slotRequest(), decideRequest };
}

/** a name, id or key */
const cid = () => c.string(LIMITS.id, 1);
/** a free-text string */
const ctext = () => c.string(LIMITS.text);
const MS_WEEK = 7 * 24 * 3600_000;
const MS_MONTH = 30 * 24 * 3600_000;

/** What the server answers: the SDK validates with these. */
function buildAnswers() {
  const eventsResponse = c.object({ accepted: c.int(0), duplicates: c.int(0) });

  const reason = c.object({ feature: cid(), label: ctext(), contribution: c.number() });

  const item = c.object({
    id: cid(),
    /** product kind: fund, deposit, wealth, loan, card, insurance, article, ad, reminder … */
    kind: cid(),
    category: c.optional(cid()),
    title: ctext(),
    subtitle: c.optional(ctext()),
    image: c.optional(ctext()),
    url: c.optional(ctext()),
    cta: c.optional(ctext()),
    badges: c.optional(c.array(c.string(64), 8)),
    risk: c.optional(c.oneOf(RISK_LEVELS)),
    disclosure: c.optional(ctext()),
    /** the headline figure of a product, e.g. { label: '7-day yield', value: '2.35%' } */
    highlight: c.optional(c.object({ label: c.string(64), value: c.string(64) })),
    position: c.int(0, 10_000),
    strategy: cid(),
    score: c.number(),
    explored: c.optional(c.boolean()),
    reasons: c.array(reason, 16),
  });

  const decideResponse = c.object({
    decisionId: cid(),
    ttlMs: c.int(0, MS_WEEK),
    /** the version of the app's rule release the decision was made under */
    release: c.optional(c.int(0)),
    /** whose data the decision used: a verified token's user, nobody's (unverified: served as anonymous), or the page's word (open mode) */
    identity: c.optional(c.oneOf(['verified', 'unverified', 'open'])),
    slots: c.record(cid(), c.object({ items: c.array(item, LIMITS.slotCount) })),
  });

  const errorBody = c.object({ error: c.object({ code: cid(), message: ctext(), path: c.string() }) });

  return { eventsResponse, reason, item, decideResponse, errorBody };
}

/** The on-device rules of GET /v1/config. */
function buildRules() {
  /** a condition on one property of an event: `properties[prop] op value` */
  const filter = c.object({
    prop: cid(),
    op: c.oneOf(['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte', 'exists']),
    value: c.optional(c.union(c.string(), c.number(), c.boolean(), c.array(c.union(c.string(), c.number())))),
  });

  /** which events a rule looks at; every given field must match */
  const matcher = c.object({
    type: c.optional(c.oneOf(EVENT_TYPES)),
    name: c.optional(cid()),
    where: c.optional(c.array(filter, 16)),
  });

  const localized = c.record(c.string(35), ctext());

  /**
   * A real-time tag: aggregate the matching events of the last `windowMs` on the device.
   * `count` and `sum` hold when the value `op` `threshold` (default gte 1); `exists` holds when one
   * matched; `last` holds when one matched and carries the last value of `property`.
   */
  const tagRule = c.object({
    name: cid(),
    label: c.optional(localized),
    match: matcher,
    agg: c.oneOf(['count', 'exists', 'sum', 'last']),
    property: c.optional(cid()),
    windowMs: c.int(1, 366 * 24 * 3600_000),
    op: c.optional(c.oneOf(['gte', 'gt', 'lte', 'lt', 'eq'])),
    threshold: c.optional(c.number()),
  });

  /**
   * A trigger: on an event matching `when`, unless an event matching `unless` follows within
   * `unless.withinMs`, emit the reminder after `delayMs` (fire time = max(delayMs, withinMs)).
   * `onReload` says what a trigger still pending when the page reloads does.
   */
  const triggerRule = c.object({
    id: cid(),
    when: matcher,
    unless: c.optional(c.object({ ...matcher.shape, withinMs: c.int(0, MS_MONTH) })),
    delayMs: c.int(0, MS_MONTH),
    onReload: c.optional(c.oneOf(['fire', 'drop'])),
    caps: c.optional(c.object({ perDay: c.optional(c.int(1, 1000)), lifetime: c.optional(c.int(1, 100_000)) })),
    reminder: c.object({
      title: localized,
      body: localized,
      cta: c.optional(localized),
      url: c.optional(ctext()),
      itemId: c.optional(cid()),
    }),
  });

  const config = c.object({
    version: cid(),
    /**
     * The app's live rule release (contract-admin.ts); 0 for an app without one. The answer's ETag
     * is `"<release>-<version>"` (the SDK sends it back as If-None-Match → 304), and
     * GET /v1/config/stream announces each new release as `data: <release>`.
     */
    release: c.optional(c.int(0)),
    ttlMs: c.int(0, MS_WEEK),
    slots: c.array(slotRequestCheck(), 100),
    /** rules are validated one by one by the SDK: a bad rule is skipped, not the config */
    tags: c.array(c.unknown(), 200),
    triggers: c.array(c.unknown(), 200),
  });

  return { filter, matcher, tagRule, triggerRule, config };
}

/**
 * The zod/mini schema that judges as `schema` does (contract-check.ts): the same kinds and the
 * same bounds, so server-stub/fast-schema.ts compiles it like a hand-written one.
 */
export function toZod<T>(schema: c.Schema<T>): z.ZodMiniType<T> {
  const s = schema as Node;
  const max = (n: number) => (n < Number.MAX_SAFE_INTEGER ? [z.maxLength(n)] : []);
  const min = (n: number) => (n > 0 ? [z.minLength(n)] : []);
  const checked = (base: z.ZodMiniType, checks: unknown[]) => (checks.length ? base.check(...(checks as Parameters<typeof base.check>)) : base);
  const any = (n: Node) => toZod(n as c.Schema) as z.ZodMiniType<unknown>;
  let out: z.ZodMiniType;
  switch (s.k) {
    case 'string':
      out = checked(z.string(), [...min(s.min), ...max(s.max), ...(s.re ? [z.regex(s.re, s.msg)] : [])]);
      break;
    case 'int':
      out = z.int().check(z.minimum(s.min), z.maximum(s.max));
      break;
    case 'number':
      out = z.number();
      break;
    case 'boolean':
      out = z.boolean();
      break;
    case 'literal':
      out = z.literal(s.value);
      break;
    case 'enum':
      out = z.enum(s.values as [string, ...string[]]);
      break;
    case 'array':
      out = checked(z.array(any(s.of)), [...min(s.min), ...max(s.max)]);
      break;
    case 'record':
      out = z.record(any(s.key) as z.ZodMiniString, any(s.of));
      break;
    case 'object': {
      const shape = Object.fromEntries(Object.entries(s.shape).map(([k, v]) => [k, any(v)]));
      out = s.strict ? z.strictObject(shape) : z.object(shape);
      break;
    }
    case 'optional':
      out = z.optional(any(s.of));
      break;
    case 'union':
      out = z.union(s.of.map(any) as [z.ZodMiniType, ...z.ZodMiniType[]]);
      break;
    case 'custom':
      out = z.custom(s.test, s.msg);
      break;
    default:
      out = z.unknown();
  }
  return out as z.ZodMiniType<T>;
}

export type Zod<G> = { [K in keyof G]: z.ZodMiniType<Infer<G[K]>> };
/** every schema of a group of lean schemas in zod/mini (contract-admin.ts builds its groups so) */
export const zodOf = <G extends Record<string, c.Schema>>(group: G) =>
  Object.fromEntries(Object.entries(group).map(([k, v]) => [k, toZod(v)])) as Zod<G>;

let requests: ReturnType<typeof buildRequests> | undefined;
let answers: ReturnType<typeof buildAnswers> | undefined;
let rules: ReturnType<typeof buildRules> | undefined;
let zodAnswers: Zod<ReturnType<typeof buildAnswers>> | undefined;
let zodRules: Zod<ReturnType<typeof buildRules>> | undefined;

/** Request schemas (events, decide), built on first use. */
export const requestSchemas = () => (requests ??= buildRequests());
/** Answer schemas (acks, decisions, errors) as lean schemas: what the SDK checks answers with. */
export const answerChecks = () => (answers ??= buildAnswers());
/** Rule schemas (config, tags, triggers) as lean schemas: what the SDK checks the config with. */
export const ruleChecks = () => (rules ??= buildRules());
/** The answer schemas in zod/mini, built on first use from `answerChecks()`. */
export const answerSchemas = () => (zodAnswers ??= zodOf(answerChecks()));
/** The rule schemas in zod/mini, built on first use from `ruleChecks()`. */
export const ruleSchemas = () => (zodRules ??= zodOf(ruleChecks()));

/** Every schema of the contract in zod/mini, built on first use. */
export function schemas() {
  return { ...requestSchemas(), ...answerSchemas(), ...ruleSchemas() };
}

type A = ReturnType<typeof buildAnswers>;
type R = ReturnType<typeof buildRules>;

type S = ReturnType<typeof requestSchemas>;
export type Properties = z.infer<S['properties']>;
export type EventContext = z.infer<S['eventContext']>;
export type SlotwiseEvent = z.infer<S['event']>;
export type EventBatch = { sentAt: number; events: SlotwiseEvent[] };
export type EventsResponse = Infer<A['eventsResponse']>;
export type SlotRequest = z.infer<S['slotRequest']>;
export type DecideRequest = z.infer<S['decideRequest']>;
export type Reason = Infer<A['reason']>;
export type Item = Infer<A['item']>;
export type DecideResponse = Infer<A['decideResponse']>;
export type Filter = Infer<R['filter']>;
export type Matcher = Infer<R['matcher']>;
export type TagRule = Infer<R['tagRule']>;
export type TriggerRule = Infer<R['triggerRule']>;
export type Config = Infer<R['config']>;
/** `{ error: { code, message, path } }`: every 4xx answer of the server has this body. */
export type ErrorBody = Infer<A['errorBody']>;
/** A rejected event named in a 400 answer to POST /v1/events (see `RejectedBody`). */
export type RejectedEvent = { index: number; id?: string; path: string; message: string };
/**
 * POST /v1/events is atomic: one bad event rejects the whole batch with 400, and the answer names
 * every bad event so the client dead-letters those and sends the rest again.
 */
export type RejectedBody = ErrorBody & { error: { rejected?: RejectedEvent[] } };

export type { Problem } from './contract-check';

/**
 * The first issue of a failed parse as `{ code, message, path }`, with a message a person can act
 * on ("events.3.ts: expected an integer ≥ 0"), without loading zod's locale tables.
 */
export function firstProblem(error: z.core.$ZodError, prefix = ''): Problem {
  const issue = error.issues[0]!;
  return c.problem(issue.path as c.Path, describe(issue), prefix);
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_big':
      return `must be ${issue.origin === 'number' ? 'at most' : 'no longer than'} ${issue.maximum}${issue.origin === 'array' ? ' entries' : ''}`;
    case 'too_small':
      return `must be ${issue.origin === 'number' ? 'at least' : 'at least of length'} ${issue.minimum}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'matches none of the allowed shapes';
    case 'not_multiple_of':
      return 'expected an integer';
    case 'invalid_key':
      return `property name must be a string of at most ${LIMITS.id} characters`;
    default:
      return issue.message && issue.message !== 'Invalid input' ? issue.message : issue.code;
  }
}

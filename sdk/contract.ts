/**
 * The wire contract (v1), in exactly one place. The SDK validates answers with it and the
 * server-stub validates requests with it; neither side keeps a copy.
 *
 * Only `zod/mini` here: this file is in the script-tag bundle.
 * Every schema is a function of nothing and is built lazily by `schemas()` so importing this
 * module does no work (the bundle is `"sideEffects": false`).
 */
import * as z from 'zod/mini';

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
const slotRequest = () =>
  z.object({
    id: id(),
    kind: z.enum(SLOT_KINDS),
    count: int(1, LIMITS.slotCount),
    exclude: z.optional(z.array(id()).check(z.maxLength(LIMITS.exclude))),
  });

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
    slots: z.array(slotRequest()).check(z.minLength(1), z.maxLength(LIMITS.slots)),
  });

  return { properties, eventContext, event, eventBatch, slotRequest: slotRequest(), decideRequest };
}

/** What the server answers: the SDK validates with these. */
function buildAnswers() {
  const eventsResponse = z.object({ accepted: int(0), duplicates: int(0) });

  const reason = z.object({ feature: id(), label: text(), contribution: z.number() });

  const item = z.object({
    id: id(),
    /** product kind: fund, deposit, wealth, loan, card, insurance, article, ad, reminder … */
    kind: id(),
    category: z.optional(id()),
    title: text(),
    subtitle: z.optional(text()),
    image: z.optional(text()),
    url: z.optional(text()),
    cta: z.optional(text()),
    badges: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(8))),
    risk: z.optional(z.enum(RISK_LEVELS)),
    disclosure: z.optional(text()),
    /** the headline figure of a product, e.g. { label: '7-day yield', value: '2.35%' } */
    highlight: z.optional(
      z.object({ label: z.string().check(z.maxLength(64)), value: z.string().check(z.maxLength(64)) }),
    ),
    position: int(0, 10_000),
    strategy: id(),
    score: z.number(),
    explored: z.optional(z.boolean()),
    reasons: z.array(reason).check(z.maxLength(16)),
  });

  const decideResponse = z.object({
    decisionId: id(),
    ttlMs: int(0, 7 * 24 * 3600_000),
    slots: z.record(id(), z.object({ items: z.array(item).check(z.maxLength(LIMITS.slotCount)) })),
  });

  const errorBody = z.object({
    error: z.object({ code: id(), message: text(), path: z.string() }),
  });

  return { eventsResponse, reason, item, decideResponse, errorBody };
}

/** The on-device rules of GET /v1/config. */
function buildRules() {
  /** a condition on one property of an event: `properties[prop] op value` */
  const filter = z.object({
    prop: id(),
    op: z.enum(['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte', 'exists']),
    value: z.optional(
      z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]),
    ),
  });

  /** which events a rule looks at; every given field must match */
  const matcher = z.object({
    type: z.optional(z.enum(EVENT_TYPES)),
    name: z.optional(id()),
    where: z.optional(z.array(filter).check(z.maxLength(16))),
  });

  const localized = z.record(z.string().check(z.maxLength(35)), text());

  /**
   * A real-time tag: aggregate the matching events of the last `windowMs` on the device.
   * `count` and `sum` hold when the value `op` `threshold` (default gte 1); `exists` holds when one
   * matched; `last` holds when one matched and carries the last value of `property`.
   */
  const tagRule = z.object({
    name: id(),
    label: z.optional(localized),
    match: matcher,
    agg: z.enum(['count', 'exists', 'sum', 'last']),
    property: z.optional(id()),
    windowMs: int(1, 366 * 24 * 3600_000),
    op: z.optional(z.enum(['gte', 'gt', 'lte', 'lt', 'eq'])),
    threshold: z.optional(z.number()),
  });

  /**
   * A trigger: on an event matching `when`, unless an event matching `unless` follows within
   * `unless.withinMs`, emit the reminder after `delayMs` (fire time = max(delayMs, withinMs)).
   * `onReload` says what a trigger still pending when the page reloads does.
   */
  const triggerRule = z.object({
    id: id(),
    when: matcher,
    unless: z.optional(z.object({ ...matcher.shape, withinMs: int(0, 30 * 24 * 3600_000) })),
    delayMs: int(0, 30 * 24 * 3600_000),
    onReload: z.optional(z.enum(['fire', 'drop'])),
    caps: z.optional(
      z.object({ perDay: z.optional(int(1, 1000)), lifetime: z.optional(int(1, 100_000)) }),
    ),
    reminder: z.object({
      title: localized,
      body: localized,
      cta: z.optional(localized),
      url: z.optional(text()),
      itemId: z.optional(id()),
    }),
  });

  const config = z.object({
    version: id(),
    ttlMs: int(0, 7 * 24 * 3600_000),
    slots: z.array(slotRequest()).check(z.maxLength(100)),
    /** rules are validated one by one by the SDK: a bad rule is skipped, not the config */
    tags: z.array(z.unknown()).check(z.maxLength(200)),
    triggers: z.array(z.unknown()).check(z.maxLength(200)),
  });

  return { filter, matcher, tagRule, triggerRule, config };
}

let requests: ReturnType<typeof buildRequests> | undefined;
let answers: ReturnType<typeof buildAnswers> | undefined;
let rules: ReturnType<typeof buildRules> | undefined;

/** Request schemas (events, decide), built on first use. */
export const requestSchemas = () => (requests ??= buildRequests());
/** Answer schemas (acks, decisions, errors), built on first use: what the SDK's network module needs. */
export const answerSchemas = () => (answers ??= buildAnswers());
/** Rule schemas (config, tags, triggers), built on first use. */
export const ruleSchemas = () => (rules ??= buildRules());

/**
 * Every schema of the contract, built on first use. Bundles that need only some groups import
 * `answerSchemas` / `ruleSchemas` so the rest is tree-shaken away.
 */
export function schemas() {
  return { ...requestSchemas(), ...answerSchemas(), ...ruleSchemas() };
}

type S = ReturnType<typeof schemas>;
export type Properties = z.infer<S['properties']>;
export type EventContext = z.infer<S['eventContext']>;
export type SlotwiseEvent = z.infer<S['event']>;
export type EventBatch = { sentAt: number; events: SlotwiseEvent[] };
export type EventsResponse = z.infer<S['eventsResponse']>;
export type SlotRequest = z.infer<S['slotRequest']>;
export type DecideRequest = z.infer<S['decideRequest']>;
export type Reason = z.infer<S['reason']>;
export type Item = z.infer<S['item']>;
export type DecideResponse = z.infer<S['decideResponse']>;
export type Filter = z.infer<S['filter']>;
export type Matcher = z.infer<S['matcher']>;
export type TagRule = z.infer<S['tagRule']>;
export type TriggerRule = z.infer<S['triggerRule']>;
export type Config = z.infer<S['config']>;
/** `{ error: { code, message, path } }`: every 4xx answer of the server has this body. */
export type ErrorBody = z.infer<S['errorBody']>;
/** A rejected event named in a 400 answer to POST /v1/events (see `RejectedBody`). */
export type RejectedEvent = { index: number; id?: string; path: string; message: string };
/**
 * POST /v1/events is atomic: one bad event rejects the whole batch with 400, and the answer names
 * every bad event so the client dead-letters those and sends the rest again.
 */
export type RejectedBody = ErrorBody & { error: { rejected?: RejectedEvent[] } };

/** One validation problem, in the shape of an error body. */
export interface Problem {
  code: string;
  message: string;
  path: string;
}

/**
 * The first issue of a failed parse as `{ code, message, path }`, with a message a person can act
 * on ("events.3.ts: expected an integer ≥ 0"), without loading zod's locale tables.
 */
export function firstProblem(error: z.core.$ZodError, prefix = ''): Problem {
  const issue = error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  return { code: 'invalid_' + (path ? 'field' : 'body'), message: `${path || 'body'}: ${describe(issue)}`, path };
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

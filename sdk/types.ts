/**
 * Public types of the client and the internal `Core` every capability is built on.
 * Names follow ../shared/DESIGN.md "Public API".
 */
import type {
  Channel,
  Config,
  ConsentState,
  DecideRequest,
  DecideResponse,
  EventContext,
  EventType,
  Item,
  Properties,
  SlotRequest,
  SlotwiseEvent,
  TagRule,
  TriggerRule,
} from './contract';
import type { DeadReason, Row, Store } from './db';
import type { SlotwiseError } from './errors';

export interface AutocaptureOptions {
  /** page views, including SPA navigation (pushState, replaceState, popstate). @example { pageviews: true } */
  pageviews?: boolean;
  /** clicks on elements marked `data-sw-event="name"`, with their `data-sw-*` properties. @example { clicks: true } */
  clicks?: boolean;
  /** app foreground/background through visibilitychange. @example { visibility: true } */
  visibility?: boolean;
}

export interface ClientOptions {
  /** The app's key, sent as `x-slotwise-key`. @example 'demo' */
  appKey: string;
  /** Base URL of the Slotwise backend. @example 'http://localhost:8787' */
  endpoint: string;
  /** `web` for pages, `app` inside a WebView. @example 'web' */
  channel?: Channel;
  /** Initial consent; `pending` keeps events in memory only. Default `granted`. @example 'pending' */
  consent?: ConsentState;
  /** Autocapture switches, or `false` for none. Default all on. @example { pageviews: true, clicks: false } */
  autocapture?: AutocaptureOptions | false;
  /** Flush when this many events wait, or after this long. Default `{ count: 20, intervalMs: 2000 }`. @example { count: 50, intervalMs: 5000 } */
  flush?: { count?: number; intervalMs?: number };
  /** Most events kept on the device; the oldest are dropped past it. Default 10 000. @example 5000 */
  maxQueue?: number;
  /** Items per slot shown when the backend cannot answer and nothing is cached. @example { 'home.today': [item] } */
  fallback?: Record<string, Item[]>;
  /** Budget of one decide request before falling back, ms. Default 800. @example 500 */
  decideTimeoutMs?: number;
  /** Locale for content and reminders. Default `navigator.language`. @example 'zh-CN' */
  locale?: string;
  /** Log what the SDK does to the console. Default false. @example true */
  debug?: boolean;
  /**
   * Asked for a fresh identity token (the app is in `signed` identity mode) when the one given to
   * `identify` expires within 30 s, before a decide or a batch of events is sent; resolve to the new
   * token, or undefined to go on with the old one. The events wait in the queue meanwhile.
   * @example refreshIdentityToken: async (userId) => (await fetch('/session/slotwise-token')).text()
   */
  refreshIdentityToken?: (userId: string) => string | undefined | Promise<string | undefined>;
  /** Nonce for injected styles under a strict CSP. @example 'r4nd0m' */
  nonce?: string;
  /** I/O, passed in for tests and unusual hosts. */
  fetch?: typeof fetch;
  /** Defaults to `globalThis.indexedDB`; `false` forces the memory queue. */
  indexedDB?: IDBFactory | false;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export type Middleware = (event: SlotwiseEvent) => SlotwiseEvent | null | undefined | void;

/** A reminder to show the user, from an on-device trigger or a reminder slot. */
export interface Reminder {
  id: string;
  ruleId?: string;
  title: string;
  body: string;
  cta?: string;
  url?: string;
  itemId?: string;
  ts: number;
  source: 'trigger' | 'slot';
}

/** What the client tells its listeners. */
export interface ClientEvents {
  error: SlotwiseError;
  reminder: Reminder;
  /** every event after middleware, as it is queued (or kept in memory under pending consent) */
  event: SlotwiseEvent;
  /** a batch the server acknowledged */
  sent: { ids: string[]; accepted: number; duplicates: number };
  /** the answer behind a slot, for panels and debugging */
  decision: { decisionId: string; slots: DecideResponse['slots']; source: 'network' | 'cache' | 'fallback' };
}

/**
 * An item as the SDK hands it to hosts: stamped with the decision and slot that showed it, so
 * `click(item)` and the other attribution calls need nothing else.
 */
export type SlotItem = Item & { decisionId?: string; slotId?: string };

export interface SlotState {
  slotId: string;
  items: SlotItem[];
  decisionId?: string;
  /** loading: nothing to show yet; network/cache/fallback: where the items came from; empty: nothing */
  status: 'loading' | 'network' | 'cache' | 'fallback' | 'empty';
  /** cached items are being revalidated */
  stale?: boolean;
}

export interface Decision {
  decisionId: string;
  slots: Record<string, SlotState>;
}

export interface TagValue {
  name: string;
  value: number | string | boolean;
  label?: string;
  updatedAt: number;
}

/** An event the server refused for good (or the SDK could not send), with the server's reason. */
export interface DeadLetter {
  /** the event's id, as `track()` returned it */
  id: string;
  /** the event as it was queued */
  event: SlotwiseEvent;
  /** the server's answer: HTTP status, its `error.code` and message, the bad field's path if named */
  reason: { status: number; code: string; message: string; path?: string };
  /** when it was refused, epoch ms */
  at: number;
}

/**
 * The dead letters of this app on this device (IndexedDB, shared by its tabs; without IndexedDB
 * this page's), at most 1 000, the oldest going first. Every method resolves, never rejects: a
 * storage failure is reported through `on('error')` and resolves with nothing done.
 * @example
 * const dead = await sw.deadLetters.list();
 * console.table(dead.map((d) => ({ id: d.id, name: d.event.name, why: d.reason.message })));
 * await sw.deadLetters.retry(dead.filter((d) => d.reason.status == 401).map((d) => d.id));
 * await sw.deadLetters.drop(); // the rest
 */
export interface DeadLetters {
  /** the dead letters, oldest first */
  list(): Promise<DeadLetter[]>;
  /** queues these again (all when no ids are given) and sends them; one the server still refuses comes back here. Resolves with how many. */
  retry(ids?: string[]): Promise<number>;
  /** deletes these (all when no ids are given). Resolves with how many. */
  drop(ids?: string[]): Promise<number>;
}

export interface SlotwiseClient {
  track(name: string, properties?: Properties): string;
  page(properties?: Properties): string;
  /** `options.token`: the identity token the bank's backend signed for this user (a JWT; sent as `identityToken`) */
  identify(userId: string, traits?: Properties, options?: { token?: string }): string;
  reset(): void;
  setConsent(state: ConsentState): void;
  getConsent(): ConsentState;
  setPersonalization(on: boolean): void;
  use(middleware: Middleware): () => void;
  flush(): Promise<void>;
  on<K extends keyof ClientEvents>(event: K, fn: (payload: ClientEvents[K]) => void): () => void;
  close(): Promise<void>;
  /** the events the server refused, to read, retry or drop. @see DeadLetters */
  readonly deadLetters: DeadLetters;

  decide(slots: SlotRequest[], context?: { page?: string }): Promise<Decision>;
  prefetch(slots: SlotRequest[], context?: { page?: string }): Promise<void>;
  subscribe(slotId: string, fn: (state: SlotState) => void): () => void;
  impression(item: Item, slotId?: string): string | undefined;
  click(item: Item, slotId?: string): string | undefined;
  conversion(item: Item, value?: number, slotId?: string): string | undefined;
  dismiss(item: Item, slotId?: string): string | undefined;
  notInterested(item: Item, slotId?: string): string | undefined;
  observeImpression(element: Element, item: Item, slotId?: string): () => void;
  getTags(): TagValue[];
  deleteTag(name: string): void;

  readonly anonymousId: string;
  readonly userId: string | undefined;
  readonly locale: string;
}

/** How the server answered one POST /v1/events. */
export type Sent =
  /** stored (or already stored): the events may leave the queue */
  | { ack: { accepted: number; duplicates: number } }
  /** try again later: network, timeout, 408/429/5xx, or an answer that is no acknowledgement */
  | { retry: SlotwiseError; after?: number; net?: boolean }
  /** 413 for a batch of several: send smaller batches */
  | { shrink: true }
  /** refused for good: `dead` lists [index in the batch, reason] (every event when none is named) */
  | { dead: [number, DeadReason][]; error: SlotwiseError };

/** GET /v1/config with its rules checked one by one: only good rules, the bad ones as `bad_rule` errors. */
export interface Rules {
  config: Omit<Config, 'tags' | 'triggers'> & { tags: TagRule[]; triggers: TriggerRule[] };
  problems: SlotwiseError[];
}

/**
 * The backend, as the core sees it: net.ts in the ESM build, net-lazy.ts (slotwise-net.min.js,
 * loaded at start) in the script tag. Declared here, with the other internal interfaces, so that
 * the files implementing and using it import it from below and never from each other.
 */
export interface Net {
  /**
   * Settles once the options were checked: at once in the ESM build (`connect` threw already if
   * they were bad); in the script tag when slotwise-net.min.js has arrived, rejecting with
   * `invalid_options` (or with the error that kept the module from loading).
   */
  ready: Promise<void>;
  /** POSTs one batch (`body` is the JSON of `ids.length` events); never rejects but when the module is missing */
  send(ids: string[], body: string, keepalive: boolean): Promise<Sent>;
  /** POST /v1/decide, the answer read with a size cap and validated; rejects with a SlotwiseError */
  decide(request: DecideRequest): Promise<DecideResponse>;
  /** GET /v1/config, revalidated with If-None-Match after the first (304: the last answer); rejects with a SlotwiseError */
  config(): Promise<Rules>;
  /**
   * Listens to GET /v1/config/stream (EventSource): `on(release)` on connect and on every new
   * release; `down()` when there is no stream (no EventSource, or the server refused it for good).
   * A release's config pushed before its version is kept, checked: the `config()` that follows
   * answers it without a request.
   * Resolves to the function that stops listening.
   */
  watch(on: (release: number) => void, down: () => void): Promise<() => void>;
  /**
   * The config's refresh loop (config-follow.ts): feeds `apply` with each newer checked config.
   * Resolves to the function that stops it; rejects only when the module is missing.
   */
  follow(core: Core, apply: (config: Rules['config']) => void, held: { version?: string; release?: number; wait: number }): Promise<() => void>;
  /**
   * The transport's send loop (send-loop.ts): sends the stored events until the queue is empty or
   * a send fails. Never rejects but when the module is missing (or the options are bad).
   */
  drain(loop: Loop, keepalive: boolean): Promise<void>;
  /**
   * The request half of decide() (decide-send.ts): one POST /v1/decide for `slots` of `page`, its
   * answer cached and shown. Never rejects but when the module is missing (or the options are bad).
   */
  ask(a: Asker, page: string, slots: SlotRequest[]): Promise<Record<string, SlotEntry> | undefined>;
}

/** one slot's cached decision */
export interface SlotEntry {
  items: SlotItem[];
  decisionId: string;
  /** expiry: the server's ttlMs after the answer */
  exp: number;
  /**
   * What the entry was asked with (absent in entries of older releases). The server may answer
   * fewer items than asked, so the count asked, not the items held, says what the entry covers.
   */
  count?: number;
  kind?: string;
  /** the rule release the decision was made under: an entry of another release reads as expired */
  r?: number;
}

/** What decisions (core) give their request half (network module). Internal. */
export interface Asker {
  core: Core;
  /** the slot store (slot-store.ts) */
  store: { who(): string; readonly gone: Set<string>; write(page: string, slotId: string, e: SlotEntry): void };
  tags(): Record<string, string | number | boolean>;
  /** shows `state` if its slot still shows `page` */
  show(page: string, state: SlotState): void;
}

/** What the transport (core) gives its send loop (network module). Internal. */
export interface Loop {
  /** the transport's options (transport.ts `TransportOptions`), as far as the loop uses them */
  o: {
    net: Net;
    store(): Store | undefined;
    /** the flush lock's options: the loop makes the lock (tabs.ts) when it first sends */
    lock: { name: string; kv: KV; locks?: LockManager | null };
    intervalMs: number;
    now(): number;
    allowed(): boolean;
    report(error: SlotwiseError): void;
    sent(ack: { ids: string[]; accepted: number; duplicates: number }): void;
    core?: Core;
  };
  /** the flush lock, made by the loop's first run (send-loop.ts) */
  lock?: { run(fn: (renew: () => Promise<boolean>) => Promise<void>): Promise<boolean> };
  /** the batch size: lowered after a 413, this server takes smaller batches than the contract says */
  max: number;
  /** events of the batch in flight, the oldest in the store: until its answer is handled, not dropped for the cap */
  out?: number;
  /** consent granted, client open and online: the loop may go on */
  go(): boolean;
  /** (re)arms the transport's timer for `ms` from now */
  wake(ms: number): void;
  /** reports a failed send and stores the next attempt (backoff or Retry-After); false */
  fail(store: Store, error: SlotwiseError, after?: number, net?: boolean): Promise<false>;
  /** the oldest rows that fit in one request of at most `bytes` (transport.ts `cut`) */
  cut(rows: Row[], bytes: number): Row[];
}

/** A small key-value store over IndexedDB (memory when IndexedDB is missing). */
export interface KV {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  /** every key starting with `prefix` */
  keys(prefix: string): Promise<string[]>;
  /**
   * Atomic across tabs: takes or renews the lease `name` unless another owner holds it unexpired.
   * Triggers use it so one tab, not every tab, fires a persisted pending reminder.
   */
  lease(name: string, owner: string, until: number, now: number): Promise<boolean>;
}

/**
 * What capture gives the other capabilities (decisions, tags, triggers). Internal.
 * Invariant: `record` never throws; `report` never throws.
 */
export interface Core {
  readonly options: Readonly<Required<Pick<ClientOptions, 'appKey' | 'endpoint' | 'channel'>>> & ClientOptions;
  /**
   * Settles once the persisted identity has been read at start-up. Decisions wait for it, so the
   * first request of a page and its cache lookup are for the stored user, not a provisional one.
   */
  ready?: Promise<unknown>;
  now(): number;
  /** the backend: decide and config requests, answers validated (net.ts; lazily loaded in the script tag) */
  net: Net;
  kv: KV;
  identity(): { anonymousId: string; userId?: string; sessionId: string; riskTolerance?: import('./contract').RiskTolerance };
  /** the identity token of the identified user (memory only); refreshed by the network module (identity-token.ts) */
  token?: string;
  context(): EventContext;
  locale(): string;
  consent(): ConsentState;
  personalized(): boolean;
  /** builds the envelope, runs middleware, queues; returns the id, or undefined if dropped */
  record(
    type: EventType,
    name: string,
    properties?: Properties,
    extra?: Pick<SlotwiseEvent, 'decisionId' | 'slotId' | 'itemId' | 'position'>,
  ): string | undefined;
  /** every event after middleware; listeners must not throw (they are guarded anyway) */
  onEvent(fn: (event: SlotwiseEvent) => void): () => void;
  emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void;
  report(error: SlotwiseError): void;
}

/**
 * The slot half of the client (decisions, attribution, tags, triggers), built on `Core` by
 * `createSlots(core)` in slots.ts and spread into the client by client.ts.
 */
export interface Slots
  extends Pick<
    SlotwiseClient,
    | 'decide'
    | 'prefetch'
    | 'subscribe'
    | 'impression'
    | 'click'
    | 'conversion'
    | 'dismiss'
    | 'notInterested'
    | 'observeImpression'
    | 'getTags'
    | 'deleteTag'
  > {
  /**
   * The user changed (reset, or identify as someone else): drop caches, tags, pending triggers.
   * `all: false`, the same person identified or with another risk tolerance: only what is on show
   * is withdrawn and asked again.
   */
  reset(all?: boolean): Promise<void>;
  /** personalisation switched; off stops tag evaluation */
  setPersonalization(on: boolean): void;
  close(): void;
}

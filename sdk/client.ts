/**
 * createClient(): wires capture, queue, transport and the slots half together.
 *
 * Data path of one `track()`: check the call → capture it (time, id, who, page, a snapshot of the
 * properties) → the queue's memory. From the end of the task on, in slices of ~8 ms: build the
 * envelope → middleware → `event` listeners (tags, triggers, panels) → serialise → one IndexedDB
 * transaction per slice; the transport sends what is stored.
 */
import { CONSENT_STATES, type ConsentState, type EventType, type Properties, type SlotwiseEvent } from './contract';
import { autocapture } from './autocapture';
import { checkCall, createContext, envelope, pageNow, snapshot, type Capture, type Extra } from './capture';
import { consentKV } from './consent';
import { memoryStore, openStore, type Store } from './db';
import { createEmitter } from './emitter';
import { SlotwiseError, toSlotwiseError } from './errors';
import { createIdentity, uuid, type IdentityState } from './identity';
import { connect } from './net';
import { resolveOptions } from './options';
import { createJournal } from './journal';
import { createQueue, utf8 } from './queue';
import { createSlots } from './slots';
import { createTransport } from './transport';
import type { ClientEvents, ClientOptions, Core, DeadLetter, DeadLetters, Middleware, SlotwiseClient } from './types';

/**
 * Creates a client. Throws `SlotwiseError('invalid_options')` for a bad config, and never
 * again after that: every later problem is reported through `on('error')`.
 *
 * In the script tag (dist/slotwise.min.js) the options are checked by the network module, which
 * arrives after the client started: there a bad option is reported (console and `on('error')`,
 * `invalid_options`) and the client closes itself without having sent anything.
 *
 * @example
 * const sw = createClient({ appKey: 'demo', endpoint: 'http://localhost:8787' });
 * sw.track('loan_apply_step', { step: 2 });
 */
export function createClient(options: ClientOptions): SlotwiseClient {
  const net = connect(options);
  const o = resolveOptions(options);
  const clock = o.now ?? Date.now;
  const now = () => Math.floor(clock());
  const emitter = createEmitter<ClientEvents>();
  // one failure can reach several callers (the network module not loading): told once
  const told = new WeakSet<SlotwiseError>();
  const report = (error: SlotwiseError) => {
    if (told.has(error)) return;
    told.add(error);
    const fatal = error.code == 'invalid_options';
    if (o.debug || fatal) console[fatal ? 'error' : 'warn']('slotwise:', error.code, error.message, error.details ?? '');
    emitter.emit('error', error);
    if (fatal) void client.close();
  };
  const failed = (e: unknown) => report(toSlotwiseError('storage_failed', e));
  const identity = createIdentity(now);
  const context = createContext(o.channel, () => o.locale);
  // replaced, never changed in place: a capture keeps the list of its call (`use`'s remover)
  let middleware: Middleware[] = [];
  let consent: ConsentState = o.consent;
  let personalized = true;
  let personalizedSet = false;
  let closed = false;

  const journal = createJournal(o.appKey, utf8);
  const ready = open();
  const kv = consentKV(ready, () => consent);
  const allowed = () => consent == 'granted' && !closed;
  const core: Core = {
    options: o,
    now,
    net,
    kv,
    identity: () => ({ ...identity.state }),
    context,
    locale: () => o.locale,
    consent: () => consent,
    personalized: () => personalized,
    record,
    onEvent: (fn) => emitter.on('event', fn),
    emit: emitter.emit,
    report,
  };
  const queue = createQueue({
    journal,
    max: o.maxQueue,
    consent: () => consent,
    identity: () => identity.state,
    now,
    build,
    report,
    persisted: (n) => transport.notify(n),
    sending: () => transport.sending(),
    beacon: (rows) => transport.beacon(rows),
  });
  const transport = createTransport({
    net,
    endpoint: o.endpoint,
    appKey: o.appKey,
    fetch: o.fetch,
    count: o.flush.count,
    intervalMs: o.flush.intervalMs,
    now,
    store: queue.store,
    lock: { name: `slotwise:${o.appKey}:flush`, kv },
    allowed,
    report,
    sent: (ack) => emitter.emit('sent', ack),
    core,
  });

  async function open(): Promise<Store> {
    // after the code that called createClient, so a listener it attaches next hears of a failure
    await null;
    const factory = o.indexedDB === false ? undefined : (o.indexedDB ?? globalThis.indexedDB);
    if (o.indexedDB !== false) {
      try {
        return await openStore(factory!, o.appKey);
      } catch (e) {
        report(toSlotwiseError('storage_unavailable', e, 'no IndexedDB; events are kept in memory'));
      }
    }
    return memoryStore(journal);
  }

  /**
   * The hot path: checks the call and captures it (capture.ts), nothing more. Its envelope is
   * built in a slice (`build`), so the id is returned even for an event a middleware drops later.
   */
  function record(type: EventType, name: string, properties?: Properties, extra?: Extra): string | undefined {
    if (closed || consent == 'denied') return undefined;
    const problem = checkCall(name, properties);
    if (problem) {
      report(new SlotwiseError('invalid_argument', problem));
      return undefined;
    }
    if (type == 'page') properties = { path: globalThis.location?.pathname, ...properties };
    const ts = now();
    const id = uuid(ts);
    const who = identity.touch(ts);
    queue.push({ id, type, name, ts, anonymousId: who.anonymousId, sessionId: who.sessionId, userId: who.userId, properties: snapshot(properties), extra, page: pageNow(type == 'page'), use: middleware });
    return id;
  }

  /** a capture's event, after middleware and `event` listeners; undefined when a middleware dropped it */
  function build(c: Capture): SlotwiseEvent | undefined {
    let event = envelope(c, context(c.page));
    for (const fn of c.use) {
      // each middleware gets a copy, so one that throws halfway leaves the event as it was
      const copy = { ...event, properties: { ...event.properties }, context: { ...event.context } };
      try {
        const out = fn(copy);
        if (out === null) return undefined;
        if (out !== undefined && (typeof out != 'object' || !out)) throw new TypeError('returned neither an event, null nor undefined');
        event = (out as SlotwiseEvent | undefined) ?? copy;
      } catch (cause) {
        report(new SlotwiseError('middleware_failed', `middleware failed on "${c.name}": ${(cause as Error)?.message ?? cause}`, { id: c.id, cause }));
      }
    }
    emitter.emit('event', event);
    return event;
  }

  const slots = createSlots(core);

  const detach = autocapture(o.autocapture, {
    page: () => record('page', 'page'),
    track: (name, properties) => record('track', name, properties),
  });
  const off = lifecycle();
  net.ready.catch(report);

  const started = ready.then(async (store) => {
    const [stored, personal] = await Promise.all([
      store.get<IdentityState>('identity'),
      store.get<boolean>('personalized'),
    ]).catch(() => [undefined, undefined] as const);
    identity.adopt(stored);
    // the static context now (its time zone: the page's first Intl.DateTimeFormat, 20–50 ms in
    // Chromium), at start, not in the first slice after the page's first burst
    context();
    identity.relabel<Capture | SlotwiseEvent>(queue.buffered());
    if (personal === false && !personalizedSet) personalized = false, slots.setPersonalization(false);
    queue.ready(store);
    if (consent == 'denied') return queue.forget(), erase(store);
    // events an earlier page left unsent
    const left = await store.count().catch(() => 0);
    if (left) transport.notify(left);
  });
  core.ready = started;

  function erase(store: Store) {
    return store.clear().catch(failed);
  }

  /** pagehide, visibilitychange, online: the moments a mobile page gets before it is gone */
  function lifecycle(): () => void {
    const w = globalThis.window;
    const d = globalThis.document;
    if (!w || !d) return () => {};
    const hide = () => {
      queue.hidden(true);
      void transport.flush(true);
    };
    const show = () => queue.hidden(false);
    const visibility = () => (d.visibilityState == 'hidden' ? hide() : show());
    const online = () => void transport.online();
    const all: [EventTarget, string, () => void][] = [[d, 'visibilitychange', visibility], [w, 'pagehide', hide], [d, 'freeze', hide], [w, 'pageshow', show], [d, 'resume', show], [w, 'online', online]];
    for (const [target, type, fn] of all) target.addEventListener(type, fn);
    return () => {
      for (const [target, type, fn] of all) target.removeEventListener(type, fn);
    };
  }

  /** `fn` on the open store; a failure is reported and resolves `none`. Ids that are not an array
   * of strings match nothing (`unbury`), so they need no check on this rare path. */
  const dead = async <T>(fn: (store: Store) => Promise<T>, none: T): Promise<T> => {
    try {
      await started;
      const store = queue.store();
      return store && !closed ? await fn(store) : none;
    } catch (e) {
      return failed(e), none;
    }
  };
  const deadLetters: DeadLetters = {
    // a row that no longer parses (tampered, or another release's) hides only itself
    list: () =>
      dead(async (s) => (await s.dead()).flatMap(({ id, body, reason, at }): DeadLetter[] => {
        try {
          return [{ id, event: JSON.parse(body), reason, at }];
        } catch {
          return [];
        }
      }), []),
    retry: (ids) =>
      dead(async (s) => {
        const n = await s.unbury(ids, true, o.maxQueue);
        if (n) void transport.flush();
        return n;
      }, 0),
    drop: (ids) => dead((s) => s.unbury(ids, false, 0), 0),
  };

  const client: SlotwiseClient = {
    deadLetters,
    ...slots,
    track: (name, properties) => record('track', name, properties) ?? '',
    page: (properties) => record('page', 'page', properties) ?? '',
    identify(userId, traits, opts) {
      if (typeof userId != 'string' || !userId || userId.length > 128) {
        report(new SlotwiseError('invalid_argument', `identify: userId of 1–128 characters`));
        return '';
      }
      if (closed || consent == 'denied') return '';
      const previous = identity.state.userId;
      const changed = identity.identify(userId, traits?.riskTolerance);
      // a token is its user's: an identify without one leaves none (refreshIdentityToken is asked)
      core.token = opts?.token;
      // another person on this device: what was learned about the last one must not show; the same
      // one newly identified or with another tolerance: decisions made before are not theirs
      if (changed) void slots.reset(!!previous && previous !== userId);
      return record('identify', 'identify', traits) ?? '';
    },
    reset() {
      identity.reset();
      void slots.reset();
      void kv.set('identity', identity.state).catch(() => {});
    },
    setConsent(state) {
      if (!CONSENT_STATES.includes(state)) {
        report(new SlotwiseError('invalid_argument', `setConsent: expected one of ${CONSENT_STATES}`));
        return;
      }
      if (state == consent) return;
      consent = state;
      if (state == 'granted') {
        void kv.commit().catch(() => {});
        void queue.persist();
      } else if (state == 'denied') {
        queue.forget();
        kv.forget();
        identity.reset();
        void slots.reset();
        void ready.then(erase);
      }
    },
    getConsent: () => consent,
    setPersonalization(on) {
      personalized = personalizedSet = !!on;
      void kv.set('personalized', personalized).catch(() => {});
      slots.setPersonalization(personalized);
    },
    use(fn) {
      if (typeof fn != 'function') {
        report(new SlotwiseError('invalid_argument', 'use: not a function'));
        return () => {};
      }
      middleware = [...middleware, fn];
      return () => {
        middleware = middleware.filter((f) => f !== fn);
      };
    },
    async flush() {
      await started;
      await queue.persist();
      await transport.flush();
    },
    on(event, fn) {
      if (typeof fn != 'function') {
        report(new SlotwiseError('invalid_argument', `on("${String(event)}"): not a function`));
        return () => {};
      }
      return emitter.on(event, fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      detach();
      off();
      slots.close();
      transport.close();
      // what was tracked up to now becomes durable before the store closes
      await started.catch(() => {});
      await queue.persist();
      queue.store()?.close();
      emitter.clear();
    },
    get anonymousId() {
      return identity.state.anonymousId;
    },
    get userId() {
      return identity.state.userId;
    },
    get locale() {
      return o.locale;
    },
  };
  return client;
}

/**
 * Triggers: the config's trigger rules turn behaviour into reminders on the device.
 *
 * An event matching `when` starts a pending trigger, due `max(delayMs, unless.withinMs)` after it;
 * an event matching `unless` that follows within `withinMs` cancels it; when due, the reminder is
 * emitted unless the rule's caps (per local day, lifetime) are used up.
 *
 * Invariants:
 * - Due at once (no delay, no unless): fired synchronously in the event path (when the event is
 *   built: the first slice after its `track()`, a microtask of that task), with the caps held in
 *   memory (loaded when the rules arrive), so event → reminder costs microseconds.
 * - One pending trigger per rule in a tab: a new `when` event restarts it (the user abandoned the
 *   form twice, they get one reminder after the second time).
 * - A pending trigger whose rule says `onReload: 'drop'` lives in memory and dies with the page.
 *   Otherwise (`'fire'`, the default) it is persisted, and every tab that starts later arms it too.
 * - Exactly one tab fires a persisted trigger: a tab fires it only while holding the rule's lease
 *   (`kv.lease`, atomic across tabs) and only if it deletes the record itself under that lease. The
 *   lease is released after the delete, so a second tab finds the record gone. The caps and the
 *   `unless` marks are re-read under the same lease, so the caps hold across tabs as well.
 * - `unless` events are also recorded as marks per rule (the last 20, persisted), because the tab
 *   that sees the `unless` event need not be the one holding the pending trigger.
 * - On time: all of that storage work (lease, claim, caps, marks) is done `LEAD` ms before the
 *   deadline, so the deadline is one timer (user-blocking, see `timer`) and a synchronous emit. The price of the lead: a
 *   claimed trigger lives in this tab's memory only, so a tab closed in the last `LEAD` ms takes it
 *   along, and an `unless` event in another tab in those ms comes too late (in this tab it still
 *   cancels up to the deadline).
 */
import type { TriggerRule } from './contract';
import { uuid } from './identity';
import { stale } from './rule-swap';
import { fail, localize, matches, personal, save } from './rules';
import type { Core } from './types';

const P = 'trg:p:';
const U = 'trg:u:';
const C = 'trg:c:';
const L = 'trg:l:';
/** setTimeout fires at once past 2^31-1 ms; longer delays are waited for in steps */
const STEP = 2e9;
/**
 * How long before its deadline a pending trigger reads the caps and `unless` marks, and claims its
 * record: the reads take several IndexedDB round trips (tens of ms when the page is busy), the
 * deadline then only a timer and a synchronous emit.
 */
const LEAD = 1000;

interface Pending {
  id: string;
  rule: string;
  /** ts of the `when` event */
  ts: number;
  /** when it is due */
  at: number;
  /** persisted, so tabs must agree on who fires it */
  kept?: boolean;
  /** cancels its timer (never persisted: a record is written before its first timer) */
  t?: () => void;
}
/** fires on local day `d` (days since the epoch) and in all */
type Caps = { d: number; n: number; t: number };

export interface Triggers {
  setRules(rules: TriggerRule[]): void;
  /** drops every pending trigger and `unless` mark (caps stay: they protect the device) */
  clear(): Promise<void>;
  close(): void;
}

/**
 * Runs `f` in `ms`; returns its cancel. Where the browser can say so (`scheduler.postTask`,
 * user-blocking), a deadline's timer outranks the page's ordinary tasks (IndexedDB and network
 * callbacks among them) and the SDK's slices, whose next pause comes within ~6 ms: a timed
 * reminder waits for the task running when it is due, not for a queue of them.
 */
const timer = (f: () => unknown, ms: number): (() => void) => {
  let on = 1;
  const run = () => on && f();
  const s = (globalThis as { scheduler?: { postTask?(f: () => unknown, o: object): unknown } }).scheduler;
  // (a cancelled task still runs, as a no-op: the scheduler has no cheaper cancel)
  s?.postTask ? s.postTask(run, { delay: Math.max(ms, 0), priority: 'user-blocking' }) : setTimeout(run, ms);
  return () => (on = 0);
};

const day = (t: number) => Math.floor((t - new Date(t).getTimezoneOffset() * 60_000) / 864e5);

/** the later of two counts: another tab may have fired meanwhile */
const merge = (a?: Caps, b?: Caps): Caps =>
  !a || !b ? a ?? b ?? { d: 0, n: 0, t: 0 } : { d: Math.max(a.d, b.d), n: a.d == b.d ? Math.max(a.n, b.n) : a.d > b.d ? a.n : b.n, t: Math.max(a.t, b.t) };

export function createTriggers(core: Core): Triggers {
  const kv = core.kv;
  const me = uuid();
  let rules = new Map<string, TriggerRule>();
  const pending = new Map<string, Pending>();
  const caps: Record<string, Caps> = {};
  let ready: Promise<unknown> = Promise.resolve();

  /**
   * Takes one of the rule's caps, unless they are used up, and shows the reminder: now, or when
   * `later` calls back (the cap is taken now all the same, so a cancel after it costs one).
   */
  function fire(r: TriggerRule, later = (show: () => void) => show()): void {
    const c = caps[r.id];
    // the caps are still being read: fire once they are (unread caps count as none on failure)
    if (!c) return void ready.then(() => ((caps[r.id] ??= merge()), fire(r, later)));
    const now = core.now();
    if (c.d != day(now)) (c.d = day(now)), (c.n = 0);
    if (c.n >= (r.caps?.perDay ?? Infinity) || c.t >= (r.caps?.lifetime ?? Infinity)) return;
    c.n++;
    c.t++;
    const text = (t?: Record<string, string>) => localize(t, core.locale());
    const { title, body, cta, url, itemId } = r.reminder;
    const show = () => core.emit('reminder', { id: uuid(), ruleId: r.id, title: text(title)!, body: text(body)!, cta: text(cta), url, itemId, ts: core.now(), source: 'trigger' });
    later(show);
    // after the reminder is out: its write starts in a microtask, which would run ahead of the
    // reminder's own (a widget's mutation observers)
    save(core, C + r.id, c);
  }

  /** runs `f` for `p` in `ms` (a step at most), keeping `p` pending meanwhile */
  const arm = (p: Pending, ms: number, f: () => unknown) => {
    pending.set(p.id, p);
    // (a negative delay is none)
    p.t = timer(f, Math.min(ms, STEP));
  };
  // `p` is prepared LEAD ms ahead, then shown by a timer for its deadline
  const prepare = (p: Pending, ms = p.at - LEAD - core.now()): void => arm(p, ms, () => due(p).catch(fail(core)));

  const drop = (p: Pending) => {
    p.t?.();
    pending.delete(p.id);
    if (p.kept) kv.del(P + p.id).catch(fail(core));
  };

  /** the storage work and the caps, done ahead so that the deadline itself costs no await */
  async function due(p: Pending): Promise<void> {
    if (core.now() < p.at - LEAD) return prepare(p);
    const r = rules.get(p.rule);
    // another tab is firing this rule: look again shortly (the record may be gone by then)
    if (!(await kv.lease(L + p.rule, me, core.now() + 10_000, core.now()))) return prepare(p, 1000);
    try {
      // one round trip for the three reads: every one of them is on the way to the deadline
      const [kept, c, marks] = await Promise.all([kv.get(P + p.id), kv.get<Caps>(C + p.rule), kv.get<number[]>(U + p.rule)]);
      // claimed: deleted (below) by this tab under the lease, so no other tab fires it
      if (p.kept && !kept) return drop(p);
      caps[p.rule] = merge(caps[p.rule], c);
      // still pending: not dropped meanwhile (an unless event in this tab, a new `when` event, clear, close)
      if (r && pending.delete(p.id) && !(r.unless && marks?.some((m) => m >= p.ts && m - p.ts <= r.unless!.withinMs)))
        // the cap is taken under the lease, so the caps hold across tabs
        fire(r, (show) => (core.now() < p.at ? arm(p, p.at - core.now(), () => (pending.delete(p.id), show())) : show()));
      // IndexedDB commits these writes in order: the caps, the claim, then the lease's release. A
      // record kept in memory only has none to delete
      await kv.del(P + p.id);
    } finally {
      await kv.del(L + p.rule);
    }
  }

  const off = core.onEvent((e) => {
    if (!personal(core)) return;
    for (const r of rules.values()) {
      if (r.unless && matches(r.unless, e)) {
        for (const p of pending.values()) if (p.rule == r.id && e.ts >= p.ts && e.ts - p.ts <= r.unless.withinMs) drop(p);
        const key = U + r.id;
        kv.get<number[]>(key)
          .then((marks) => save(core, key, [...(marks ?? []), e.ts].slice(-20)))
          .catch(fail(core));
      }
      if (!matches(r.when, e)) continue;
      const wait = Math.max(r.delayMs, r.unless?.withinMs ?? 0);
      if (!wait) {
        fire(r);
        continue;
      }
      for (const p of pending.values()) if (p.rule == r.id) drop(p);
      const p: Pending = { id: uuid(), rule: r.id, ts: e.ts, at: e.ts + wait };
      p.kept = r.onReload != 'drop' && !!save(core, P + p.id, { ...p, kept: true });
      prepare(p);
    }
  });

  return {
    setRules(next) {
      const was = rules;
      rules = new Map(next.map((r) => [r.id, r]));
      for (const p of pending.values()) if (stale(was.get(p.rule), rules.get(p.rule))) drop(p);
      ready = Promise.all([
        ...next.filter((r) => !caps[r.id]).map((r) => kv.get<Caps>(C + r.id).then((c) => (caps[r.id] = merge(caps[r.id], c)))),
        // pending triggers of earlier pages, and of other tabs: armed here too, the lease picks one
        kv.keys(P).then((keys) =>
          Promise.all(
            keys.map(async (key) => {
              const p = await kv.get<Pending>(key);
              if (!p || pending.has(p.id)) return;
              const r = rules.get(p.rule);
              if (r && r.onReload != 'drop') prepare({ ...p, kept: true });
              else await kv.del(key);
            }),
          ),
        ),
      ]).catch(fail(core));
    },
    async clear() {
      [...pending.values()].forEach(drop);
      const keys = [...(await kv.keys(P)), ...(await kv.keys(U))];
      await Promise.all(keys.map((k) => kv.del(k))).catch(fail(core));
    },
    close() {
      off();
      pending.forEach((p) => p.t?.());
    },
  };
}

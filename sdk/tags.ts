/**
 * On-device real-time tags: the config's tag rules aggregated over the local event stream.
 *
 * Invariants:
 * - History is the only state: per rule, the `[ts, value]` of its matching events, newest last,
 *   at most `MAX` entries and none older than the rule's window. A tag's value is computed from it
 *   on demand, so a window slides without timers.
 * - History is persisted (one kv record, written once per task that changed it) and survives a
 *   reload. Events that arrive before the first rules are known are kept (bounded) and replayed.
 * - Nothing is evaluated, sent or listed while personalisation is off (see `personal`).
 */
import type { SlotwiseEvent, TagRule } from './contract';
import { LIMITS } from './contract';
import { compare, fail, localize, matches, num, personal, read, save } from './rules';
import type { Core, TagValue } from './types';

const KEY = 'tags';
/** entries kept per rule: enough for any sensible count threshold, small enough to write often */
const MAX = 200;

type Value = TagValue['value'];
type History = Record<string, [ts: number, value?: unknown][]>;

export interface Tags {
  setRules(rules: TagRule[]): void;
  /** the tags that hold, name → value, for a decide request (empty when not personal) */
  values(): Record<string, Value>;
  list(): TagValue[];
  remove(name: string): void;
  clear(): Promise<void>;
  close(): void;
}

export function createTags(core: Core): Tags {
  let rules: TagRule[] | undefined;
  let history: History = {};
  let early: SlotwiseEvent[] = [];
  let dirty = false;

  // what was stored goes before what happened since start-up (newer)
  const loaded = core.kv
    .get<History>(KEY)
    .then((stored) => {
      for (const name in stored) if (Array.isArray(stored[name])) history[name] = [...stored[name], ...(history[name] ?? [])];
    })
    .catch(fail(core));

  const persist = () => {
    if (dirty) return;
    dirty = true;
    // after the load, or the first write would replace the stored history with today's
    loaded.then(() => {
      dirty = false;
      const now = core.now();
      const keep: History = {};
      for (const r of rules ?? []) {
        const h = history[r.name]?.filter(([ts]) => ts > now - r.windowMs);
        if (h?.length) keep[r.name] = h;
      }
      if (rules) history = keep;
      return save(core, KEY, history);
    });
  };

  const apply = (e: SlotwiseEvent) => {
    for (const r of rules!) {
      if (!matches(r.match, e)) continue;
      const h = (history[r.name] ??= []);
      h.push(r.property ? [e.ts, read(e, r.property)] : [e.ts]);
      if (h.length > MAX) h.splice(0, h.length - MAX);
      persist();
    }
  };

  const off = core.onEvent((e) => {
    if (!personal(core)) return;
    if (rules) apply(e);
    else if (early.push(e) > MAX) early.shift();
  });

  /** the tag's value now, or undefined when it does not hold */
  const value = (r: TagRule): { value: Value; at: number } | undefined => {
    const h = history[r.name]?.filter(([ts]) => ts > core.now() - r.windowMs);
    if (!h?.length) return;
    const [at, v] = h[h.length - 1];
    if (r.agg == 'exists') return { value: true, at };
    if (r.agg == 'last') {
      if (typeof v == 'string') return { value: v.slice(0, 256), at };
      return typeof v == 'number' || typeof v == 'boolean' ? { value: v, at } : undefined;
    }
    const n = r.agg == 'count' ? h.length : h.reduce((s, [, v]) => s + (num(v) || 0), 0);
    return compare(r.op ?? 'gte', n, r.threshold ?? 1) ? { value: n, at } : undefined;
  };

  const each = <T>(fn: (r: TagRule, v: { value: Value; at: number }) => T): T[] =>
    personal(core) && rules
      ? rules.flatMap((r) => {
          const v = value(r);
          return v ? [fn(r, v)] : [];
        })
      : [];

  return {
    setRules(next) {
      rules = next;
      early.forEach(apply);
      early = [];
    },
    values: () => Object.fromEntries(each((r, v) => [r.name, v.value]).slice(0, LIMITS.tags)),
    list: () =>
      each((r, v) => ({ name: r.name, value: v.value, label: localize(r.label, core.locale()), updatedAt: v.at })),
    remove(name) {
      // the history goes too, or old events would bring the tag straight back
      delete history[name];
      persist();
    },
    async clear() {
      history = {};
      early = [];
      await loaded;
      history = {};
      await core.kv.del(KEY).catch(fail(core));
    },
    close: off,
  };
}

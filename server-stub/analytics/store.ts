/**
 * Every SQL read and write of the analyses, behind one interface (`AnalyticsStore`), so a port to
 * another store (PostgreSQL) reimplements this file and feed.ts and nothing else. The analyses
 * themselves are plain functions over the rows these return.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db';
import { createFeed } from './feed';
import { migrateAnalytics } from './schema';

export interface Customer {
  cid: number;
  /** the userId, else the anonymousId the customer was first seen as */
  key: string;
  userId: string | null;
  firstTs: number;
  lastTs: number;
  /** first-touch channel, source, medium, campaign, referring host */
  channel: string;
  source: string;
  medium: string;
  campaign: string;
  referrer: string;
  segment: string | null;
  /** the `referrer` (a userId) of their earliest `referral_accept`, and its time */
  referredBy: string | null;
  referredTs: number | null;
}

export interface Fact {
  seq: number;
  cid: number;
  ts: number;
  name: string;
  channel: string;
  session: string;
  /** the event's properties as stored (JSON text) */
  props: string;
}

/** A raw row of `propFacts`: seq, cid, ts, name, channel, then one JSON text (or null) per property asked for. */
export type PropFact = [seq: number, cid: number, ts: number, name: string, channel: string, ...values: (string | null)[]];

/** A customer's active days (ascending, distinct) and their event counts (all channels). */
export interface ActiveDays {
  days: number[];
  n: number[];
}

export interface Anchored {
  seq: number;
  cid: number;
  ts: number;
  session: string;
  channel: string;
  /** [label, session] of the events next to it, nearest first */
  around: [string, string][];
}

export interface MatchingRow {
  day: number;
  channel: string;
  segment: string;
  slot: string;
  strategy: string;
  /** the campaign that placed the item ('' for none) */
  campaign: string;
  model: string;
  explored: number;
  imp: number;
  clk: number;
  conv: number;
  value: number;
}

export interface Audience {
  id: string;
  app: string;
  name: string;
  /** the analysis and parameters that listed it */
  analysis: string;
  params: Record<string, string>;
  userIds: string[];
  createdAt: number;
}

export interface AnalyticsStore {
  /** feeds what was stored since the last call (feed.ts), at once; returns the events applied */
  refresh(): number;
  /**
   * The same in slices that yield the thread between them (feed.ts `runSliced`): the routes await
   * it, so a large backlog (a first start over a full store) never blocks other requests. Calls
   * made while one runs share it; it ends only when nothing is left to feed.
   * @example await store.catchUp(); // then every event stored before this call is counted
   */
  catchUp(): Promise<number>;
  /** every customer of the app (cached until the feed applies something new) */
  customers(app: string): Customer[];
  /**
   * events named `names` with `from ≤ ts < to`, ordered by (ts, seq); `unordered` skips the sort
   * and `props: false` leaves `props` empty (both cheaper on large ranges)
   */
  facts(app: string, names: readonly string[], from: number, to: number, o?: { unordered?: boolean; props?: boolean }): Fact[];
  /**
   * The funnel's read: events named `names` with `from ≤ ts < to`, unordered, as raw rows
   * `[seq, cid, ts, name, channel, ...values]`, each value the JSON text of property `props[k]` (null
   * when absent). Names with a `"` or `\\` cannot be a JSON path: give none such.
   */
  propFacts(app: string, names: readonly string[], from: number, to: number, props: readonly string[]): PropFact[];
  /**
   * Each `anchor` event with `from ≤ ts < to` (ordered by ts, seq), with the `n` events of its
   * customer right after it (or, `backwards`, right before it), nearest first, as [label, session].
   */
  anchored(app: string, anchor: string, from: number, to: number, n: number, backwards: boolean): Anchored[];
  /** the event names stored for the app */
  names(app: string): string[];
  /** how many events of `name` with `from ≤ ts < to` */
  countOf(app: string, name: string, from: number, to: number): number;
  /**
   * Per event name (and per interval of `step` days from `fromDay`, unless `step` is 0): its events
   * and distinct customers on days `fromDay … toDay` (both included), on one channel or all; with
   * `byChannel`, per channel too.
   */
  eventCounts(
    app: string,
    names: readonly string[],
    fromDay: number,
    toDay: number,
    o: { step: number; channel?: string; byChannel?: boolean },
  ): { name: string; k: number; channel: string; count: number; uniques: number }[];
  /** per customer: the active days with `fromDay ≤ day < toDay` (cached like `customers`: do not modify) */
  activeDays(app: string, fromDay: number, toDay: number): Map<number, ActiveDays>;
  /** utm_campaign of the customer's first event of that day ('' for none) */
  campaignOn(app: string, cid: number, day: number): string;
  matching(app: string, fromDay: number, toDay: number): MatchingRow[];
  /** per model: decisions logged and the candidates suitability removed in them, `fromDay ≤ day < toDay` */
  removed(app: string, fromDay: number, toDay: number): { model: string; decisions: number; removed: number }[];
  /** feedback events whose decision is not in the decision log (yet, or ever) */
  unmatched(app: string): number;
  saveAudience(a: Omit<Audience, 'id' | 'createdAt'>, now: number): Audience;
  audience(app: string, id: string): Audience | undefined;
  audiences(app: string): (Omit<Audience, 'userIds'> & { size: number })[];
  /** the customers behind the given user keys (userIds or anonymousIds) */
  cidsOfKeys(app: string, keys: readonly string[]): Set<number>;
}

export interface AnalyticsStoreOptions {
  /**
   * The database holding `events` (its own connection is best: the feed takes the write lock in
   * short transactions, and waits for it up to the connection's busy_timeout).
   * @example createAnalyticsStore({ db: openDb(dataDir) })
   */
  db: Db;
}

export function createAnalyticsStore({ db }: AnalyticsStoreOptions): AnalyticsStore {
  migrateAnalytics(db);
  const feed = createFeed(db);
  const q = {
    customers: db.prepare(
      `SELECT cid, key, user_id AS userId, first_ts AS firstTs, last_ts AS lastTs, channel, source, medium, campaign, referrer,
         segment, referred_by AS referredBy, referred_ts AS referredTs FROM an_customers WHERE app = ? ORDER BY cid`,
    ),
    facts: [false, true].flatMap((unordered) =>
      [false, true].map((props) =>
        db.prepare(
          `SELECT seq, cid, ts, name, channel, session, ${props ? 'props' : "'' AS props"} FROM an_facts
           WHERE app = ? AND name IN (SELECT value FROM json_each(?)) AND ts >= ? AND ts < ?${unordered ? '' : ' ORDER BY ts, seq'}`,
        ),
      ),
    ),
    // one statement, its correlated subquery run inside SQLite per anchor (no call per anchor from
    // JS); `f.ts >= a.ts` (`<=`) bounds the walk of the (cid, ts, seq) index, the rest drops the
    // anchor's own ts ties before it (after it)
    anchored: [false, true].map((backwards) =>
      db.prepare(
        `SELECT a.seq, a.cid, a.ts, a.session, a.channel, (
           SELECT json_group_array(json_array(label, session) ORDER BY ts ${backwards ? 'DESC' : ''}, seq ${backwards ? 'DESC' : ''}) FROM (
             SELECT f.label, f.session, f.ts, f.seq FROM an_facts f
             WHERE f.cid = a.cid AND f.ts ${backwards ? '<=' : '>='} a.ts AND (f.ts ${backwards ? '<' : '>'} a.ts OR f.seq ${backwards ? '<' : '>'} a.seq)
             ORDER BY f.ts ${backwards ? 'DESC' : ''}, f.seq ${backwards ? 'DESC' : ''} LIMIT :n
           )
         ) AS around
         FROM an_facts a WHERE a.app = :app AND a.name = :anchor AND a.ts >= :from AND a.ts < :to ORDER BY a.ts, a.seq`,
      ),
    ),
    propFacts: new Map<number, import('better-sqlite3').Statement>(),
    nextName: db.prepare('SELECT name FROM an_facts WHERE app = ? AND name > ? ORDER BY app, name LIMIT 1').pluck(),
    countOf: db.prepare('SELECT count(*) FROM an_facts WHERE app = ? AND name = ? AND ts >= ? AND ts < ?').pluck(),
    // in primary-key order (day, then customer): each customer's days arrive ascending
    activeDays: db.prepare('SELECT cid, day, n FROM an_days WHERE app = ? AND day >= ? AND day < ? ORDER BY day').raw(),
    campaignOn: db.prepare('SELECT campaign FROM an_days WHERE app = ? AND day = ? AND cid = ? ORDER BY first_ts LIMIT 1').pluck(),
    matching: db.prepare(
      'SELECT day, channel, segment, slot, strategy, campaign, model, explored, imp, clk, conv, value FROM an_matching WHERE app = ? AND day >= ? AND day < ?',
    ),
    removed: db.prepare('SELECT model, sum(decisions) AS decisions, sum(removed) AS removed FROM an_removed WHERE app = ? AND day >= ? AND day < ? GROUP BY model ORDER BY model'),
    eventCounts: [false, true].flatMap((interval) =>
      [false, true].map((byChannel) =>
        db.prepare(
          `SELECT name, ${interval ? 'CAST((day - :from) / :step AS INTEGER)' : '0'} AS k, ${byChannel ? 'channel' : "''"} AS channel, sum(n) AS count, count(DISTINCT cid) AS uniques
           FROM an_event_days WHERE app = :app AND name IN (SELECT value FROM json_each(:names)) AND day >= :from AND day <= :to
             AND (:channel IS NULL OR channel = :channel)
           GROUP BY name, k${byChannel ? ', channel' : ''}`,
        ),
      ),
    ),
    unmatched: db.prepare('SELECT count(*) FROM an_pending WHERE app = ?').pluck(),
    save: db.prepare('INSERT INTO an_audiences (id, app, name, analysis, params, user_ids, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    audience: db.prepare('SELECT id, app, name, analysis, params, user_ids, created_at FROM an_audiences WHERE app = ? AND id = ?'),
    audiences: db.prepare(
      'SELECT id, app, name, analysis, params, json_array_length(user_ids) AS size, created_at FROM an_audiences WHERE app = ? ORDER BY created_at DESC, id',
    ),
    keys: db.prepare('SELECT cid FROM an_keys WHERE app = ? AND key IN (SELECT value FROM json_each(?))').pluck(),
  };
  /** per app: the customers, valid while the feed applies nothing new */
  let cache = new Map<string, Customer[]>();
  /** per app and day range: the active days, valid as long (a few ranges: each holds every customer's days) */
  let daysCache = new Map<string, Map<number, ActiveDays>>();

  type AudienceRow = { id: string; app: string; name: string; analysis: string; params: string; user_ids: string; created_at: number };
  const audienceOf = (r: AudienceRow): Audience => ({
    id: r.id,
    app: r.app,
    name: r.name,
    analysis: r.analysis,
    params: JSON.parse(r.params) as Record<string, string>,
    userIds: JSON.parse(r.user_ids) as string[],
    createdAt: r.created_at,
  });

  const applied = (n: number) => {
    if (n) {
      cache = new Map();
      daysCache = new Map();
    }
    return n;
  };
  let running: Promise<number> | undefined;

  return {
    refresh: () => applied(feed.run()),
    catchUp() {
      running ??= feed.runSliced().then(
        (n) => ((running = undefined), applied(n)),
        (e: unknown) => {
          running = undefined;
          // a slice that failed rolled back alone; what the earlier ones applied stays applied
          cache = new Map();
          daysCache = new Map();
          throw e;
        },
      );
      return running;
    },
    customers(app) {
      let list = cache.get(app);
      if (!list) cache.set(app, (list = q.customers.all(app) as Customer[]));
      return list;
    },
    propFacts(app, names, from, to, props) {
      let st = q.propFacts.get(props.length);
      if (!st) {
        const values = props.map((_, k) => `, props -> :p${k}`).join('');
        q.propFacts.set(
          props.length,
          (st = db
            .prepare(`SELECT seq, cid, ts, name, channel${values} FROM an_facts WHERE app = :app AND name IN (SELECT value FROM json_each(:names)) AND ts >= :from AND ts < :to`)
            .raw()),
        );
      }
      const params: Record<string, unknown> = { app, names: JSON.stringify(names), from, to };
      props.forEach((p, k) => (params[`p${k}`] = `$."${p}"`));
      return st.all(params) as PropFact[];
    },
    facts: (app, names, from, to, o = {}) => q.facts[(o.unordered ? 2 : 0) + (o.props === false ? 0 : 1)]!.all(app, JSON.stringify(names), from, to) as Fact[],
    anchored: (app, anchor, from, to, n, backwards) =>
      (q.anchored[backwards ? 1 : 0]!.all({ app, anchor, from, to, n }) as (Omit<Anchored, 'around'> & { around: string })[]).map((r) => ({
        ...r,
        around: JSON.parse(r.around) as [string, string][],
      })),
    names(app) {
      const out: string[] = [];
      for (let name = q.nextName.get(app, '') as string | undefined; name !== undefined; name = q.nextName.get(app, name) as string | undefined) out.push(name);
      return out;
    },
    countOf: (app, name, from, to) => q.countOf.get(app, name, from, to) as number,
    eventCounts: (app, names, fromDay, toDay, o) =>
      q.eventCounts[(o.step ? 2 : 0) + (o.byChannel ? 1 : 0)]!.all({ app, names: JSON.stringify(names), from: fromDay, to: toDay, step: o.step || 1, channel: o.channel ?? null }) as {
        name: string;
        k: number;
        channel: string;
        count: number;
        uniques: number;
      }[],
    activeDays(app, fromDay, toDay) {
      const key = `${app}\u0001${fromDay}\u0001${toDay}`;
      const cached = daysCache.get(key);
      if (cached) return cached;
      if (daysCache.size >= 4) daysCache = new Map();
      const out = new Map<number, ActiveDays>();
      daysCache.set(key, out);
      for (const [cid, day, n] of q.activeDays.all(app, fromDay, toDay) as [number, number, number][]) {
        let a = out.get(cid);
        if (!a) out.set(cid, (a = { days: [], n: [] }));
        const last = a.days.length - 1;
        // the same day on another channel
        if (last >= 0 && a.days[last] === day) a.n[last]! += n;
        else {
          a.days.push(day);
          a.n.push(n);
        }
      }
      return out;
    },
    campaignOn: (app, cid, day) => (q.campaignOn.get(app, day, cid) as string | undefined) ?? '',
    matching: (app, fromDay, toDay) => q.matching.all(app, fromDay, toDay) as MatchingRow[],
    removed: (app, fromDay, toDay) => q.removed.all(app, fromDay, toDay) as { model: string; decisions: number; removed: number }[],
    unmatched: (app) => q.unmatched.get(app) as number,
    saveAudience(a, now) {
      const saved: Audience = { ...a, id: `aud_${randomUUID()}`, createdAt: now };
      q.save.run(saved.id, saved.app, saved.name, saved.analysis, JSON.stringify(saved.params), JSON.stringify(saved.userIds), saved.createdAt);
      return saved;
    },
    audience(app, id) {
      const r = q.audience.get(app, id) as AudienceRow | undefined;
      return r && audienceOf(r);
    },
    audiences: (app) =>
      (q.audiences.all(app) as (Omit<AudienceRow, 'user_ids'> & { size: number })[]).map((r) => ({
        id: r.id,
        app: r.app,
        name: r.name,
        analysis: r.analysis,
        params: JSON.parse(r.params) as Record<string, string>,
        size: r.size,
        createdAt: r.created_at,
      })),
    cidsOfKeys: (app, keys) => new Set(q.keys.all(app, JSON.stringify(keys)) as number[]),
  };
}

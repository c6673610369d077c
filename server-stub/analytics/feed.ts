/**
 * The analytics feed: projects stored events (and the engine's decision log) into the analytics
 * tables (schema.ts), by a cursor over `events.rowid`, the way the engine applies them. Nothing
 * on the ingest path changes: every analysis first calls `run()`, which applies whatever was stored
 * since, so an answer counts every event stored before the request (exact by construction), and a
 * page of events and its cursor move commit together, so a crash never applies one twice.
 *
 * Order independence: events arrive out of device-time order (queues flushed late, offline
 * devices), so every projection keeps the *earliest by device time* where it matters — a customer's
 * first touch, a customer-day's first campaign, a referral's acceptance — never the first to arrive.
 * The two things that do depend on arrival order are stated in the README: which customer an
 * anonymous event belongs to (the identify events that arrived before it), and the segment trait
 * (the last identify to arrive).
 */
import type { Db } from '../store/db';

/** Events (or decisions) applied per transaction: the write lock is never held long. */
const PAGE = 5000;
/**
 * Per slice of `runSliced`, between which the thread serves other requests: ~1 000 events take
 * some 20–40 ms on this machine, so a catch-up over a large backlog never holds the thread longer.
 */
const SLICE = 1000;

const DAY_MS = 86_400_000;

interface EventRow {
  row: number;
  app_key: string;
  type: string;
  name: string;
  ts: number;
  anonymous_id: string;
  user_id: string | null;
  session_id: string;
  decision_id: string | null;
  item_id: string | null;
  properties: string;
  context: string;
}

/** Where a touch came from, read off its page URL's utm_* parameters and the document referrer. */
export interface Touch {
  source: string;
  medium: string;
  campaign: string;
  referrer: string;
}

const param = (url: string, name: string): string => {
  const m = new RegExp(`[?&]${name}=([^&#]*)`).exec(url);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]!.replace(/\+/g, ' ')).slice(0, 128);
  } catch {
    return m[1]!.slice(0, 128);
  }
};
const host = (url: string): string => /^[a-z][\w+.-]*:\/\/([^/?#:@]+)/i.exec(url)?.[1]?.toLowerCase() ?? '';

/**
 * A touch's source: `utm_source` of the page URL, else the referrer's host when it is another site,
 * else `direct`; medium: `utm_medium`, else `referral` (another site) or `none`; campaign:
 * `utm_campaign` or ''. The referrer is the referring host ('' for none or the same site).
 */
export function touchOf(url: string, referrerUrl: string): Touch {
  const ref = host(referrerUrl);
  const referrer = ref && ref !== host(url) ? ref : '';
  return {
    source: param(url, 'utm_source') || referrer || 'direct',
    medium: param(url, 'utm_medium') || (referrer ? 'referral' : 'none'),
    campaign: param(url, 'utm_campaign'),
    referrer,
  };
}

const parse = (text: string): Record<string, unknown> => {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

const FEEDBACK = new Set(['impression', 'click', 'conversion']);

export interface Feed {
  /** applies everything stored since the last run; returns how many events it applied */
  run(): number;
  /**
   * The same in slices of `limit` rows (default 1 000), awaiting `yieldTo` (default setImmediate)
   * between them, so the thread answers other requests meanwhile. Never run two at once (the
   * store shares one).
   */
  runSliced(o?: { limit?: number; yieldTo?: () => Promise<void> }): Promise<number>;
}

export function createFeed(db: Db): Feed {
  const s = {
    cursor: db.prepare('SELECT event_row, decision_row FROM an_cursor WHERE id = 1'),
    moveEvents: db.prepare('UPDATE an_cursor SET event_row = ? WHERE id = 1'),
    moveDecisions: db.prepare('UPDATE an_cursor SET decision_row = ? WHERE id = 1'),
    events: db.prepare(
      `SELECT rowid AS row, app_key, type, name, ts, anonymous_id, user_id, session_id, decision_id, item_id, properties, context
       FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    ),
    key: db.prepare('SELECT cid FROM an_keys WHERE app = ? AND key = ?').pluck(),
    setKey: db.prepare('INSERT INTO an_keys (app, key, cid) VALUES (?, ?, ?) ON CONFLICT (app, key) DO UPDATE SET cid = excluded.cid'),
    hasUser: db.prepare('SELECT user_id FROM an_customers WHERE cid = ?').pluck(),
    adopt: db.prepare('UPDATE an_customers SET user_id = ? WHERE cid = ?'),
    create: db.prepare(
      `INSERT INTO an_customers (app, user_id, key, first_ts, last_ts, channel, source, medium, campaign, referrer)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    span: db.prepare('SELECT first_ts AS first, last_ts AS last FROM an_customers WHERE cid = ?'),
    last: db.prepare('UPDATE an_customers SET last_ts = max(last_ts, ?) WHERE cid = ?'),
    // every SET reads the old row, so the CASEs all compare against the old first_ts
    touch: db.prepare(
      `UPDATE an_customers SET last_ts = max(last_ts, :ts),
         channel = CASE WHEN :ts < first_ts THEN :channel ELSE channel END,
         source = CASE WHEN :ts < first_ts THEN :source ELSE source END,
         medium = CASE WHEN :ts < first_ts THEN :medium ELSE medium END,
         campaign = CASE WHEN :ts < first_ts THEN :campaign ELSE campaign END,
         referrer = CASE WHEN :ts < first_ts THEN :referrer ELSE referrer END,
         first_ts = min(first_ts, :ts)
       WHERE cid = :cid`,
    ),
    segment: db.prepare('UPDATE an_customers SET segment = ? WHERE cid = ?'),
    segmentOf: db.prepare('SELECT segment FROM an_customers WHERE cid = ?').pluck(),
    referred: db.prepare('UPDATE an_customers SET referred_by = ?, referred_ts = ? WHERE cid = ? AND (referred_ts IS NULL OR referred_ts > ?)'),
    fact: db.prepare('INSERT OR IGNORE INTO an_facts (seq, app, cid, ts, session, type, name, label, channel, props) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    day: db.prepare(
      `INSERT INTO an_days (app, day, cid, channel, n, first_ts, campaign) VALUES (?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (app, day, cid, channel) DO UPDATE SET n = n + 1,
         campaign = CASE WHEN excluded.first_ts < first_ts THEN excluded.campaign ELSE campaign END,
         first_ts = min(first_ts, excluded.first_ts)`,
    ),
    nameDay: db.prepare(
      `INSERT INTO an_event_days (app, name, day, channel, cid, n) VALUES (?, ?, ?, ?, ?, 1)
       ON CONFLICT (app, name, day, channel, cid) DO UPDATE SET n = n + 1`,
    ),
    served: db.prepare('SELECT slot, strategy, campaign, model, explored FROM an_served WHERE decision_id = ? AND item_id = ? AND app = ?'),
    count: db.prepare(
      `INSERT INTO an_matching (app, day, channel, segment, slot, strategy, campaign, model, explored, imp, clk, conv, value)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (app, day, channel, segment, slot, strategy, campaign, model, explored) DO UPDATE SET
         imp = imp + excluded.imp, clk = clk + excluded.clk, conv = conv + excluded.conv, value = value + excluded.value`,
    ),
    pend: db.prepare('INSERT OR IGNORE INTO an_pending (seq, app, decision_id, item_id, type, ts, channel, cid, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    pending: db.prepare('SELECT seq, app, decision_id, item_id, type, ts, channel, cid, value FROM an_pending ORDER BY seq'),
    unpend: db.prepare('DELETE FROM an_pending WHERE seq = ?'),
    hasDecisions: db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'engine_decisions'").pluck(),
    serve: db.prepare('INSERT OR IGNORE INTO an_served (decision_id, item_id, app, ts, slot, strategy, explored, model, campaign) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    removed: db.prepare(
      `INSERT INTO an_removed (app, day, model, decisions, removed) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (app, day, model) DO UPDATE SET decisions = decisions + 1, removed = removed + excluded.removed`,
    ),
  };
  let decisions: import('better-sqlite3').Statement | undefined;

  /**
   * Per page (one transaction, so a rollback takes the cache with it): key → customer, and each
   * customer's first and last event time, so most events cost no lookup and no UPDATE of their
   * customer; the last times are written once at the end of the page.
   */
  let keys = new Map<string, number>();
  let spans = new Map<number, { first: number; last: number; dirty: boolean }>();
  const key = (app: string, k: string): number | undefined => {
    const at = `${app}\u0001${k}`;
    let cid = keys.get(at);
    if (cid === undefined) {
      cid = s.key.get(app, k) as number | undefined;
      if (cid !== undefined) keys.set(at, cid);
    }
    return cid;
  };
  const setKey = (app: string, k: string, cid: number) => {
    s.setKey.run(app, k, cid);
    keys.set(`${app}\u0001${k}`, cid);
  };
  const touch = (cid: number, ts: number, channel: string, t: Touch) => {
    let span = spans.get(cid);
    if (!span) spans.set(cid, (span = { ...(s.span.get(cid) as { first: number; last: number }), dirty: false }));
    if (ts < span.first) {
      s.touch.run({ ts, channel, ...t, cid });
      span.first = ts;
      span.last = Math.max(span.last, ts);
    } else if (ts > span.last) {
      span.last = ts;
      span.dirty = true;
    }
  };

  const customerOf = (app: string, userId: string | null, anon: string, ts: number, channel: string, t: Touch): number => {
    const anonCid = key(app, anon);
    if (userId === null) {
      if (anonCid !== undefined) return anonCid;
      const cid = Number(s.create.run(app, null, anon, ts, ts, channel, t.source, t.medium, t.campaign, t.referrer).lastInsertRowid);
      setKey(app, anon, cid);
      return cid;
    }
    let cid = key(app, userId);
    if (cid === undefined) {
      // an anonymous history not yet claimed by a user becomes this user's: its first touch is theirs
      if (anonCid !== undefined && s.hasUser.get(anonCid) === null) {
        cid = anonCid;
        s.adopt.run(userId, cid);
      } else cid = Number(s.create.run(app, userId, userId, ts, ts, channel, t.source, t.medium, t.campaign, t.referrer).lastInsertRowid);
      setKey(app, userId, cid);
    }
    // from now on the device's anonymous events are this user's
    if (anonCid !== cid) setKey(app, anon, cid);
    return cid;
  };

  const count = (p: { app: string; ts: number; channel: string; cid: number; type: string; value: number }, d: { slot: string; strategy: string; campaign: string; model: string; explored: number }) =>
    s.count.run(
      p.app, Math.floor(p.ts / DAY_MS), p.channel, (s.segmentOf.get(p.cid) as string | null) ?? '', d.slot, d.strategy, d.campaign, d.model, d.explored,
      p.type === 'impression' ? 1 : 0, p.type === 'click' ? 1 : 0, p.type === 'conversion' ? 1 : 0, p.type === 'conversion' ? p.value : 0,
    );

  const applyEvents = db.transaction((rows: EventRow[]) => {
    keys = new Map();
    spans = new Map();
    // a device's events mostly share their context: parse it once per run of equal text
    let contextText: string | undefined;
    let page: { url?: unknown; path?: unknown; referrer?: unknown } = {};
    let channel = '';
    let t: Touch = touchOf('', '');
    for (const r of rows) {
      if (r.context !== contextText) {
        contextText = r.context;
        const context = parse(r.context);
        page = (context.page ?? {}) as typeof page;
        channel = typeof context.channel === 'string' ? context.channel : '';
        t = touchOf(typeof page.url === 'string' ? page.url : '', typeof page.referrer === 'string' ? page.referrer : '');
      }
      const cid = customerOf(r.app_key, r.user_id, r.anonymous_id, r.ts, channel, t);
      touch(cid, r.ts, channel, t);
      const props = r.type === 'identify' || r.name === 'referral_accept' || r.type === 'conversion' ? parse(r.properties) : undefined;
      if (r.type === 'identify' && typeof props!.segment === 'string') s.segment.run(props!.segment, cid);
      if (r.name === 'referral_accept' && typeof props!.referrer === 'string' && props!.referrer && props!.referrer !== r.user_id) {
        s.referred.run(props!.referrer, r.ts, cid, r.ts);
      }
      const label = r.type === 'page' ? `page:${typeof page.path === 'string' ? page.path : ''}` : r.name;
      s.fact.run(r.row, r.app_key, cid, r.ts, r.session_id, r.type, r.name, label, channel, r.properties);
      const day = Math.floor(r.ts / DAY_MS);
      s.day.run(r.app_key, day, cid, channel, r.ts, t.campaign);
      s.nameDay.run(r.app_key, r.name, day, channel, cid);
      if (FEEDBACK.has(r.type) && r.decision_id !== null && r.item_id !== null) {
        const value = r.type === 'conversion' && typeof props!.value === 'number' && Number.isFinite(props!.value) ? props!.value : 0;
        const p = { app: r.app_key, ts: r.ts, channel, cid, type: r.type, value };
        const d = s.served.get(r.decision_id, r.item_id, r.app_key) as Parameters<typeof count>[1] | undefined;
        if (d) count(p, d);
        else s.pend.run(r.row, r.app_key, r.decision_id, r.item_id, r.type, r.ts, channel, cid, value);
      }
    }
    for (const [cid, span] of spans) if (span.dirty) s.last.run(span.last, cid);
    s.moveEvents.run(rows[rows.length - 1]!.row);
  });

  const applyDecisions = db.transaction((rows: { row: number; decision_id: string; app_key: string; model: string; ts: number; items: string; format: number }[]) => {
    for (const d of rows) {
      const logged = loggedDecision(d.items, d.format);
      for (const i of logged.items) s.serve.run(d.decision_id, i.item, d.app_key, d.ts, i.slot, i.strategy, i.explored, d.model, i.campaign);
      s.removed.run(d.app_key, Math.floor(d.ts / DAY_MS), d.model, logged.suitabilityRemoved);
    }
    s.moveDecisions.run(rows[rows.length - 1]!.row);
  });

  const resolvePending = db.transaction(() => {
    for (const p of s.pending.all() as { seq: number; app: string; decision_id: string; item_id: string; type: string; ts: number; channel: string; cid: number; value: number }[]) {
      const d = s.served.get(p.decision_id, p.item_id, p.app) as Parameters<typeof count>[1] | undefined;
      if (!d) continue;
      count(p, d);
      s.unpend.run(p.seq);
    }
  });

  /** decisions were applied since feedback was last matched against them */
  let resolve = false;
  /**
   * One slice, at most `limit` rows in one transaction: the decision log first (so feedback finds
   * its decision), then the feedback that waited for one, then events. 0 events and 0 decisions:
   * caught up.
   */
  const step = (limit: number): { events: number; decisions: number } => {
    const { event_row: eventRow, decision_row: decisionRow } = s.cursor.get() as { event_row: number; decision_row: number };
    if (!decisions && s.hasDecisions.get()) {
      decisions = db.prepare('SELECT rowid AS row, decision_id, app_key, model, ts, items, format FROM engine_decisions WHERE rowid > ? ORDER BY rowid LIMIT ?');
    }
    const logged = decisions ? (decisions.all(decisionRow, limit) as Parameters<typeof applyDecisions>[0]) : [];
    if (logged.length) {
      applyDecisions.immediate(logged);
      resolve = true;
      return { events: 0, decisions: logged.length };
    }
    if (resolve) {
      resolvePending.immediate();
      resolve = false;
    }
    const rows = s.events.all(eventRow, limit) as EventRow[];
    if (rows.length) applyEvents.immediate(rows);
    return { events: rows.length, decisions: 0 };
  };

  return {
    run() {
      let applied = 0;
      for (;;) {
        const n = step(PAGE);
        if (!n.events && !n.decisions) return applied;
        applied += n.events;
      }
    },
    async runSliced(o = {}) {
      const { limit = SLICE, yieldTo = () => new Promise<void>((r) => setImmediate(r)) } = o;
      let applied = 0;
      for (;;) {
        const n = step(limit);
        if (!n.events && !n.decisions) return applied;
        applied += n.events;
        await yieldTo();
      }
    },
  };
}

export interface LoggedDecision {
  items: { slot: string; item: string; strategy: string; explored: number; campaign: string }[];
  /** candidates suitability removed (0 when not logged: format 1, or rows from before the engine logged it) */
  suitabilityRemoved: number;
}

/**
 * A logged decision's items (both formats of engine/schema.ts; engine/decision-rows.ts writes
 * format 2, with `c` the items' campaigns and `r` the candidates suitability removed).
 */
export function loggedDecision(json: string, format: number): LoggedDecision {
  let v: { w?: unknown[]; i?: unknown[][]; c?: (number | null)[]; r?: unknown } & unknown[];
  try {
    v = JSON.parse(json);
  } catch {
    return { items: [], suitabilityRemoved: 0 };
  }
  if (format === 2) {
    const w = (v.w ?? []) as string[];
    const c = Array.isArray(v.c) ? v.c : [];
    return {
      items: ((v.i ?? []) as unknown[][]).map((i, k) => ({
        slot: w[i[0] as number]!,
        item: w[i[1] as number]!,
        strategy: w[i[3] as number]!,
        explored: i[5] ? 1 : 0,
        campaign: typeof c[k] === 'number' ? (w[c[k]!] ?? '') : '',
      })),
      suitabilityRemoved: typeof v.r === 'number' && Number.isFinite(v.r) ? v.r : 0,
    };
  }
  const list = (Array.isArray(v) ? v : []) as { slot: string; item: string; strategy: string; explored: number }[];
  return { items: list.map((i) => ({ slot: i.slot, item: i.item, strategy: i.strategy, explored: i.explored ? 1 : 0, campaign: '' })), suitabilityRemoved: 0 };
}

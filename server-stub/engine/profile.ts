/**
 * A user's real-time profile, updated event by event as batches are ingested (never by a batch
 * job): interest per category, kind and tag over ~1/7/30-day windows, per-item engagement and
 * today's impressions, recent items, the current session, dismissed / not-interested / held items,
 * and the traits `identify` sent (risk tolerance, segment, locale).
 *
 * Windows are exponentially decayed counters (time constants 1, 7 and 30 days) rather than
 * buckets: O(1) to update, order-independent, and a few numbers per key. Every map is bounded.
 */
import { RISK_TOLERANCES, type RiskTolerance, type SlotwiseEvent } from '../../sdk/contract';
import { DAY } from './catalog';
import { SEGMENTS, type CatalogItem, type Segment } from './types';

/** decayed values for τ = 1, 7, 30 days, as of time `[3]` */
export type Counter = [number, number, number, number];
/** per item: engagement decayed with τ = 7 days as of `t`, and `imp` impressions on UTC day `day` */
export type ItemMemo = [v: number, t: number, day: number, imp: number];

const TAU = [DAY, 7 * DAY, 30 * DAY] as const;
export const WINDOW = { day: 0, week: 1, month: 2 } as const;

export interface Profile {
  first: number;
  last: number;
  /** when the user came back after 30+ days away */
  returned?: number;
  risk?: RiskTolerance;
  segment?: Segment;
  locale?: string;
  /** the other scalar `identify` traits, as sent (bounded; response models read them by feature name) */
  traits?: Record<string, string | number | boolean>;
  cat: Record<string, Counter>;
  kind: Record<string, Counter>;
  tag: Record<string, Counter>;
  items: Record<string, ItemMemo>;
  /** entries in `items` (kept so bounding them costs no key scan) */
  itemCount?: number;
  /** items engaged with, most recent last */
  recent: string[];
  session?: string;
  sessionAt: number;
  sessionItems: string[];
  sessionAds: number;
  dismissed: Record<string, number>;
  notInterested: Record<string, number>;
  held: Record<string, number>;
}

/** bounds of a profile; `items` may exceed its bound by a quarter between prunes */
export const LIMITS = { items: 300, recent: 8, sessionItems: 8, marks: 500, traits: 64 } as const;
/** how long a dismissal and a "not interested" hold */
export const DISMISS_MS = 30 * DAY;
export const NOT_INTERESTED_MS = 180 * DAY;
const AWAY_MS = 30 * DAY;

export function newProfile(t: number): Profile {
  return { first: t, last: t, cat: {}, kind: {}, tag: {}, items: {}, recent: [], sessionAt: 0, sessionItems: [], sessionAds: 0, dismissed: {}, notInterested: {}, held: {} };
}

/** Adds `w` (may be negative; values never drop below 0) at time `t`; returns a new counter. */
export function bump(c: Counter | undefined, w: number, t: number): Counter {
  return addTo(c ? [c[0], c[1], c[2], c[3]] : [0, 0, 0, t], w, t);
}

/** `bump` in place: ingest updates thousands of counters a second and should not allocate each time. */
function addTo(out: Counter, w: number, t: number): Counter {
  if (t >= out[3]) {
    for (let i = 0; i < 3; i++) out[i] = out[i]! * Math.exp(-(t - out[3]) / TAU[i]!);
    out[3] = t;
    for (let i = 0; i < 3; i++) out[i] = Math.max(0, out[i]! + w);
  } else {
    // a late event counts for what it would be worth now
    for (let i = 0; i < 3; i++) out[i] = Math.max(0, out[i]! + w * Math.exp(-(out[3] - t) / TAU[i]!));
  }
  return out;
}

export function valueAt(c: Counter | undefined, window: 0 | 1 | 2, now: number): number {
  if (!c) return 0;
  return c[window] * Math.exp(-Math.max(0, now - c[3]) / TAU[window]);
}

export const dayOf = (t: number) => Math.floor(t / DAY);

/** Impressions of an item shown to the user on `now`'s UTC day. */
export function impressionsToday(p: Profile, itemId: string, now: number): number {
  const m = p.items[itemId];
  return m ? memoImpressions(m, now) : 0;
}

export const memoImpressions = (m: ItemMemo, now: number) => (m[2] === dayOf(now) ? m[3] : 0);

export const memoInterest = (m: ItemMemo, now: number) => m[0] * Math.exp(-Math.max(0, now - m[1]) / TAU[1]);

function memo(p: Profile, id: string, t: number): ItemMemo {
  let m = p.items[id];
  if (!m) {
    m = p.items[id] = [0, t, dayOf(t), 0];
    p.itemCount = (p.itemCount ?? Object.keys(p.items).length - 1) + 1;
    // past the bound by a margin, the items touched longest ago go, down to the bound: amortised O(1)
    if (p.itemCount > LIMITS.items * 1.25) {
      const ids = Object.keys(p.items).sort((a, b) => p.items[a]![1] - p.items[b]![1]);
      for (const k of ids.slice(0, ids.length - LIMITS.items)) if (k !== id) delete p.items[k];
      p.itemCount = Object.keys(p.items).length;
    }
  }
  return m;
}

function add(record: Record<string, Counter>, key: string, w: number, t: number): void {
  const c = record[key];
  if (c) addTo(c, w, t);
  else record[key] = addTo([0, 0, 0, t], w, t);
}

function engage(p: Profile, item: CatalogItem, w: number, t: number): void {
  add(p.cat, item.category, w, t);
  add(p.kind, item.kind, w, t);
  for (const tag of item.tags) add(p.tag, tag, w, t);
  if (w <= 0) return;
  const m = memo(p, item.id, t);
  if (t >= m[1]) {
    m[0] = m[0] * Math.exp(-(t - m[1]) / TAU[1]) + w;
    m[1] = t;
  } else m[0] += w * Math.exp(-(m[1] - t) / TAU[1]);
  push(p.recent, item.id, LIMITS.recent);
}

function push(list: string[], id: string, max: number): void {
  const at = list.indexOf(id);
  if (at >= 0) list.splice(at, 1);
  list.push(id);
  if (list.length > max) list.splice(0, list.length - max);
}

function mark(marks: Record<string, number>, id: string, t: number): void {
  marks[id] = Math.max(marks[id] ?? 0, t);
  const ids = Object.keys(marks);
  if (ids.length > LIMITS.marks) {
    ids.sort((a, b) => marks[a]! - marks[b]!);
    for (const k of ids.slice(0, ids.length - LIMITS.marks)) delete marks[k];
  }
}

/** How much an event says about interest in its item. */
const WEIGHTS: Record<string, number> = { item_view: 1, deposit_view: 1, click: 2, conversion: 3, purchase: 3 };

export interface Effect {
  /** items of this session viewed before this event's item: co-view pairs to count */
  coviewWith?: string[];
  engaged?: 'view' | 'click' | 'conversion';
  impression?: boolean;
}

/**
 * Applies one event at time `t` (the device's ts, never later than its arrival). `item` is the
 * catalog item the event is about, if any. Returns what the app-wide statistics should count.
 */
export function applyEvent(p: Profile, e: SlotwiseEvent, item: CatalogItem | undefined, t: number): Effect {
  if (t - p.last > AWAY_MS) p.returned = t;
  p.first = Math.min(p.first, t);
  p.last = Math.max(p.last, t);
  if (e.sessionId !== p.session && t >= p.sessionAt) {
    p.session = e.sessionId;
    p.sessionItems = [];
    p.sessionAds = 0;
  }
  const inSession = e.sessionId === p.session;
  if (inSession) p.sessionAt = Math.max(p.sessionAt, t);

  if (e.type === 'identify') {
    traits(p, e.properties);
    return {};
  }
  const effect: Effect = {};
  const name = e.type === 'track' ? e.name : e.type;
  if (name === 'product_maturity') maturity(p, e.properties);
  if (name.startsWith('loan_apply_')) add(p.kind, 'loan', 1, t);
  if (!item) return effect;

  switch (e.type) {
    case 'impression': {
      const m = memo(p, item.id, t);
      const day = dayOf(t);
      if (m[2] === day) m[3]++;
      else if (day > m[2]) {
        m[2] = day;
        m[3] = 1;
      }
      if (item.kind === 'ad' && inSession) p.sessionAds++;
      effect.impression = true;
      return effect;
    }
    case 'dismiss':
      mark(p.dismissed, item.id, t);
      engage(p, item, -1, t);
      return effect;
    case 'not_interested':
      mark(p.notInterested, item.id, t);
      engage(p, item, -3, t);
      return effect;
    default:
  }
  const w = WEIGHTS[name];
  if (!w) return effect;
  engage(p, item, w, t);
  if (name === 'purchase' || name === 'conversion') mark(p.held, item.id, t);
  effect.engaged = name === 'click' ? 'click' : w >= 3 ? 'conversion' : 'view';
  if (inSession) {
    const before = p.sessionItems.filter((id) => id !== item.id);
    if (before.length) effect.coviewWith = before;
    push(p.sessionItems, item.id, LIMITS.sessionItems);
  }
  return effect;
}

function traits(p: Profile, props: Record<string, unknown>): void {
  const risk = props.riskTolerance;
  if (typeof risk === 'string' && (RISK_TOLERANCES as readonly string[]).includes(risk)) p.risk = risk as RiskTolerance;
  const segment = props.segment;
  if (typeof segment === 'string' && (SEGMENTS as readonly string[]).includes(segment)) p.segment = segment as Segment;
  const locale = props.locale;
  if (typeof locale === 'string' && locale.length <= 35) p.locale = locale;
  keepTraits(p, props);
}

/**
 * `product_maturity` (sdk/contract.ts): `{ product: 'term_deposit', maturesOn: '2026-12-10' }` keeps
 * the trait `termDepositMaturesOn`, the name the bank's batch column has, so a campaign's
 * `date_in_days` condition reads either source.
 */
function maturity(p: Profile, props: Record<string, unknown>): void {
  const { product, maturesOn } = props;
  if (typeof product !== 'string' || !/^[a-z][a-z0-9_]{0,31}$/.test(product)) return;
  if (typeof maturesOn !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(maturesOn)) return;
  keepTraits(p, { [`${product.replace(/_([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase())}MaturesOn`]: maturesOn });
}

const TRAIT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** a run of 11+ digits: a mobile, ID or card number, which the engine never keeps (PIPL) */
const ID_LIKE = /\d{11,}/;

/**
 * Keeps the scalar traits response models read by name (models/realtime.ts): later values win, a
 * null removes one, at most LIMITS.traits names (new ones past that are dropped). Strings over 64
 * characters, nested values and anything that looks like an ID, mobile or card number are not kept.
 */
function keepTraits(p: Profile, props: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(props)) {
    if (!TRAIT_NAME.test(name)) continue;
    if (v === null) {
      if (p.traits) delete p.traits[name];
      continue;
    }
    const ok =
      ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 64)) &&
      !ID_LIKE.test(String(v).replace(/[\s-]/g, ''));
    if (!ok) continue;
    const traits = (p.traits ??= {});
    if (!(name in traits) && Object.keys(traits).length >= LIMITS.traits) continue;
    traits[name] = v as string | number | boolean;
  }
}

/** The segment: the one `identify` gave, else derived from activity. */
export function segmentOf(p: Profile | undefined, now: number): Segment {
  if (!p) return 'new';
  if (p.segment) return p.segment;
  if (now - p.last > AWAY_MS || (p.returned !== undefined && now - p.returned < 14 * DAY)) return 'dormant';
  if (now - p.first < 14 * DAY) return 'new';
  return 'active';
}

function mergeCounters(into: Record<string, Counter>, from: Record<string, Counter>): void {
  for (const [k, c] of Object.entries(from)) {
    let merged = into[k];
    for (let i = 0; i < 3; i++) {
      const w = c[i]!;
      if (w > 0) merged = bumpOne(merged, i, w, c[3]);
    }
    if (merged) into[k] = merged;
  }
}

function bumpOne(c: Counter | undefined, i: number, w: number, t: number): Counter {
  const out: Counter = c ? [c[0], c[1], c[2], c[3]] : [0, 0, 0, t];
  if (t >= out[3]) {
    for (let j = 0; j < 3; j++) out[j] = out[j]! * Math.exp(-(t - out[3]) / TAU[j]!);
    out[3] = t;
    out[i] = out[i]! + w;
  } else out[i] = out[i]! + w * Math.exp(-(out[3] - t) / TAU[i]!);
  return out;
}

/** Folds an anonymous profile into the identified user's (on identify). The user's traits win. */
export function mergeProfiles(into: Profile, from: Profile): Profile {
  into.first = Math.min(into.first, from.first);
  into.last = Math.max(into.last, from.last);
  into.risk ??= from.risk;
  into.segment ??= from.segment;
  into.locale ??= from.locale;
  if (from.traits) into.traits = { ...from.traits, ...into.traits };
  mergeCounters(into.cat, from.cat);
  mergeCounters(into.kind, from.kind);
  mergeCounters(into.tag, from.tag);
  for (const [id, m] of Object.entries(from.items)) {
    const mine = into.items[id];
    if (!mine) into.items[id] = [...m];
    else {
      const t = Math.max(mine[1], m[1]);
      mine[0] = mine[0] * Math.exp(-(t - mine[1]) / TAU[1]) + m[0] * Math.exp(-(t - m[1]) / TAU[1]);
      mine[1] = t;
      if (m[2] === mine[2]) mine[3] += m[3];
      else if (m[2] > mine[2]) [mine[2], mine[3]] = [m[2], m[3]];
    }
  }
  for (const id of from.recent) if (!into.recent.includes(id)) into.recent.unshift(id);
  if (into.recent.length > LIMITS.recent) into.recent.splice(0, into.recent.length - LIMITS.recent);
  if (from.session && (!into.session || from.sessionAt > into.sessionAt)) {
    into.session = from.session;
    into.sessionAt = from.sessionAt;
    into.sessionItems = [...from.sessionItems];
    into.sessionAds = from.sessionAds;
  }
  for (const [id, t] of Object.entries(from.dismissed)) mark(into.dismissed, id, t);
  for (const [id, t] of Object.entries(from.notInterested)) mark(into.notInterested, id, t);
  for (const [id, t] of Object.entries(from.held)) mark(into.held, id, t);
  return into;
}

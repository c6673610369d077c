/**
 * The demo app's simulated history: `npm start` on a fresh data directory fills it (unless
 * `--no-demo-data`), so every analysis shows something true on first start. Seeded: the same
 * options give the same events. Written straight into `events` (and the decision log) in one
 * transaction, before the engine starts: the engine's cursor then starts after it, so its
 * profiles begin empty and this history is what the analyses read.
 *
 * What it plants (a few thousand customers over 90 days): first touches by channel and source
 * (direct, paid search, WeChat, a partner site, invitations), a segment trait, visits whose
 * frequency fades, churn with a share won back by a `winback` campaign after 2+ weeks away, the
 * loan application funnel with exits, referral invitations and acceptances, and recommendation
 * decisions with impressions, clicks and conversions whose click rate depends on the strategy.
 */
import { CATEGORICAL, NUMERIC } from '../engine/feature-names';
import { migrateEngine } from '../engine/schema';
import type { Db } from '../store/db';
import { createAnalyticsStore } from './store';
import { prng } from '../models/random';

export interface DemoHistoryOptions {
  db: Db;
  /** the end of the history (epoch ms). @example { now: Date.now() } */
  now: number;
  /** @default 'demo' */
  app?: string;
  /** @default 3000 */
  customers?: number;
  /** @default 90 */
  days?: number;
  /** @default 13 */
  seed?: number;
  /** stop after this many events (benchmarks fill an exact count). @default no limit @example { events: 1_000_000 } */
  events?: number;
  /** build the analytics projection right away, so the first analysis opens fast. @default true */
  project?: boolean;
}

const DAY = 86_400_000;

const SOURCES = [
  { p: 0.3, query: '', referrer: '' },
  { p: 0.25, query: '?utm_source=baidu&utm_medium=cpc&utm_campaign=spring_loans', referrer: 'https://www.baidu.com/' },
  { p: 0.2, query: '?utm_source=wechat&utm_medium=social&utm_campaign=wealth_week', referrer: '' },
  { p: 0.1, query: '', referrer: 'https://partner.example/offers' },
  { p: 0.15, query: '', referrer: '', invited: true },
] as const;
const SEGMENTS = [
  ['mass', 0.7],
  ['affluent', 0.25],
  ['private', 0.05],
] as const;
/** strategy → click-through of its impressions */
const STRATEGIES = [
  ['affinity', 0.09],
  ['trending', 0.05],
  ['item2item', 0.07],
  ['editorial', 0.03],
  ['campaign', 0.06],
] as const;
const PAGES = ['/index.html', '/wealth.html', '/loans.html', '/cards.html'];
const ITEMS = ['fund-csi300', 'fund-bond-plus', 'deposit-3y', 'wealth-steady-90', 'card-travel', 'loan-home-flex', 'insurance-health', 'article-budget-101'];

/** Fills the history unless the app already has events; returns how many events it stored. */
export function fillDemoHistory(o: DemoHistoryOptions): number {
  const { db, now, app = 'demo', customers = 3000, days = 90, seed = 13, events: limit = Infinity, project = true } = o;
  if (db.prepare('SELECT 1 FROM events WHERE app_key = ? LIMIT 1').get(app)) return 0;
  migrateEngine(db);
  const rnd = prng(seed);
  const pick = <T>(list: readonly (readonly [T, number])[]): T => {
    let u = rnd();
    for (const [v, p] of list) if ((u -= p) < 0) return v;
    return list[list.length - 1]![0];
  };
  const insert = db.prepare(
    `INSERT INTO events (id, app_key, type, name, ts, received_at, anonymous_id, user_id, session_id, decision_id, slot_id, item_id, position, properties, context)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const decision = db.prepare('INSERT INTO engine_decisions (decision_id, app_key, user_key, personalized, model, ts, items, format) VALUES (?, ?, ?, 1, ?, ?, ?, 2)');
  const nulls = ',null'.repeat(NUMERIC.length + CATEGORICAL.length);
  const start = Math.floor(now / DAY) * DAY - days * DAY;
  let n = 0;
  /** customers who sent an invitation, and the day they first did */
  const inviters: { userId: string; day: number }[] = [];

  db.transaction(() => {
    for (let c = 0; c < customers && n < limit; c++) {
      const userId = `u${String(c).padStart(5, '0')}`;
      const anon = `a-${userId}`;
      const channel = rnd() < 0.6 ? 'web' : 'app';
      const segment = pick(SEGMENTS);
      // more customers arrive later: growth
      const firstDay = Math.floor(Math.sqrt(rnd()) * days);
      const u = rnd();
      let acc = 0;
      const source = SOURCES.find((s) => (acc += s.p) > u) ?? SOURCES[0];
      const open = 'invited' in source ? inviters.filter((i) => i.day < firstDay) : [];
      const invitedBy = open.length ? open[Math.floor(rnd() * open.length)]!.userId : undefined;
      const engagement = 0.15 + rnd() * 0.5;
      const hazard = 0.01 + rnd() * 0.05;
      const invites = rnd() < 0.25 ? 1 + Math.floor(rnd() * 3) : 0;
      let churned = false;
      let winback = -1;
      let invited = 0;
      for (let d = firstDay; d < days; d++) {
        if (!churned && d > firstDay && rnd() < hazard) {
          churned = true;
          if (rnd() < 0.25) winback = d + 15 + Math.floor(rnd() * 20);
        }
        const back = d === winback;
        if (d !== firstDay && !back && (churned || rnd() > engagement)) continue;
        if (back) churned = false;
        let ts = start + d * DAY + Math.floor((8 + rnd() * 13) * 3_600_000);
        const session = `s-${userId}-${d}`;
        const path0 = PAGES[Math.floor(rnd() * PAGES.length)]!;
        const query = d === firstDay ? source.query : back ? '?utm_source=sms&utm_medium=sms&utm_campaign=winback' : '';
        // the landing page of the first visit carries the referring site
        let referrer = d === firstDay ? source.referrer : '';
        const ctx = (path: string, q = '') =>
          JSON.stringify({
            channel,
            page: { url: `https://bank.example${path}${q}`, path, ...(referrer ? { referrer } : {}) },
            locale: 'zh-CN',
            sdk: { name: 'slotwise', version: 'demo-history' },
          });
        const emit = (type: string, name: string, props: Record<string, unknown>, path: string, extra: { decision?: string; slot?: string; item?: string; position?: number } = {}, q = '') => {
          if (n >= limit) return;
          n++;
          insert.run(
            `demo-${n.toString(36)}`, app, type, name, ts, ts + 500, anon, userId, session,
            extra.decision ?? null, extra.slot ?? null, extra.item ?? null, extra.position ?? null, JSON.stringify(props), ctx(path, q),
          );
          referrer = '';
          ts += 5_000 + Math.floor(rnd() * 55_000);
        };
        emit('page', 'page', { path: path0 }, path0, {}, query);
        if (d === firstDay) {
          emit('identify', 'identify', { segment, riskTolerance: `C${1 + Math.floor(rnd() * 5)}` }, path0);
          if (invitedBy) emit('track', 'referral_accept', { referrer: invitedBy }, path0);
        }
        // recommendations on the home page: one decision, four items, impressions and some clicks
        if (path0 === '/index.html' || rnd() < 0.5) {
          const id = `demo-d-${n.toString(36)}`;
          const served = [0, 1, 2, 3].map((position) => {
            const [strategy, ctr] = STRATEGIES[Math.floor(rnd() * STRATEGIES.length)]!;
            return { position, strategy, ctr, item: ITEMS[Math.floor(rnd() * ITEMS.length)]!, explored: rnd() < 0.1 ? 1 : 0 };
          });
          const uniq = served.filter((s, i) => served.findIndex((t) => t.item === s.item) === i);
          const w = ['home.today', ...new Set(uniq.flatMap((s) => [s.item, s.strategy]))];
          const at = (x: string) => w.indexOf(x);
          const items = uniq.map((s) => `[0,${at(s.item)},${s.position},${at(s.strategy)},0.5,${s.explored}${nulls}]`);
          decision.run(id, app, userId, 'demo-history', ts, `{"w":${JSON.stringify(w)},"i":[${items.join(',')}]}`);
          for (const s of uniq) {
            const extra = { decision: id, slot: 'home.today', item: s.item, position: s.position };
            emit('impression', 'impression', {}, '/index.html', extra);
            if (rnd() < s.ctr) {
              emit('click', 'click', {}, '/index.html', extra);
              if (rnd() < 0.2) emit('conversion', 'conversion', { value: 1000 + Math.floor(rnd() * 9000) }, '/index.html', extra);
            }
          }
        }
        for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
          const p = PAGES[Math.floor(rnd() * PAGES.length)]!;
          emit('page', 'page', { path: p }, p);
        }
        // the loan funnel: about 1 in 6 visits starts it; each step keeps most
        if (rnd() < 0.16) {
          emit('track', 'loan_apply_start', {}, '/loans.html');
          let step = 1;
          for (; step <= 4; step++) {
            emit('track', 'loan_apply_step', { step }, '/loans.html');
            if (rnd() > [0.8, 0.7, 0.75, 0.85][step - 1]!) break;
          }
          if (step > 4) emit('track', 'loan_apply_submit', { amount: 10_000 * (1 + Math.floor(rnd() * 20)), term: 12 }, '/loans.html');
          else {
            emit('track', 'loan_apply_exit', { step, reason: 'button' }, '/loans.html');
            const p = PAGES[Math.floor(rnd() * PAGES.length)]!;
            emit('page', 'page', { path: p }, p);
          }
        }
        if (invited < invites && rnd() < 0.3) {
          emit('track', 'referral_invite', { via: rnd() < 0.7 ? 'wechat' : 'sms' }, '/index.html');
          if (!invited) inviters.push({ userId, day: d });
          invited++;
        }
      }
    }
  }).immediate();
  if (project) createAnalyticsStore({ db }).refresh();
  return n;
}

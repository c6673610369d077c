/**
 * Every built-in template, end to end against the real server on loopback: instantiated with its
 * defaults in a fresh app (four-eyes on), published through the releases API (an editor submits,
 * a publisher approves), then scripted customers driven by the real SDK (createClient over
 * fake-indexeddb) with the server's and the device's clocks injected, never waited for:
 * - a customer whose data and behaviour fit gets the campaign's item (strategy `campaign`) in the
 *   template's slot, or the trigger's reminder, inside the window;
 * - a customer who does not fit gets neither;
 * - outside the window, nobody does (the fitting customer, asked then).
 * Also: the routes' answers and errors, the calendar route, an app's own template with versions.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item, Properties, SlotKind } from '../../sdk/contract';
import { createClient } from '../../sdk/index';
import type { Reminder, SlotwiseClient } from '../../sdk/types';
import { festivalDate } from '../../server-stub/calendar';
import { BUILTIN_TEMPLATES } from '../../server-stub/templates/builtin';
import { login, PASSWORD, type Operator } from '../helpers/admin';
import { startServer, type TestServer } from '../helpers/server';

const DAY = 86_400_000;
/** noon in Beijing on `date` */
const at = (date: string) => Date.parse(`${date}T12:00:00+08:00`);
const T0 = at('2026-12-07');
let clock = T0;

let s: TestServer;
const ops: Record<string, Operator> = {};
const clients: SlotwiseClient[] = [];

beforeAll(async () => {
  s = await startServer({ now: () => clock, rateLimit: false });
  const admin = s.handle().admin;
  for (const [name, role] of [['root', 'admin'], ['ed', 'editor'], ['pub', 'publisher']] as const) {
    await admin.createUser({ username: name, role, apps: ['*'], password: PASSWORD });
    ops[name] = await login(s.url, name, PASSWORD);
  }
}, 60_000);
afterAll(async () => {
  for (const c of clients) await c.close();
  await s?.stop();
});

/** a fresh app with four-eyes and a key; the template's defaults as drafts; submitted and approved */
async function publish(template: string): Promise<{ key: string; drafts: { collection: string; id: string }[] }> {
  const app = `t-${template}`.slice(0, 60);
  clock = T0;
  expect((await ops.root!.post('/apps', { id: app, fourEyes: true })).status).toBe(201);
  const key = (await ops.root!.post(`/apps/${app}/keys`)).body.key as string;
  const made = await ops.ed!.post(`/apps/${app}/templates/${template}/drafts`, { params: {} });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  for (const d of made.body.drafts) expect((await ops.ed!.get(`/apps/${app}/${d.collection}/${d.id}`)).body.status).toBe('draft');
  const release = await ops.ed!.post(`/apps/${app}/releases`, { note: `template ${template}` });
  expect(release.body.status).toBe('pending');
  const approved = await ops.pub!.post(`/apps/${app}/releases/${release.body.version}/approve`);
  expect(approved.body.status, JSON.stringify(approved.body)).toBe('live');
  return { key, drafts: made.body.drafts };
}

interface Customer {
  c: SlotwiseClient;
  reminders: Reminder[];
}
let customers = 0;
/** the customer being scripted: `identify` sends their traits */
let user = '';
let probes = 0;

/** a customer of app `key` on the device, at `when`, after `script` (identify traits, track events) reached the engine */
async function customer(key: string, when: number, script: (c: SlotwiseClient) => void): Promise<Customer> {
  clock = when;
  let configured!: () => void;
  const ready = new Promise<void>((r) => (configured = r));
  const c = createClient({
    appKey: key,
    endpoint: s.url,
    autocapture: false,
    indexedDB: new IDBFactory(),
    now: () => clock,
    locale: 'en',
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (String(input instanceof Request ? input.url : input).includes('/v1/config')) setTimeout(configured, 20);
      return res;
    },
  });
  clients.push(c);
  const reminders: Reminder[] = [];
  c.on('reminder', (r) => reminders.push(r));
  // the app's rules (tags, triggers) are on the device before the customer acts
  await ready;
  user = `u${++customers}`;
  c.identify(user);
  script(c);
  await c.flush();
  await s.handle().engine.flush();
  return { c, reminders };
}

/** the campaign items a slot of `kind` holds for the customer at `when` (a new slot id: nothing cached) */
async function campaignItems(who: Customer, kind: SlotKind, when: number): Promise<string[]> {
  clock = when;
  const id = `probe-${++probes}`;
  const d = await who.c.decide([{ id, kind, count: kind === 'ad' ? 1 : 4 }]);
  expect(['network', 'empty']).toContain(d.slots[id]!.status);
  return (d.slots[id]!.items as Item[]).filter((i) => i.strategy === 'campaign').map((i) => i.id);
}

const identify = (traits: Properties) => (c: SlotwiseClient) => c.identify(user, traits);
const track = (...events: [string, Properties][]) => (c: SlotwiseClient) => events.forEach(([n, p]) => c.track(n, p));
const tx = (type: string, amount: number): [string, Properties] => ['transaction', { type, amount, currency: 'CNY' }];
const both = (a: (c: SlotwiseClient) => void, b: (c: SlotwiseClient) => void) => (c: SlotwiseClient) => (a(c), b(c));

interface Script {
  /** what a fitting and a non-fitting customer do, at `act` (default T0) */
  fits: (c: SlotwiseClient) => void;
  misfit: (c: SlotwiseClient) => void;
  act?: number;
  /** inside the window, and outside it */
  inside: number;
  outside: number;
  /** the reminder a fitting customer gets at once, when the template has a trigger */
  reminder?: string;
  /** before `act`: what the customer did earlier (the dormant customer's first visits) */
  before?: { at: number; script: (c: SlotwiseClient) => void };
}

const rich = identify({ assetsYuan: 5000 });
const poor = identify({ assetsYuan: 10 });
const dates = (id: string) => festivalDate(id, 2027)!;
const plus = (date: string, days: number) => at(date) + days * DAY;

const SCRIPTS: Record<string, Script> = {
  'welcome-series': { fits: identify({ accountOpenedOn: '2026-12-04' }), misfit: identify({ accountOpenedOn: '2026-10-01' }), inside: T0, outside: T0 + 5 * DAY },
  'first-transaction-nudge': {
    fits: identify({ accountOpenedOn: '2026-12-01' }),
    misfit: identify({ accountOpenedOn: '2026-12-01', firstTransactionOn: '2026-12-02' }),
    inside: T0,
    outside: at('2027-01-01'),
  },
  'dormant-reactivation': {
    // first seen 60 days ago, back today: dormant; the other customer has been active all along
    before: { at: T0 - 60 * DAY, script: track(['page_view_home', {}]) },
    fits: track(['page_view_home', {}]),
    misfit: track(['page_view_home', {}]),
    inside: T0,
    outside: T0 + 31 * DAY,
  },
  'churn-risk-retention': { fits: identify({ segment: 'churn_risk' }), misfit: identify({ segment: 'active' }), inside: T0, outside: T0 + 31 * DAY },
  'tier-upgrade': { fits: identify({ assetsYuan: 600_000 }), misfit: identify({ assetsYuan: 100_000 }), inside: T0 + DAY, outside: T0 + 31 * DAY },
  birthday: { fits: identify({ birthday: '1990-12-09' }), misfit: identify({ birthday: '1990-06-01' }), inside: T0, outside: T0 + 3 * DAY },
  'spring-festival': { fits: rich, misfit: poor, inside: plus(dates('spring-festival'), -5), outside: plus(dates('spring-festival'), 6) },
  'mid-autumn': { fits: rich, misfit: poor, inside: plus(dates('mid-autumn'), -7), outside: plus(dates('mid-autumn'), 2) },
  'dragon-boat': { fits: rich, misfit: poor, inside: at(dates('dragon-boat')), outside: plus(dates('dragon-boat'), -6) },
  'national-day': { fits: rich, misfit: poor, inside: plus(dates('national-day'), 6), outside: plus(dates('national-day'), 8) },
  'double-11': { fits: rich, misfit: poor, inside: plus(dates('double-11'), -3), outside: plus(dates('double-11'), 2) },
  'year-end-bonus': { fits: identify({ assetsYuan: 20_000 }), misfit: identify({ assetsYuan: 5_000 }), inside: plus(dates('spring-festival'), -20), outside: plus(dates('spring-festival'), 1) },
  'pay-day': { fits: identify({ salaryDay: 6 }), misfit: identify({ salaryDay: 20 }), inside: T0, outside: T0 + 3 * DAY },
  'large-deposit': { fits: track(tx('deposit', 80_000)), misfit: track(tx('deposit', 1_000)), inside: T0 + DAY, outside: T0 + 8 * DAY },
  'salary-savings': { fits: track(tx('salary', 12_000)), misfit: track(tx('deposit', 12_000)), inside: T0 + DAY, outside: T0 + 4 * DAY },
  'term-deposit-maturing': {
    fits: track(['product_maturity', { product: 'term_deposit', maturesOn: '2026-12-10', amount: 50_000 }]),
    misfit: track(['product_maturity', { product: 'term_deposit', maturesOn: '2027-03-01', amount: 50_000 }]),
    inside: T0 + DAY,
    outside: at('2026-12-11'),
  },
  'card-spend-instalments': { fits: track(tx('card_spend', 6_000), tx('card_spend', 5_000)), misfit: track(tx('card_spend', 3_000)), inside: T0 + DAY, outside: T0 + 31 * DAY },
  'loan-abandoned': {
    fits: track(['loan_apply_exit', { step: 2 }]),
    misfit: track(['loan_apply_exit', { step: 5 }]),
    inside: T0 + DAY,
    outside: T0 + 8 * DAY,
    reminder: 'Your loan application is nearly done',
  },
  'payment-failed-help': { fits: track(tx('payment_failed', 300)), misfit: track(tx('deposit', 300)), inside: T0 + DAY, outside: T0 + 4 * DAY, reminder: 'Your payment did not go through' },
};

describe('every built-in template, instantiated, published and seen by the customers it is for', () => {
  it('has a script for each built-in template', () => {
    expect(Object.keys(SCRIPTS).sort()).toEqual(BUILTIN_TEMPLATES.map((t) => t.id).sort());
  });

  it.each(BUILTIN_TEMPLATES.map((t) => [t.id] as const))('%s', async (id) => {
    const t = BUILTIN_TEMPLATES.find((x) => x.id === id)!;
    const script = SCRIPTS[id]!;
    const defaults = Object.fromEntries(t.params.map((p) => [p.name, p.default]));
    const { key, drafts } = await publish(id);
    expect(drafts.at(-1)).toEqual({ collection: 'campaigns', id: defaults.id });
    const kind = defaults.slot as SlotKind;
    const item = defaults.item as string;

    const act = script.act ?? T0;
    let fit: Customer;
    if (script.before) {
      fit = await customer(key, script.before.at, script.before.script);
      clock = act;
      script.fits(fit.c);
      await fit.c.flush();
      await s.handle().engine.flush();
    } else fit = await customer(key, act, script.fits);
    const misfit = await customer(key, act, script.misfit);

    if (script.reminder) {
      expect(fit.reminders.map((r) => r.title)).toContain(script.reminder);
      expect(misfit.reminders).toEqual([]);
    }
    expect(await campaignItems(fit, kind, script.inside), 'the fitting customer, inside the window').toEqual([item]);
    expect(await campaignItems(misfit, kind, script.inside), 'a customer who does not fit').toEqual([]);
    expect(await campaignItems(fit, kind, script.outside), 'outside the window').toEqual([]);
  }, 60_000);
});

describe('the templates API', () => {
  it('lists the built-ins with their parameters and defaults', async () => {
    clock = T0;
    const r = await ops.ed!.get('/templates');
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(BUILTIN_TEMPLATES.length);
    const maturing = r.body.items.find((x: { id: string }) => x.id === 'term-deposit-maturing');
    expect(maturing).toMatchObject({ family: 'transaction', name: { en: 'Term deposit maturing' }, owner: 'builtin' });
    expect(maturing.params).toContainEqual(expect.objectContaining({ name: 'days', type: 'days', default: 7 }));
  });

  it('answers a bad parameter with 400 naming it, an id in use with 409, and makes nothing then', async () => {
    clock = T0;
    await ops.root!.post('/apps', { id: 'errors' });
    const bad = await ops.ed!.post('/apps/errors/templates/term-deposit-maturing/drafts', { params: { days: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_param', path: 'params.days' });
    const unknown = await ops.ed!.post('/apps/errors/templates/term-deposit-maturing/drafts', { params: { item: 'nope' } });
    expect(unknown.body.error).toMatchObject({ code: 'unknown_item', path: 'params.item' });
    expect((await ops.ed!.get('/apps/errors/drafts')).body.items).toEqual([]);
    expect((await ops.ed!.post('/apps/errors/templates/term-deposit-maturing/drafts', {})).status).toBe(201);
    const audit = (await ops.root!.get('/apps/errors/audit')).body.items.find((a: { action: string }) => a.action === 'template.instantiate');
    expect(audit).toMatchObject({ actor: 'ed', target: 'template/term-deposit-maturing@1', diff: { params: {}, drafts: [{ collection: 'items', id: 'rescue-deposit' }, { collection: 'campaigns', id: 'deposit_maturing' }] } });
    const again = await ops.ed!.post('/apps/errors/templates/term-deposit-maturing/drafts', {});
    expect(again.status).toBe(409);
    expect(again.body.error.path).toBe('params.id');
    expect((await ops.ed!.post('/apps/errors/templates/no-such/drafts', {})).status).toBe(404);
    const viewer = (await s.handle().admin.createUser({ username: 'vi', role: 'viewer', apps: ['*'], password: PASSWORD }), await login(s.url, 'vi'));
    expect((await viewer.post('/apps/errors/templates/birthday/drafts', {})).status).toBe(403);
  });

  it('previews what a fitting sample customer would see, and when', async () => {
    clock = T0;
    const r = await ops.ed!.post('/apps/errors/templates/term-deposit-maturing/preview', { params: { days: 5, id: 'preview_only' } });
    expect(r.status).toBe(200);
    expect(r.body.sample.traits.termDepositMaturesOn).toMatch(/^2026-12-(09|10)$/);
    expect(r.body.windows[0].from).toBe('2026-12-07');
    expect(r.body.shows).toEqual([{ itemId: 'rescue-deposit', title: { 'zh-CN': '老客户加息一年定存', en: 'Loyalty 1-Year Deposit' }, slotKind: 'picks' }]);
    // a preview writes nothing
    expect((await ops.ed!.get('/apps/errors/campaigns/preview_only')).status).toBe(404);
  });

  it('saves a campaign as the app\'s own template, in versions, and makes campaigns that remember it', async () => {
    clock = T0;
    const own = { id: 'vip-maturing', family: 'transaction', name: { 'zh-CN': '贵宾到期', en: 'VIP maturing' }, description: { 'zh-CN': '贵宾客户存款到期', en: 'VIP deposits maturing' }, campaign: 'deposit_maturing', params: [{ name: 'days', type: 'days', label: { 'zh-CN': '天数', en: 'Days' }, path: 'traits.0.max' }] };
    const v1 = await ops.ed!.post('/apps/errors/templates', own);
    expect(v1.status, JSON.stringify(v1.body)).toBe(201);
    expect(v1.body).toMatchObject({ id: 'vip-maturing', version: 1, owner: 'errors' });
    expect(v1.body.params.map((p: { name: string; default: unknown }) => [p.name, p.default])).toEqual([['id', 'deposit_maturing_2'], ['days', 7]]);
    const v2 = await ops.ed!.post('/apps/errors/templates', { ...own, name: { 'zh-CN': '贵宾到期2', en: 'VIP maturing 2' } });
    expect(v2.body.version).toBe(2);
    const listed = await ops.ed!.get('/templates?app=errors');
    expect(listed.body.items.find((x: { id: string }) => x.id === 'vip-maturing')).toMatchObject({ version: 2, owner: 'errors' });
    const made = await ops.ed!.post('/apps/errors/templates/vip-maturing/drafts', { params: { id: 'vip1', days: 3 } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const campaign = await ops.ed!.get('/apps/errors/campaigns/vip1');
    expect(campaign.body.value).toMatchObject({ template: { id: 'vip-maturing', version: 2 }, traits: [{ op: 'date_in_days', min: 0, max: 3 }] });
    expect((await ops.ed!.post('/apps/errors/templates', { ...own, id: 'birthday' })).status).toBe(409);
    const badPath = await ops.ed!.post('/apps/errors/templates', { ...own, id: 'x2', params: [{ ...own.params[0], path: 'traits.9.max' }] });
    expect(badPath.body.error).toMatchObject({ code: 'invalid_path', path: 'params.0.path' });
  });

  it('cuts consecutive versions when saves of one id race, each with its audit entry', async () => {
    const own = { id: 'race', family: 'transaction', name: { 'zh-CN': '并发', en: 'Race' }, description: { 'zh-CN': '并发保存', en: 'Saved at once' }, campaign: 'deposit_maturing', params: [] };
    const saved = await Promise.all([1, 2, 3, 4].map(() => ops.ed!.post('/apps/errors/templates', own)));
    expect(saved.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(saved.map((r) => r.body.version as number).sort()).toEqual([1, 2, 3, 4]);
    expect((await ops.ed!.get('/apps/errors/templates')).body.items.find((t: { id: string }) => t.id === 'race')).toMatchObject({ version: 4 });
    const entries = (await ops.root!.get('/apps/errors/audit')).body.items.filter((a: { action: string; target: string }) => a.action === 'template.save' && a.target.startsWith('template/race@'));
    expect(entries.map((a: { target: string }) => a.target).sort()).toEqual(['template/race@1', 'template/race@2', 'template/race@3', 'template/race@4']);
  });
});

describe('GET /admin/v1/calendar/:year', () => {
  it('answers festivals, holidays and make-up working days, and says when the schedule is not out', async () => {
    const y = await ops.ed!.get('/calendar/2026');
    expect(y.status).toBe(200);
    expect(y.body).toMatchObject({ year: 2026, schedulePublished: true });
    for (const id of ['spring-festival', 'qingming', 'dragon-boat', 'mid-autumn', 'national-day'])
      expect(y.body.days.filter((d: { id: string; kind: string }) => d.id === id && d.kind === 'festival')).toHaveLength(1);
    expect(y.body.days).toContainEqual({ date: '2026-02-14', id: 'spring-festival', kind: 'workday', name: { 'zh-CN': '春节', en: 'Spring Festival' } });
    const later = await ops.ed!.get('/calendar/2099');
    expect(later.body.schedulePublished).toBe(false);
    expect((await ops.ed!.get('/calendar/20x6')).body.error).toMatchObject({ code: 'invalid_year', path: 'year' });
    expect((await fetch(`${s.url}/admin/v1/calendar/2026`)).status).toBe(401);
  });
});

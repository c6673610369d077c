/**
 * What the device evaluates locally (`GET /v1/config`): the slot layout, real-time tags and
 * trailing-marketing triggers of an app's live release, in the contract's tagRule / triggerRule
 * shapes. The constants here are the seed of the `demo` app (server-stub/rules/seed.ts). The
 * version is a hash of the content; `release` is the release it came from.
 */
import type { Config, SlotRequest, TagRule, TriggerRule } from '../../sdk/contract';
import type { RuleSet, SlotLayout } from '../../sdk/contract-admin';
import { hash } from './random';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const DEFAULT_SLOTS: SlotRequest[] = [
  { id: 'home.today', kind: 'picks', count: 4 },
  { id: 'home.feed', kind: 'feed', count: 6 },
  { id: 'home.ad', kind: 'ad', count: 1 },
  { id: 'home.reminders', kind: 'reminder', count: 2 },
];

const viewsOf = (kind: string) => ({ type: 'track' as const, name: 'item_view', where: [{ prop: 'kind', op: 'eq' as const, value: kind }] });

export const DEFAULT_TAGS: TagRule[] = [
  {
    name: 'fund_interest',
    label: { 'zh-CN': '关注基金', en: 'Interested in funds' },
    match: viewsOf('fund'),
    agg: 'count',
    windowMs: DAY,
    op: 'gte',
    threshold: 3,
  },
  {
    name: 'loan_interest',
    label: { 'zh-CN': '关注贷款', en: 'Interested in loans' },
    match: { type: 'track', name: 'loan_apply_step' },
    agg: 'exists',
    windowMs: 7 * DAY,
  },
  {
    // `<category>_interest` points the decide at that category (features.ts interestsOf): a customer
    // who left a loan application unfinished sees loan offers in the ad slots too
    name: 'ad_loan_interest',
    label: { 'zh-CN': '贷款优惠', en: 'Loan offers' },
    match: { type: 'track', name: 'loan_apply_exit' },
    agg: 'exists',
    windowMs: 7 * DAY,
  },
  {
    name: 'deposit_interest',
    label: { 'zh-CN': '关注存款', en: 'Interested in deposits' },
    match: viewsOf('deposit'),
    agg: 'count',
    windowMs: 7 * DAY,
    op: 'gte',
    threshold: 2,
  },
  {
    name: 'wealth_interest',
    label: { 'zh-CN': '关注理财', en: 'Interested in wealth products' },
    match: viewsOf('wealth'),
    agg: 'count',
    windowMs: 7 * DAY,
    op: 'gte',
    threshold: 2,
  },
  {
    name: 'last_category',
    label: { 'zh-CN': '最近浏览的类别', en: 'Category you viewed last' },
    match: { type: 'track', name: 'item_view', where: [{ prop: 'category', op: 'exists' }] },
    agg: 'last',
    property: 'category',
    windowMs: DAY,
  },
];

export const DEFAULT_TRIGGERS: TriggerRule[] = [
  {
    id: 'loan_abandoned',
    when: { type: 'track', name: 'loan_apply_exit', where: [{ prop: 'step', op: 'lt', value: 4 }] },
    delayMs: 0,
    onReload: 'drop',
    caps: { perDay: 1 },
    reminder: {
      title: { 'zh-CN': '您的贷款申请还差几步', en: 'Your loan application is nearly done' },
      body: { 'zh-CN': '已填写的信息已为您保存，回来继续即可。', en: 'We saved what you entered. Pick up where you left off.' },
      cta: { 'zh-CN': '继续申请', en: 'Continue' },
      url: '/loans.html#apply',
    },
  },
  {
    // The application a customer left is the bank's own state (the demo keeps it in the tab): the
    // other pages report it as `loan_apply_pending`, and the reminder follows the customer there.
    id: 'loan_resume',
    when: { type: 'track', name: 'loan_apply_pending', where: [{ prop: 'step', op: 'lt', value: 5 }] },
    delayMs: 0,
    onReload: 'drop',
    caps: { perDay: 5 },
    reminder: {
      title: { 'zh-CN': '继续您的贷款申请', en: 'Continue your loan application' },
      body: { 'zh-CN': '信息已保存，随时继续。', en: 'Saved: pick up where you stopped.' },
      cta: { 'zh-CN': '继续申请', en: 'Continue' },
      url: '/loans.html#apply',
    },
  },
  {
    id: 'loan_stalled',
    when: { type: 'track', name: 'loan_apply_step' },
    unless: { type: 'track', name: 'loan_apply_submit', withinMs: 30 * MINUTE },
    delayMs: 0,
    onReload: 'fire',
    caps: { perDay: 1 },
    reminder: {
      title: { 'zh-CN': '贷款申请尚未提交', en: 'Your loan application is waiting' },
      body: { 'zh-CN': '提交后最快当天放款。', en: 'Submit it and the money can arrive today.' },
      cta: { 'zh-CN': '去提交', en: 'Finish it' },
      url: '/loans.html#apply',
    },
  },
  {
    id: 'deposit_maturing',
    when: { type: 'track', name: 'deposit_view', where: [{ prop: 'daysToMaturity', op: 'lte', value: 7 }] },
    delayMs: 0,
    onReload: 'drop',
    caps: { perDay: 1, lifetime: 10 },
    reminder: {
      title: { 'zh-CN': '您的存款即将到期', en: 'Your deposit matures soon' },
      body: { 'zh-CN': '到期后可一键续存或转入理财。', en: 'Renew it in one tap, or move it into savings that earn more.' },
      cta: { 'zh-CN': '查看', en: 'See options' },
      url: '/wealth.html#deposits',
      itemId: 'reminder-deposit-maturing',
    },
  },
];

export interface ConfigOptions {
  /** the app's live release version (0: the built-in seed) */
  release?: number;
  slots?: SlotRequest[];
  tags?: TagRule[];
  triggers?: TriggerRule[];
  ttlMs?: number;
}

/** The slots a device lays out by default: the layout of the home page, else the first one. */
export function defaultLayout(layouts: readonly SlotLayout[]): SlotRequest[] {
  const home = layouts.find((l) => l.page === 'home' || l.id === 'home') ?? layouts[0];
  return home ? home.slots.map((s) => ({ ...s })) : [];
}

/**
 * The config answer of release `release` with these rules. The engine answers GET /v1/config with
 * it, and the registry pushes the same object to open pages (rules/stream.ts): one function, so
 * the pushed config and the fetched one are equal, ETag and all.
 * @example releaseConfig(release.rules, release.version) // { version: 'cfg-…', release: 7, ttlMs, slots, tags, triggers }
 */
export function releaseConfig(rules: Pick<RuleSet, 'slots' | 'tags' | 'triggers'>, release: number, ttlMs?: number): Config {
  return buildConfig({ release, slots: defaultLayout(rules.slots), tags: rules.tags, triggers: rules.triggers, ttlMs });
}

/** The config answer of one app's live release (its rules; the defaults where it has none). */
export function buildConfig(o: ConfigOptions = {}): Config {
  const body = { ttlMs: o.ttlMs ?? 10 * MINUTE, slots: o.slots ?? DEFAULT_SLOTS, tags: o.tags ?? DEFAULT_TAGS, triggers: o.triggers ?? DEFAULT_TRIGGERS };
  return { version: `cfg-${hash(JSON.stringify(body)).toString(36)}`, release: o.release ?? 0, ...body };
}

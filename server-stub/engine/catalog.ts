/**
 * The generated catalog: deterministic from (size, seed, day), so ids and contents are stable
 * across restarts and the events stored yesterday still point at the same items. Dates are
 * relative to the UTC day the catalog is built on.
 */
import type { RiskLevel } from '../../sdk/contract';
import { CATEGORIES, productTitle, REMINDERS, type CategorySpec } from './catalog-data';
import { HIGHLIGHT_LABELS, type Localized } from './i18n';
import { pick, prng } from './random';
import type { CatalogItem, Condition, Kind } from './types';

export const DAY = 86_400_000;
export const DEFAULT_CATALOG_SIZE = 300;

export interface GenerateOptions {
  /** items in the catalog, featured and reminder items included. @default 300 */
  size?: number;
  /** @default 1 */
  seed?: number;
  /** dates are relative to the UTC day of `now` */
  now: number;
}

/** Where a kind's items land on the host's site. */
export function landingUrl(kind: Kind, category: string, id: string): string {
  const page =
    kind === 'loan' || kind === 'card' || category === 'ad_card' || category === 'ad_loan'
      ? 'loans'
      : kind === 'article' || category === 'ad_brand'
        ? 'index'
        : 'wealth';
  return `/${page}.html#item=${encodeURIComponent(id)}`;
}

export function formatHighlight(kind: NonNullable<CategorySpec['highlight']>, value: number): string {
  if (kind === 'fee' || kind === 'premium') return `¥${Math.round(value)}`;
  const sign = kind === 'return1y' && value > 0 ? '+' : '';
  return `${sign}${value.toFixed(2)}%`;
}

const loc = (zh: string, en: string): Localized => ({ 'zh-CN': zh, en });

/**
 * The featured items the default campaigns pin (see strategies/campaigns.ts). They come first in
 * every generated catalog, followed by the reminder items.
 */
function featured(day0: number): Omit<CatalogItem, 'ix'>[] {
  // Each is aimed at one segment by a campaign: no editorial weight and a modest prior, so they do
  // not fill other customers' pages through the editorial and trending lists.
  const base = { tags: [] as string[], start: day0 - 30 * DAY, popularity: 0.2, editorial: 0 };
  const item = (o: Partial<CatalogItem> & Pick<CatalogItem, 'id' | 'kind' | 'category' | 'title'>): Omit<CatalogItem, 'ix'> => ({
    ...base,
    riskLevel: o.risk ? Number(o.risk[1]) : 0,
    url: landingUrl(o.kind, o.category, o.id),
    ...o,
  });
  const hl = (label: keyof typeof HIGHLIGHT_LABELS, value: string) => ({ label: HIGHLIGHT_LABELS[label]!, value });
  return [
    item({ id: 'welcome-fund', kind: 'fund', category: 'money_market', risk: 'R1', rate: 3.2, minAmount: 0.01, tags: ['newbie', 'low_risk', 'liquid'],
      title: loc('新客专享·现金宝', 'Newcomer Cash Plus'), subtitle: loc('新客户专享七日年化3.20%', 'A 3.20% 7-day yield for new customers'), highlight: hl('yield7d', '3.20%') }),
    item({ id: 'welcome-ad', kind: 'ad', category: 'ad_brand', tags: ['newbie', 'rewards'],
      title: loc('新客礼包：最高88元', 'Welcome pack: up to ¥88 in rewards'), subtitle: loc('开户即领', 'Yours when you open an account') }),
    item({ id: 'comeback-ad', kind: 'ad', category: 'ad_brand', tags: ['rewards'],
      title: loc('欢迎回来！专属加息券', 'Welcome back: a rate-boost coupon for you'), subtitle: loc('30天内有效', 'Valid for 30 days') }),
    item({ id: 'comeback-deposit', kind: 'deposit', category: 'term_deposit', risk: 'R1', rate: 2.6, termDays: 365, minAmount: 50, tags: ['guaranteed', 'low_risk'],
      title: loc('回归专享一年定存', 'Welcome-Back 1-Year Deposit'), subtitle: loc('老朋友专享利率', 'A better rate for old friends'), highlight: hl('rate', '2.60%') }),
    item({ id: 'rescue-deposit', kind: 'deposit', category: 'term_deposit', risk: 'R1', rate: 2.8, termDays: 365, minAmount: 1000, tags: ['guaranteed', 'high_yield'],
      title: loc('老客户加息一年定存', 'Loyalty 1-Year Deposit'), subtitle: loc('感谢一路相伴，1000元起存', 'A thank-you rate, from ¥1,000'), highlight: hl('rate', '2.80%') }),
    item({ id: 'rescue-card', kind: 'card', category: 'credit_card', tags: ['no_annual_fee'],
      title: loc('信用卡终身免年费升级', 'Upgrade: no annual fee, for life'), subtitle: loc('一键升级，权益不变', 'One tap, same benefits'), highlight: hl('fee', '¥0') }),
    item({ id: 'wealth-week-ad', kind: 'ad', category: 'ad_wealth', risk: 'R2', tags: ['high_yield', 'steady'],
      title: loc('理财节：业绩基准最高3.8%', 'Wealth Week: target returns up to 3.8%'), subtitle: loc('限时7天', 'Seven days only') }),
    item({ id: 'loan-rate-ad', kind: 'ad', category: 'ad_loan', tags: ['quick_approval', 'flexible'],
      title: loc('个人消费贷 年化3.45%起', 'Personal loans from 3.45% APR'), subtitle: loc('最高30万元，最快几分钟审批', 'Up to ¥300,000, a decision in minutes') }),
    ...REMINDERS.map((r) =>
      item({ id: r.id, kind: 'reminder', category: r.category, condition: r.condition, title: loc(...r.title), subtitle: loc(...r.subtitle), url: r.url, editorial: 1 }),
    ),
  ];
}

function weightedCategory(random: () => number, total: number): CategorySpec {
  let r = random() * total;
  for (const spec of CATEGORIES) if ((r -= spec.weight) < 0) return spec;
  return CATEGORIES[CATEGORIES.length - 1]!;
}

/** A deterministic catalog of `size` items. */
export function generateCatalog({ size = DEFAULT_CATALOG_SIZE, seed = 1, now }: GenerateOptions): CatalogItem[] {
  const day0 = Math.floor(now / DAY) * DAY;
  const items = featured(day0).slice(0, size);
  const random = prng(seed);
  const total = CATEGORIES.reduce((s, c) => s + c.weight, 0);
  const digits = Math.max(5, String(size).length);
  for (let i = items.length; i < size; i++) {
    const spec = weightedCategory(random, total);
    const id = `${spec.kind}-${String(i).padStart(digits, '0')}`;
    const risk: RiskLevel | undefined = spec.risk ? pick(random, spec.risk) : undefined;
    const termDays = spec.terms ? pick(random, spec.terms) : undefined;
    const title = productTitle(spec, random, termDays);
    const rate = spec.rate ? Math.round((spec.rate[0] + random() * (spec.rate[1] - spec.rate[0])) * 100) / 100 : undefined;
    // most items run for a long time; some are new, a few have not started or have ended
    const age = random();
    const start = age < 0.08 ? day0 - Math.floor(random() * 21) * DAY : age < 0.1 ? day0 + (1 + Math.floor(random() * 10)) * DAY : day0 - (21 + Math.floor(random() * 700)) * DAY;
    const ends = random();
    const end = ends < 0.03 ? day0 - (1 + Math.floor(random() * 30)) * DAY : ends < 0.3 ? Math.max(start, day0) + (7 + Math.floor(random() * 120)) * DAY : undefined;
    const tags = spec.tags.filter(() => random() < 0.45);
    if (!tags.length) tags.push(pick(random, spec.tags));
    const popularity = Math.round(random() ** 2 * 1000) / 1000;
    items.push({
      id,
      kind: spec.kind,
      category: spec.category,
      ...(risk ? { risk } : {}),
      riskLevel: risk ? Number(risk[1]) : 0,
      ...(rate !== undefined && spec.highlight !== 'fee' ? { rate } : {}),
      ...(termDays ? { termDays } : {}),
      ...(spec.minAmounts ? { minAmount: pick(random, spec.minAmounts) } : {}),
      tags,
      start,
      ...(end !== undefined ? { end } : {}),
      title,
      subtitle: loc(...spec.subtitle),
      url: landingUrl(spec.kind, spec.category, id),
      ...(spec.highlight
        ? { highlight: { label: HIGHLIGHT_LABELS[spec.highlight]!, value: formatHighlight(spec.highlight, spec.highlight === 'fee' ? 0 : rate ?? 0) } }
        : {}),
      popularity,
      editorial: random() < 0.05 ? 1 + random() : random() * 0.5,
    });
  }
  return items.map((item, ix) => ({ ...item, ix }));
}

/** The condition of an item, checked by the arbitration against the profile. */
export function conditionHolds(condition: Condition | undefined, state: { tolerance?: string; heldKinds: ReadonlySet<string> } | undefined): boolean {
  if (!condition) return true;
  if (!state) return false;
  if (condition === 'no_risk_profile') return state.tolerance === undefined;
  return state.heldKinds.has(condition.slice('holds:'.length));
}

/**
 * The engine speaks zh-CN and en. Anything starting with `zh` is zh-CN, everything else en
 * (the event conventions in notes/common.md). Every user-facing string lives here or in the catalog.
 */

export type Locale = 'zh-CN' | 'en';
export type Localized = Record<Locale, string>;

export function toLocale(locale: string | undefined): Locale {
  return locale && locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** `{name}` placeholders filled from `values`; unknown placeholders stay as they are. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

export const DISCLOSURE: Localized = {
  'zh-CN': '理财非存款，产品有风险，投资须谨慎',
  en: 'Wealth products are not deposits. Investing involves risk.',
};

export const KIND_NAMES: Record<string, Localized> = {
  fund: { 'zh-CN': '基金', en: 'funds' },
  deposit: { 'zh-CN': '存款', en: 'deposits' },
  wealth: { 'zh-CN': '理财', en: 'wealth products' },
  loan: { 'zh-CN': '贷款', en: 'loans' },
  card: { 'zh-CN': '信用卡', en: 'credit cards' },
  insurance: { 'zh-CN': '保险', en: 'insurance' },
  article: { 'zh-CN': '资讯', en: 'articles' },
  ad: { 'zh-CN': '活动', en: 'offers' },
  reminder: { 'zh-CN': '提醒', en: 'reminders' },
};

export const CTA: Record<string, Localized> = {
  fund: { 'zh-CN': '立即购买', en: 'Invest' },
  deposit: { 'zh-CN': '立即存入', en: 'Deposit' },
  wealth: { 'zh-CN': '立即购买', en: 'Invest' },
  loan: { 'zh-CN': '立即申请', en: 'Apply' },
  card: { 'zh-CN': '立即申请', en: 'Apply' },
  insurance: { 'zh-CN': '查看保障', en: 'See cover' },
  article: { 'zh-CN': '阅读', en: 'Read' },
  ad: { 'zh-CN': '了解详情', en: 'Learn more' },
  reminder: { 'zh-CN': '查看', en: 'View' },
};

/** Labels of an item's headline figure, by what the figure is. */
export const HIGHLIGHT_LABELS: Record<string, Localized> = {
  yield7d: { 'zh-CN': '七日年化', en: '7-day yield' },
  return1y: { 'zh-CN': '近一年收益', en: '1-year return' },
  rate: { 'zh-CN': '年利率', en: 'Rate p.a.' },
  benchmark: { 'zh-CN': '业绩比较基准', en: 'Target return' },
  apr: { 'zh-CN': '年化利率低至', en: 'APR from' },
  fee: { 'zh-CN': '年费', en: 'Annual fee' },
  premium: { 'zh-CN': '月保费低至', en: 'From / month' },
};

export const BADGES = {
  new: { 'zh-CN': '新品', en: 'New' },
  hot: { 'zh-CN': '热门', en: 'Popular' },
  ad: { 'zh-CN': '广告', en: 'Ad' },
} satisfies Record<string, Localized>;

/**
 * Plain-language reasons, one per model feature (plus campaign and exploration), with
 * placeholders {category}, {kind}, {tag}, {rate}, {tolerance}, {risk}.
 */
export const REASONS: Record<string, Localized> = {
  popularity: { 'zh-CN': '近期热门，很多客户在关注', en: 'Popular with customers right now' },
  freshness: { 'zh-CN': '新上架', en: 'Newly launched' },
  yield: { 'zh-CN': '收益率有竞争力（{rate}）', en: 'Competitive rate ({rate})' },
  category_affinity: { 'zh-CN': '您最近常看{category}', en: 'You have been looking at {category}' },
  kind_affinity: { 'zh-CN': '您经常浏览{kind}', en: 'You often browse {kind}' },
  tag_affinity: { 'zh-CN': '符合您对“{tag}”的兴趣', en: 'Matches your interest in {tag}' },
  item_interest: { 'zh-CN': '您最近看过这款产品', en: 'You viewed this recently' },
  fatigue: { 'zh-CN': '今天已向您展示过', en: 'Already shown to you today' },
  co_viewed: { 'zh-CN': '浏览过相似产品的客户也看了', en: 'Customers who viewed what you viewed also viewed this' },
  device_tags: { 'zh-CN': '根据您最近的浏览', en: 'Based on your recent activity' },
  risk_fit: { 'zh-CN': '符合您的风险承受能力（{tolerance}）', en: 'Fits your risk profile ({tolerance})' },
  kind: { 'zh-CN': '客户常选{kind}', en: 'Customers often choose {kind}' },
  risk: { 'zh-CN': '风险等级 {risk}', en: 'Risk level {risk}' },
  page_kind: { 'zh-CN': '与当前页面相关', en: 'Relevant to this page' },
  slot_kind: { 'zh-CN': '适合在此展示', en: 'Suits this spot' },
  segment_kind: { 'zh-CN': '与您相似的客户常选', en: 'Chosen by customers like you' },
  explore: { 'zh-CN': '为您发现新内容', en: 'Something new to discover' },
  editorial: { 'zh-CN': '编辑精选', en: "Editor's pick" },
};

/**
 * Every string the widgets show, in zh-CN and en. The locale comes from the client (`client.locale`)
 * unless a widget is given one; anything starting with `zh` is zh-CN, everything else en.
 * Any string can be replaced per widget (`strings` prop or element property) or globally
 * (`setStrings`).
 */

const zh = {
  todayPicks: '今日推荐',
  youMayLike: '猜你喜欢',
  ad: '广告',
  reminders: '智能提醒',
  close: '关闭',
  snooze: '稍后提醒',
  interests: '我的兴趣标签',
  noInterests: '暂无兴趣标签',
  deleteTag: '删除标签',
  loadMore: '加载更多',
  loading: '加载中',
  empty: '暂无推荐',
  why: '为什么推荐?',
  notInterested: '不感兴趣',
  disclosure: '理财非存款，产品有风险，投资须谨慎',
  /** R1…R5 in order, separated by `|` */
  riskNames: '低风险|中低风险|中风险|中高风险|高风险',
  prev: '上一个',
  next: '下一个',
};

export type Strings = typeof zh;

const en: Strings = {
  todayPicks: "Today's picks",
  youMayLike: 'You may like',
  ad: 'Ad',
  reminders: 'Reminders',
  close: 'Close',
  snooze: 'Remind me later',
  interests: 'Your interests',
  noInterests: 'No interest tags yet',
  deleteTag: 'Delete tag',
  loadMore: 'Load more',
  loading: 'Loading',
  empty: 'Nothing to show yet',
  why: 'Why this?',
  notInterested: 'Not interested',
  disclosure: 'Wealth products are not deposits. Investing involves risk.',
  riskNames: 'Low risk|Medium-low risk|Medium risk|Medium-high risk|High risk',
  prev: 'Previous',
  next: 'Next',
};

export type Locale = 'zh-CN' | 'en';

const overrides: Partial<Record<Locale, Partial<Strings>>> = {};

/** `zh…` → zh-CN, anything else → en. */
export const toLocale = (locale?: string): Locale => (/^zh/i.test(locale || '') ? 'zh-CN' : 'en');

/**
 * Replaces strings for every widget of a locale (both locales when none is given).
 * @example setStrings({ todayPicks: '为你精选' }, 'zh-CN')
 */
export function setStrings(strings: Partial<Strings>, locale?: Locale): void {
  for (const l of locale ? [locale] : (['zh-CN', 'en'] as const)) overrides[l] = { ...overrides[l], ...strings };
}

/** The strings of a locale: built-in, then `setStrings`, then the widget's own `strings`. */
export const stringsFor = (locale: Locale, own?: Partial<Strings>): Strings => ({
  ...(locale == 'en' ? en : zh),
  ...overrides[locale],
  ...own,
});

/**
 * The days the calendar knows, by id: lunar festivals (computed by lunar-javascript for any year
 * 1900–2100), fixed Gregorian festivals and shopping days, and the ids the official holiday
 * schedule's names map to. Names in zh-CN and en, as the console and the calendar answer show them.
 */
import { createRequire } from 'node:module';
import type { Lunar as LunarApi } from 'lunar-javascript';

export type Localized = { 'zh-CN': string; en: string };
export type DayKind = 'festival' | 'holiday' | 'workday';
export interface CalendarDay {
  /** `YYYY-MM-DD` in China */
  date: string;
  id: string;
  kind: DayKind;
  name: Localized;
}

const n = (zh: string, en: string): Localized => ({ 'zh-CN': zh, en });

/** Lunar-calendar festivals: [lunar month, day], or a solar term (Qingming is one, not a lunar date). */
const LUNAR: Record<string, { name: Localized; lunar?: [number, number]; term?: string }> = {
  'spring-festival': { name: n('春节', 'Spring Festival'), lunar: [1, 1] },
  lantern: { name: n('元宵节', 'Lantern Festival'), lunar: [1, 15] },
  qingming: { name: n('清明节', 'Qingming Festival'), term: '清明' },
  'dragon-boat': { name: n('端午节', 'Dragon Boat Festival'), lunar: [5, 5] },
  qixi: { name: n('七夕', 'Qixi Festival'), lunar: [7, 7] },
  'mid-autumn': { name: n('中秋节', 'Mid-Autumn Festival'), lunar: [8, 15] },
  'double-ninth': { name: n('重阳节', 'Double Ninth Festival'), lunar: [9, 9] },
};

/** Gregorian festivals and shopping days: [month, day]. */
const SOLAR: Record<string, { name: Localized; md: [number, number] }> = {
  'new-year': { name: n('元旦', "New Year's Day"), md: [1, 1] },
  'labour-day': { name: n('劳动节', 'Labour Day'), md: [5, 1] },
  'shopping-618': { name: n('618购物节', '6.18 shopping day'), md: [6, 18] },
  'national-day': { name: n('国庆节', 'National Day'), md: [10, 1] },
  'double-11': { name: n('双十一', '11.11 shopping day'), md: [11, 11] },
  'double-12': { name: n('双十二', '12.12 shopping day'), md: [12, 12] },
};

/** The official schedule's holiday names (chinese-days' English names) → ids. */
export const SCHEDULE_IDS: Record<string, string> = {
  "New Year's Day": 'new-year',
  'Spring Festival': 'spring-festival',
  'Tomb-sweeping Day': 'qingming',
  'Labour Day': 'labour-day',
  'Dragon Boat Festival': 'dragon-boat',
  'Mid-autumn Festival': 'mid-autumn',
  'National Day': 'national-day',
  'Anti-Fascist 70th Day': 'victory-day-2015',
};

/** Every day id a template may name, with its names. */
export const DAY_NAMES: Record<string, Localized> = {
  ...Object.fromEntries(Object.entries(LUNAR).map(([id, d]) => [id, d.name])),
  ...Object.fromEntries(Object.entries(SOLAR).map(([id, d]) => [id, d.name])),
  'victory-day-2015': n('抗战胜利70周年纪念日', 'Victory Day (70th anniversary)'),
};

/** The festival ids (lunar and Gregorian), in a stable order. */
export const FESTIVAL_IDS: readonly string[] = [...Object.keys(LUNAR), ...Object.keys(SOLAR)];

/** The years lunar-javascript's tables cover. */
export const LUNAR_YEARS = { from: 1900, to: 2100 } as const;

let lunarLib: { Lunar: typeof LunarApi } | undefined;
// loaded on first use: the library is a 1 MB CommonJS file the server needs only for the calendar
const lib = () => (lunarLib ??= createRequire(import.meta.url)('lunar-javascript') as { Lunar: typeof LunarApi });

const pad = (x: number) => String(x).padStart(2, '0');

/** The date of festival `id` in Gregorian year `year`, `YYYY-MM-DD`; undefined for an unknown id. */
export function festivalDate(id: string, year: number): string | undefined {
  const solar = SOLAR[id];
  if (solar) return `${year}-${pad(solar.md[0])}-${pad(solar.md[1])}`;
  const lunar = LUNAR[id];
  if (!lunar) return undefined;
  const { Lunar } = lib();
  // lunar year Y's festivals of months 1–9 all fall in Gregorian year Y (the year starts Jan 21–Feb 20)
  if (lunar.term) return Lunar.fromYmd(year, 1, 1).getJieQiTable()[lunar.term]!.toYmd();
  return Lunar.fromYmd(year, lunar.lunar![0], lunar.lunar![1]).getSolar().toYmd();
}

/** Every festival of `year` as calendar days of kind `festival`, in date order. */
export function festivals(year: number): CalendarDay[] {
  return FESTIVAL_IDS.map((id) => ({ date: festivalDate(id, year)!, id, kind: 'festival' as const, name: DAY_NAMES[id]! })).sort((a, b) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : 0,
  );
}

/**
 * calendar/: the days marketing plans around — lunar festivals (any year 1900–2100, computed by
 * lunar-javascript), Gregorian festivals and shopping days, and the official holiday and make-up
 * working-day schedule for the years it is published (chinese-days) — and the one route that
 * answers them:
 *
 * | route                         | who        | answer                                                  |
 * | ----------------------------- | ---------- | ------------------------------------------------------- |
 * | GET /admin/v1/calendar/:year  | signed in  | 200 { year, days: CalendarDay[], schedulePublished }    |
 *
 * A festival is one day of kind `festival`; the days off around it are `holiday` days with the
 * same id; a make-up working day (a weekend the schedule makes a working day) is `workday`.
 */
import { DAY_NAMES, festivalDate, festivals, LUNAR_YEARS, SCHEDULE_IDS, type CalendarDay } from './days';
import { scheduleOf } from './schedule';

export { DAY_NAMES, FESTIVAL_IDS, festivalDate, LUNAR_YEARS, type CalendarDay, type DayKind, type Localized } from './days';
export { scheduleYears } from './schedule';

export interface CalendarYear {
  year: number;
  days: CalendarDay[];
  /** false: the official holiday schedule for the year is not out yet; only festivals are listed */
  schedulePublished: boolean;
}

const nameOf = (id: string, english: string) => DAY_NAMES[id] ?? { 'zh-CN': english, en: english };
const idOf = (english: string) => SCHEDULE_IDS[english] ?? english.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** The calendar of `year` (LUNAR_YEARS.from…to), days in date order. */
export function calendarYear(year: number): CalendarYear {
  const days = festivals(year);
  const schedule = scheduleOf(year);
  if (schedule) {
    const festivalOn = new Set(days.map((d) => `${d.date} ${d.id}`));
    for (const [date, english] of schedule.holidays) {
      const id = idOf(english);
      // the festival itself is already there, as a festival
      if (!festivalOn.has(`${date} ${id}`)) days.push({ date, id, kind: 'holiday', name: nameOf(id, english) });
    }
    for (const [date, english] of schedule.workdays) {
      const id = idOf(english);
      days.push({ date, id, kind: 'workday', name: nameOf(id, english) });
    }
    days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }
  return { year, days, schedulePublished: schedule !== undefined };
}

/**
 * The next `count` dates of festival `id` on or after `from` (`YYYY-MM-DD`), for a campaign's
 * calendar window; [] for an unknown id.
 * @example nextDates('spring-festival', '2026-12-07', 2) // ['2027-02-06', '2028-01-26']
 */
export function nextDates(id: string, from: string, count: number): string[] {
  const out: string[] = [];
  for (let y = Number(from.slice(0, 4)); out.length < count && y <= LUNAR_YEARS.to; y++) {
    const d = festivalDate(id, y);
    if (d === undefined) return [];
    if (d >= from) out.push(d);
  }
  return out;
}

/**
 * Whether `date` is a working day: a make-up working day is one, a day off is not, else Monday to
 * Friday. Undefined when the year's schedule is not published (a weekday may yet be a day off).
 */
export function isWorkingDay(date: string): boolean | undefined {
  const schedule = scheduleOf(Number(date.slice(0, 4)));
  if (!schedule) return undefined;
  if (schedule.workdays.some(([d]) => d === date)) return true;
  if (schedule.holidays.some(([d]) => d === date)) return false;
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

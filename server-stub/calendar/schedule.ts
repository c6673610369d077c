/**
 * The State Council's public-holiday and make-up working-day schedule (放假调休), from chinese-days'
 * data (vsme/chinese-days, MIT; one entry per day off and per make-up working day, 2004 to the
 * last year it has published). A year it has no entry for is not published: the calendar says so
 * rather than guess.
 */
import { createRequire } from 'node:module';

interface Schedule {
  /** date → "English name,中文名,days" */
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let data: { byYear: Map<number, { holidays: [string, string][]; workdays: [string, string][] }> } | undefined;

function load() {
  if (data) return data;
  const raw = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as Schedule;
  const byYear = new Map<number, { holidays: [string, string][]; workdays: [string, string][] }>();
  const year = (date: string) => {
    const y = Number(date.slice(0, 4));
    let e = byYear.get(y);
    if (!e) byYear.set(y, (e = { holidays: [], workdays: [] }));
    return e;
  };
  const english = (v: string) => v.split(',')[0]!;
  for (const [date, v] of Object.entries(raw.holidays)) year(date).holidays.push([date, english(v)]);
  for (const [date, v] of Object.entries(raw.workdays)) year(date).workdays.push([date, english(v)]);
  for (const e of byYear.values()) for (const list of [e.holidays, e.workdays]) list.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return (data = { byYear });
}

/**
 * Year `year`'s days off and make-up working days as `[date, English holiday name]`, or undefined
 * when the schedule for that year is not published (in the data this server ships with).
 */
export function scheduleOf(year: number): { holidays: [string, string][]; workdays: [string, string][] } | undefined {
  return load().byYear.get(year);
}

/** The years the schedule covers, first and last. */
export function scheduleYears(): { from: number; to: number } {
  const years = [...load().byYear.keys()];
  return { from: Math.min(...years), to: Math.max(...years) };
}

/**
 * A campaign's conditions on customer traits and its calendar window (sdk/contract-admin.ts
 * `TRAIT_OPS`, `CalendarWindow`), against the engine profile's traits at `now`.
 *
 * Days are whole days in China time (UTC+8, no daylight saving): a bank's "matures tomorrow" and a
 * festival's date are Beijing dates, whatever the server's zone. A date is the day number
 * `Date.UTC(y, m - 1, d) / DAY`, so two dates subtract to whole days.
 */
import type { CalendarWindow, TraitCondition } from '../../sdk/contract-admin';
import { compare, num } from '../../sdk/contract-rules';

const DAY = 86_400_000;
const CHINA_MS = 8 * 3_600_000;

export type Traits = Readonly<Record<string, string | number | boolean>>;

/** Today's day number in China time. */
export const chinaDay = (now: number): number => Math.floor((now + CHINA_MS) / DAY);

/** dates read so far: each decide reads the same few (calendar windows, customers' dates) */
let days: Map<string, number> | undefined;

/** The day number of `YYYY-MM-DD`, or NaN when the text is not a real date. */
export function dayOfDate(text: unknown): number {
  if (typeof text !== 'string') return NaN;
  const memo = (days ??= new Map());
  let d = memo.get(text);
  if (d === undefined) {
    // bounded: customers' dates are many; a full memo simply starts again
    if (memo.size >= 4096) memo.clear();
    memo.set(text, (d = parseDate(text)));
  }
  return d;
}

function parseDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return NaN;
  const [y, mo, d] = [+m[1]!, +m[2]!, +m[3]!];
  const t = Date.UTC(y, mo - 1, d);
  // 2026-02-30 would roll over into March: not a date
  return new Date(t).getUTCDate() === d && new Date(t).getUTCMonth() === mo - 1 ? t / DAY : NaN;
}

/** The day number of year `y`, month `mo` (1–12), day `d` clamped to the month's last day. */
function clamped(y: number, mo: number, d: number): number {
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return Date.UTC(y, mo - 1, Math.min(d, last)) / DAY;
}

const within = (d: number, t: TraitCondition) => d >= t.min! && d <= t.max!;

/** Whether one condition holds for `traits` on China day `today`. An absent trait meets only `exists: false` and `neq`. */
export function traitHolds(t: TraitCondition, traits: Traits, today: number): boolean {
  const v = traits[t.name];
  switch (t.op) {
    case 'exists':
      return (v !== undefined) === (t.value !== false);
    case 'eq':
      return v !== undefined && (v === t.value || (typeof t.value === 'number' && num(v) === t.value));
    case 'neq':
      return !(v === t.value || (typeof t.value === 'number' && num(v) === t.value));
    case 'in':
      return v !== undefined && Array.isArray(t.value) && t.value.some((x) => x === v || (typeof x === 'number' && num(v) === x));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof t.value === 'number' && compare(t.op, num(v), t.value);
    case 'date_in_days': {
      const d = dayOfDate(v);
      return !Number.isNaN(d) && within(d - today, t);
    }
    case 'anniversary_in_days': {
      if (Number.isNaN(dayOfDate(v))) return false;
      const [, mo, d] = (v as string).split('-').map(Number) as [number, number, number];
      // Feb 29 falls on Feb 28 in other years; the nearest occurrences lie in last, this or next year
      const y = new Date(today * DAY).getUTCFullYear();
      return [y - 1, y, y + 1].some((year) => within(clamped(year, mo, d) - today, t));
    }
    case 'day_of_month_in_days': {
      const dom = num(v);
      if (!Number.isInteger(dom) || dom < 1 || dom > 31) return false;
      const at = new Date(today * DAY);
      const [y, mo] = [at.getUTCFullYear(), at.getUTCMonth() + 1];
      return [-1, 0, 1].some((k) => within(clamped(y, mo + k, dom) - today, t));
    }
  }
}

/** Whether every condition holds; `traits` undefined (personalisation off) holds none. */
export function traitsHold(conditions: readonly TraitCondition[], traits: Traits | undefined, now: number): boolean {
  if (!traits) return false;
  const today = chinaDay(now);
  return conditions.every((t) => traitHolds(t, traits, today));
}

/** Whether China day of `now` lies in `[date − before, date + after]` for one of the window's dates. */
export function inCalendar(w: CalendarWindow, now: number): boolean {
  const today = chinaDay(now);
  return w.dates.some((date) => {
    const d = dayOfDate(date);
    return today >= d - w.before && today <= d + w.after;
  });
}

/**
 * The calendar against a second, independent source, and the official schedule's make-up days.
 *
 * The tables below are the Gregorian dates of the first day of the first lunar month (Spring
 * Festival) and the 15th day of the 8th lunar month (Mid-Autumn), 2000–2050, as published in the
 * Hong Kong Observatory's "Gregorian-Lunar Calendar Conversion Table"
 * (https://www.hko.gov.hk/en/gts/time/conversion1_text.htm, one text file per year), written in by
 * hand, not computed: the library under test (lunar-javascript) must agree with them day for day.
 * Every entry was cross-checked against chinese-days' own lunar data (`getSolarDateFromLunar`) and
 * against the dates well known for 2000–2026 (e.g. Spring Festival 2024-02-10, Mid-Autumn
 * 2023-09-29): all 102 agree, none needed fixing.
 *
 * Beyond the table, every lunar-date festival 2000–2050 is compared with chinese-days, a second
 * implementation with its own tables (LUNAR_INFO, not lunar-javascript's).
 */
import { describe, expect, it } from 'vitest';
import { getSolarDateFromLunar } from 'chinese-days';
import { calendarYear, festivalDate, isWorkingDay, nextDates, scheduleYears } from '../../server-stub/calendar';

// month-day of Spring Festival for 2000, 2001, … 2050
const SPRING = `
0205 0124 0212 0201 0122 0209 0129 0218 0207 0126
0214 0203 0123 0210 0131 0219 0208 0128 0216 0205
0125 0212 0201 0122 0210 0129 0217 0206 0126 0213
0203 0123 0211 0131 0219 0208 0128 0215 0204 0124
0212 0201 0122 0210 0130 0217 0206 0126 0214 0202
0123`;
// month-day of Mid-Autumn for 2000, 2001, … 2050
const MID_AUTUMN = `
0912 1001 0921 0911 0928 0918 1006 0925 0914 1003
0922 0912 0930 0919 0908 0927 0915 1004 0924 0913
1001 0921 0910 0929 0917 1006 0925 0915 1003 0922
0912 1001 0919 0908 0927 0916 1004 0924 0913 1002
0920 0910 0928 0917 1005 0925 0915 1004 0922 0911
0930`;

const table = (text: string) =>
  text
    .trim()
    .split(/\s+/)
    .map((md, i) => `${2000 + i}-${md.slice(0, 2)}-${md.slice(2)}`);

describe('lunar festivals', () => {
  it.each([
    ['spring-festival', SPRING],
    ['mid-autumn', MID_AUTUMN],
  ])('%s 2000–2050 agrees with the Hong Kong Observatory table', (id, text) => {
    const expected = table(text);
    expect(expected).toHaveLength(51);
    const computed = expected.map((_, i) => festivalDate(id, 2000 + i));
    expect(computed).toEqual(expected);
  });

  it.each([
    ['spring-festival', 1, 1],
    ['lantern', 1, 15],
    ['dragon-boat', 5, 5],
    ['qixi', 7, 7],
    ['mid-autumn', 8, 15],
    ['double-ninth', 9, 9],
  ])('%s (lunar %i-%i) 2000–2050 agrees with chinese-days', (id, month, day) => {
    const ours: string[] = [];
    const theirs: string[] = [];
    for (let y = 2000; y <= 2050; y++) {
      ours.push(festivalDate(id, y)!);
      // a local Date, not 'YYYY-MM-DD': chinese-days parses strings as UTC but reads them with local
      // getters, a day early west of UTC; a local Date reads back as given in every zone
      theirs.push(getSolarDateFromLunar(new Date(y, month - 1, day)).date);
    }
    expect(ours).toEqual(theirs);
  });

  it('computes every lunar festival for 1900 and 2100, the ends of the range', () => {
    for (const year of [1900, 2100]) {
      const days = calendarYear(year).days.filter((d) => d.kind === 'festival');
      for (const id of ['spring-festival', 'lantern', 'qingming', 'dragon-boat', 'qixi', 'mid-autumn', 'double-ninth'])
        expect(days.find((d) => d.id === id)?.date.startsWith(`${year}-`), `${id} ${year}`).toBe(true);
    }
  });

  it('puts Qingming on its solar term (4–6 April) and the Lantern Festival 14 days after Spring Festival', () => {
    for (let y = 2000; y <= 2050; y++) {
      expect(festivalDate('qingming', y)).toMatch(new RegExp(`^${y}-04-0[456]$`));
      const spring = Date.parse(festivalDate('spring-festival', y)!);
      expect((Date.parse(festivalDate('lantern', y)!) - spring) / 86_400_000).toBe(14);
    }
  });

  it('lists the next dates of a festival', () => {
    expect(nextDates('spring-festival', '2026-02-18', 2)).toEqual(['2027-02-06', '2028-01-26']);
    expect(nextDates('double-11', '2026-11-11', 1)).toEqual(['2026-11-11']);
    expect(nextDates('no-such-day', '2026-01-01', 1)).toEqual([]);
  });
});

describe('the official holiday schedule', () => {
  it('answers the issue\'s fixed ids, one festival day each, with the days off around it as holidays', () => {
    const y = calendarYear(2026);
    expect(y.schedulePublished).toBe(true);
    for (const id of ['spring-festival', 'qingming', 'dragon-boat', 'mid-autumn', 'national-day'])
      expect(y.days.filter((d) => d.id === id && d.kind === 'festival'), id).toHaveLength(1);
    // 2026: Spring Festival is 17 February; the State Council gave 15–23 February off
    expect(y.days.filter((d) => d.id === 'spring-festival' && d.kind === 'holiday').map((d) => d.date)).toEqual(
      ['2026-02-15', '2026-02-16', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23'],
    );
    expect(y.days.find((d) => d.id === 'spring-festival' && d.kind === 'festival')).toEqual({
      date: '2026-02-17', id: 'spring-festival', kind: 'festival', name: { 'zh-CN': '春节', en: 'Spring Festival' },
    });
    expect([...y.days.map((d) => d.date)]).toEqual([...y.days.map((d) => d.date)].sort());
  });

  it('makes a make-up working day a working day, on a weekend', () => {
    const workdays = calendarYear(2026).days.filter((d) => d.kind === 'workday');
    expect(workdays.length).toBeGreaterThan(0);
    for (const d of workdays) {
      expect([0, 6]).toContain(new Date(`${d.date}T00:00:00Z`).getUTCDay());
      expect(isWorkingDay(d.date)).toBe(true);
    }
    // 2026-02-14 (a Saturday) was worked for the Spring Festival break; 2026-02-16 (a Monday) was off
    expect(workdays.map((d) => d.date)).toContain('2026-02-14');
    expect(isWorkingDay('2026-02-16')).toBe(false);
    expect(isWorkingDay('2026-03-10')).toBe(true);
    expect(isWorkingDay('2026-03-14')).toBe(false);
  });

  it('says a year beyond the published schedule is not published, and lists its festivals only', () => {
    const last = scheduleYears().to;
    const later = calendarYear(last + 1);
    expect(later.schedulePublished).toBe(false);
    expect(later.days.every((d) => d.kind === 'festival')).toBe(true);
    expect(later.days.map((d) => d.id)).toContain('spring-festival');
    expect(isWorkingDay(`${last + 1}-03-10`)).toBeUndefined();
  });
});

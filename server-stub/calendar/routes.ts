/** `GET /admin/v1/calendar/:year` (signed in): calendar/index.ts `calendarYear`. */
import type { Hono } from 'hono';
import { who, type AdminContext } from '../admin/context';
import { HttpError } from '../wire/errors';
import { calendarYear, LUNAR_YEARS } from './index';

export function mountCalendar(api: Hono, ctx: AdminContext): void {
  api.get('/calendar/:year', async (c) => {
    await who(ctx, c);
    const text = c.req.param('year')!;
    const year = Number(text);
    if (!/^\d{4}$/.test(text) || year < LUNAR_YEARS.from || year > LUNAR_YEARS.to)
      throw new HttpError(400, 'invalid_year', `year: expected a year from ${LUNAR_YEARS.from} to ${LUNAR_YEARS.to}`, { path: 'year' });
    // a year's calendar never changes while this server runs (its data ships with it)
    return c.json(calendarYear(year));
  });
}

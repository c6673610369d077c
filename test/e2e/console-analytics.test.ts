// The eight analysis screens in real Chromium against the real server-stub filled with the demo
// history: each screen in both languages draws its chart with the expected series (read from the
// ECharts instance) and a table with rows, axe-core finds no serious or critical violation; the
// funnel exports its CSV, and its step-1 drop-outs become a saved audience.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FunnelAnswer } from '../../sdk/contract-analytics';
import { problemsOf } from './browser';
import { startDemo, type Demo } from './demo';
import { account, DESKTOP, seriousViolations, signIn } from './console-helpers';

/** polls wait this long: the machine is shared and slow at times (no timing is asserted) */
const SOON = { timeout: 30_000 };

/** what each screen's chart must hold: its series types, and a series name it must have (en) */
const EXPECTED: Record<string, { types: string[]; name?: RegExp; tables: number }> = {
  acquisition: { types: ['line'], name: /^direct$/, tables: 1 },
  activation: { types: ['heatmap'], tables: 1 },
  funnel: { types: ['bar'], name: /^Customers|客户数$/, tables: 1 },
  path: { types: ['sankey'], name: /^loan_apply_exit$/, tables: 1 },
  event: { types: ['line'], name: /^page$/, tables: 1 },
  viral: { types: ['bar'], tables: 2 },
  matching: { types: ['bar'], tables: 2 },
  churn: { types: ['heatmap'], tables: 2 },
};

interface Drawn {
  series: { type: string; name: string; points: number }[];
  nodes?: number;
}

/** what the screen's ECharts instance was given */
const drawn = (page: Page): Promise<Drawn | null> =>
  page.evaluate(() => {
    const el = document.querySelector('.an-chart') as (HTMLElement & { chart?: { getOption(): { series: { type: string; name: string; data?: unknown[] }[] } } }) | null;
    const o = el?.chart?.getOption();
    if (!o) return null;
    return { series: o.series.map((s) => ({ type: s.type, name: String(s.name ?? ''), points: s.data?.length ?? 0 })) };
  });

describe('the analysis screens', () => {
  let demo: Demo;
  let page: Page;

  beforeAll(async () => {
    demo = await startDemo({ server: { demoData: true }, browser: { viewport: DESKTOP, locale: 'en-US' } });
    await account(demo.server, 'analyst', 'editor');
    page = await demo.browser.newPage();
    await signIn(page, demo.url, 'analyst');
  }, 180_000);
  afterAll(async () => demo?.close());

  for (const locale of ['en', 'zh-CN'] as const) {
    it(`every analysis in ${locale}: chart, table, no serious axe violation`, async () => {
      await page.evaluate((l) => localStorage.setItem('slotwise.console.locale', l), locale);
      await page.reload();
      await page.locator('nav.side').waitFor();
      // the nav entry leads there
      await page.getByRole('link', { name: locale === 'en' ? 'Analytics' : '数据分析', exact: true }).click();
      await expect.poll(() => page.url(), SOON).toMatch(/#\/a\/demo\/analytics$/);
      for (const [name, want] of Object.entries(EXPECTED)) {
        await page.evaluate((h) => (location.hash = h), `#/a/demo/analytics/${name}`);
        await expect
          .poll(async () => (await drawn(page))?.series.length ?? 0, SOON)
          .toBeGreaterThan(0)
          .catch(async (e: Error) => {
            throw new Error(`${name}: no chart drawn; page says "${await page.locator('main').innerText()}"; ${problemsOf(page).join('; ')}`, { cause: e });
          });
        // the chart drawn is this screen's, from its answer
        await expect.poll(() => page.locator('.an-tabs a[aria-current=page]').getAttribute('href'), SOON).toBe(`#/a/demo/analytics/${name}`);
        await page.waitForFunction(() => !document.querySelector('.loading'));
        const d = (await drawn(page))!;
        expect(new Set(d.series.map((s) => s.type)), name).toEqual(new Set(want.types));
        expect(d.series.some((s) => s.points > 0), name).toBe(true);
        if (want.name && locale === 'en') expect(d.series.map((s) => s.name), name).toEqual(expect.arrayContaining([expect.stringMatching(want.name)]));
        const tables = page.locator('.an-tables table');
        expect(await tables.count(), name).toBe(want.tables);
        expect(await tables.first().locator('tbody tr').count(), name).toBeGreaterThan(0);
        expect(await page.locator('html').getAttribute('lang')).toBe(locale);
        expect(await seriousViolations(page), `${name} (${locale})`).toEqual([]);
      }
    }, 240_000);
  }

  it('the funnel exports its CSV and makes an audience of its drop-outs', async () => {
    await page.evaluate(() => localStorage.setItem('slotwise.console.locale', 'en'));
    await page.reload();
    await page.evaluate(() => (location.hash = '#/a/demo/analytics/funnel'));
    await expect.poll(async () => (await drawn(page))?.series[0]?.points ?? 0, SOON).toBe(5);
    const answer = await page.evaluate(async () => (await (await fetch('/admin/v1/apps/demo/analytics/funnel')).json()) as unknown) as FunnelAnswer;
    // the chart's bars are the answer's step counts
    const bars = await page.evaluate(() => {
      const el = document.querySelector('.an-chart') as HTMLElement & { chart: { getOption(): { series: { data: number[] }[] } } };
      return el.chart.getOption().series[0]!.data;
    });
    expect(bars).toEqual(answer.steps.map((s) => s.customers));

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`funnel-${answer.from}-${answer.to}.csv`);
    const stream = await download.createReadStream();
    let csv = '';
    for await (const chunk of stream) csv += String(chunk);
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toBe('step,customers,from_previous,from_first,median_ms_from_previous,dropped_after');
    expect(lines.slice(1).map((l) => Number(l.split(',')[1]))).toEqual(answer.steps.map((s) => s.customers));

    const dropped = answer.steps[0]!.droppedAfter;
    expect(dropped).toBeGreaterThan(0);
    await page.getByLabel('Customers', { exact: true }).selectOption('dropped:1');
    await page.getByLabel('Audience name').fill('Loan step 1 drop-outs');
    await page.getByRole('button', { name: 'Save audience' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Loan step 1 drop-outs' }).textContent(), SOON).toContain(`(${dropped} customers)`);

    // the audiences list has it, with the drop-outs' count
    const saved = await page.evaluate(async () => (await (await fetch('/admin/v1/apps/demo/audiences')).json()) as { audiences: { name: string; size: number; params: Record<string, string> }[] });
    expect(saved.audiences.find((x) => x.name === 'Loan step 1 drop-outs')).toMatchObject({ size: dropped, params: { list: 'dropped:1' } });
  }, 120_000);
});

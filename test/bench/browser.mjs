// Chromium benchmarks of the script tag (dist/slotwise.min.js) on pages served by the real
// server-stub (in process, loopback, temporary SQLite), driven by playwright-core.
//
// Method, per row:
//  - track() cost: 10 000 calls in tasks of 1 000, after 1 000 warm-up calls. The page is
//    cross-origin isolated (COOP/COEP added to its HTML), so performance.now() ticks in 5 µs
//    steps instead of 100 µs. The median is taken over 1 000 groups of 10 calls (group time / 10,
//    finer than the timer); the p99 over the 10 000 single-call timings.
//  - 1 000-call burst, all main-thread work: CDP Performance.getMetrics `TaskDuration` (the
//    renderer main thread's busy time) before and after a fixed 2 s window holding the burst and
//    everything it causes (serialising, the IndexedDB write, the request, the acknowledgement's
//    delete); minus the same window without a burst (idle noise and the CDP calls themselves).
//    Median of 5. A PerformanceObserver counts long tasks (≥ 50 ms) in the window, and a
//    performance.measure times the synchronous loop alone.
//  - 10 000-call burst: the calls in one task (as a careless host would), then a MessageChannel
//    probe measures the longest stretch the main thread was blocked from the end of the loop to
//    the last acknowledgement (the SDK's own tasks); JS heap: the peak sampled by that probe
//    (performance.memory, precise with --enable-precise-memory-info) and what is left after
//    delivery (CDP Runtime.getHeapUsage after a forced GC); SQLite must hold all 10 000.
//  - event → reminder: an uncapped rule added to the server's /v1/config answer; the time from
//    track() to the `reminder` listener, 2 000 events.
//  - cached slot paint: a page with <sw-today-picks> (space held and the chunk preloaded, as the README
//    tells hosts), loaded once (the decision is cached on the
//    device), then reloaded 5 times; from the script's start (its first read of window.slotwise)
//    to the first animation frame in which the widget holds item cards, in frames and ms; layout
//    shift summed from a `layout-shift` PerformanceObserver.
//  - memory of 10 000 queued events: offline (nothing sent), forced GC, heap before, 10 000 calls,
//    persisted, forced GC, heap after; then online, and all must arrive.
import { fileURLToPath } from 'node:url';
import { openBenchBrowser } from './bench-browser.mjs';

export { CHROMIUM_ARGS } from './bench-browser.mjs';
/** bench only: performance.memory unrounded, to sample the heap from inside a task */
const BENCH_ARGS = ['--enable-precise-memory-info'];

const REMINDER_RULE = {
  id: 'bench_reminder',
  when: { type: 'track', name: 'bench_reminder' },
  delayMs: 0,
  reminder: { title: { en: 'Bench reminder' }, body: { en: 'Fired on the device.' } },
};

const PAGES = {
  'track.html': `<!doctype html><meta charset="utf-8"><title>track</title>
<script async src="/slotwise.min.js" data-app-key="demo" data-autocapture="false" data-locale="en"></script>
<p>track() bench</p>`,
  'paint.html': `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>paint</title>
<link rel="preload" href="/slotwise-widgets.min.js" as="script">
<style>sw-today-picks:not(:defined){display:block;min-height:364px}</style>
<script async src="/slotwise.min.js" data-app-key="demo" data-autocapture="false" data-locale="en"></script>
<h1>Home</h1><sw-today-picks slot-id="home.today" locale="en"></sw-today-picks><p id="below">Content below the slot.</p>`,
};

const q = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const median = (xs) => q([...xs].sort((a, b) => a - b), 0.5);
const round = (x, d = 2) => (x == null || Number.isNaN(x) ? null : Number(x.toFixed(d)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, ms = 30_000, every = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`bench:browser: timed out waiting for ${what}`);
    await sleep(every);
  }
}

/** in the page: each bench's state and instruments, installed before any page script */
function instruments() {
  const b = (window.__bench = { start: 0, frames: [], paintAt: 0, paintFrames: -1, shift: 0, longtasks: [], sent: 0, errors: [] });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) b.longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) if (!e.hadRecentInput) b.shift += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
  // the script tag's first act is to read window.slotwise: that read is the script's start
  let client;
  Object.defineProperty(window, 'slotwise', {
    configurable: true,
    get() {
      if (!b.start) b.start = performance.now();
      return client;
    },
    set(v) {
      client = v;
      if (v && typeof v.on == 'function') {
        v.on('sent', (ack) => (b.sent += ack.ids.length));
        v.on('error', (e) => b.errors.length < 20 && b.errors.push(`${e.code}: ${e.message}`));
      }
    },
  });
  if (location.pathname !== '/paint.html') return;
  const frame = (ts) => {
    if (b.start) {
      b.frames.push(ts);
      const el = document.querySelector('sw-today-picks');
      if (el && el.shadowRoot && el.shadowRoot.querySelector('.sw-card')) {
        b.paintAt = ts;
        b.paintFrames = b.frames.length;
        return;
      }
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

export async function run() {
  const { context, server, close } = await openBenchBrowser({ name: 'browser', pages: PAGES, minutes: 6, args: BENCH_ARGS, isolate: /\/(track|paint)\.html$/, locale: 'en-US' });
  const rows = [];
  const info = {};
  try {
    // the server's config plus one uncapped rule for the reminder latency
    // GET /v1/config only: the config stream (/v1/config/stream) never ends, so it cannot be fetched and rewritten
    await context.route(/\/v1\/config(\?|$)/, async (route) => {
      const response = await route.fetch();
      const config = await response.json();
      config.triggers = [...(config.triggers ?? []), REMINDER_RULE];
      await route.fulfill({ response, body: JSON.stringify(config), headers: { ...response.headers(), 'content-length': undefined } });
    });
    await context.addInitScript(instruments);

    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${server.url}/track.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.slotwise && !Array.isArray(window.slotwise) && typeof window.slotwise.track == 'function');
    const env = await page.evaluate(() => {
      const t0 = performance.now();
      let min = Infinity;
      for (let i = 0, last = t0; i < 1e6 && performance.now() - t0 < 50; i++) {
        const t = performance.now();
        if (t > last) min = Math.min(min, t - last), (last = t);
      }
      return { ua: navigator.userAgent, isolated: self.crossOriginIsolated, resolutionUs: min * 1000 };
    });
    info.chromium = /Chrome\/([\d.]+)/.exec(env.ua)?.[1] ?? env.ua;
    info.timer = `${env.isolated ? 'cross-origin isolated' : 'NOT isolated'}, timer step ≈ ${round(env.resolutionUs, 1)} µs`;
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    const sentNow = () => page.evaluate(() => window.__bench.sent);
    const settle = async () => {
      await page.evaluate(() => window.slotwise.flush());
      await sleep(300);
    };

    // --- track() cost ---
    {
      await page.evaluate(async () => {
        for (let i = 0; i < 1000; i++) window.slotwise.track('bench_warmup', { i });
        await window.slotwise.flush();
      });
      const r = await page.evaluate(async () => {
        const single = new Float64Array(10_000);
        const groups = [];
        for (let task = 0; task < 10; task++) {
          for (let g = 0; g < 100; g++) {
            const g0 = performance.now();
            for (let k = 0; k < 10; k++) {
              const i = task * 1000 + g * 10 + k;
              const t = performance.now();
              window.slotwise.track('item_view', { itemId: 'f' + (i % 300), kind: 'fund', category: 'fund', n: i });
              single[i] = performance.now() - t;
            }
            groups.push((performance.now() - g0) / 10);
          }
          await new Promise((r) => setTimeout(r, 0));
        }
        single.sort();
        groups.sort((a, b) => a - b);
        return { median: groups[groups.length >> 1] * 1000, p99: single[Math.floor(0.99 * single.length)] * 1000, mean: (single.reduce((a, b) => a + b, 0) / single.length) * 1000 };
      });
      rows.push({ name: 'track() median, Chromium', value: round(r.median), unit: 'µs', budget: 10, note: 'groups of 10 calls, 10 000 calls' });
      rows.push({ name: 'track() p99, Chromium', value: round(r.p99), unit: 'µs', budget: null, note: `single calls; ${info.timer}` });
      await until('the track() events stored', async () => server.count('item_view').n >= 10_000, 60_000, 100).catch(async (e) => {
        throw new Error(`${e.message}: ${server.count('item_view').n} stored; SDK errors ${JSON.stringify(await page.evaluate(() => window.__bench.errors))}; server ${server.logs.slice(-3).join(' | ')}`);
      });
      await settle();
    }

    // --- 1 000-call burst: all main-thread work it causes ---
    {
      const WINDOW = 2000;
      const burst = async (n) => {
        const before = await taskSeconds();
        const t = Date.now();
        const stored0 = server.count('bench_burst').n;
        const r = await page.evaluate((n) => {
          const lt0 = window.__bench.longtasks.length;
          performance.mark('burst-start');
          for (let i = 0; i < n; i++) window.slotwise.track('bench_burst', { i });
          const m = performance.measure('burst', 'burst-start');
          return { loopMs: m.duration, lt0 };
        }, n);
        // waited on through SQLite, not the page: a poll of the page would be main-thread work too
        if (n) await until('the burst stored', async () => server.count('bench_burst').n - stored0 >= n, WINDOW * 5, 20);
        const rest = WINDOW - (Date.now() - t);
        if (rest > 0) await sleep(rest);
        const after = await taskSeconds();
        const longtasks = await page.evaluate((lt0) => window.__bench.longtasks.slice(lt0), r.lt0);
        return { ms: (after - before) * 1000, loopMs: r.loopMs, longtasks: longtasks.length, overran: Date.now() - t > WINDOW + 200 };
      };
      const idle = [];
      const busy = [];
      let loop = [];
      let longtasks = 0;
      for (let i = 0; i < 5; i++) {
        idle.push((await burst(0)).ms);
        const b = await burst(1000);
        busy.push(b.ms);
        loop.push(b.loopMs);
        longtasks += b.longtasks;
      }
      const work = median(busy) - median(idle);
      rows.push({ name: '1 000-call burst: all main-thread work', value: round(work, 1), unit: 'ms', budget: 100, note: `CDP TaskDuration, median of 5 minus idle (${round(median(idle), 1)} ms per 2 s)` });
      rows.push({ name: '1 000-call burst: the calls alone', value: round(median(loop), 2), unit: 'ms', budget: null, note: `performance.measure; ${longtasks} long task(s) in 5 bursts` });
      await settle();
    }

    // --- 10 000-call burst: responsiveness, memory, delivery ---
    {
      const heap0 = await heap();
      const sent0 = await sentNow();
      const r = await page.evaluate(async () => {
        const b = window.__bench;
        const lt0 = b.longtasks.length;
        const heap = () => performance.memory.usedJSHeapSize;
        const h0 = heap();
        let peak = 0;
        const t0 = performance.now();
        for (let i = 0; i < 10_000; i++) window.slotwise.track('bench_10k', { n: i, itemId: 'f' + (i % 300) });
        const t1 = performance.now();
        // from here on the main thread runs the SDK's work (the end-of-task write first): probe it
        let maxGap = 0;
        let last = t1;
        const target = b.sent + 10_000;
        const until = t1 + 60_000;
        await new Promise((done) => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => {
            const now = performance.now();
            maxGap = Math.max(maxGap, now - last);
            peak = Math.max(peak, heap() - h0);
            last = now;
            if (b.sent >= target || now > until) return done();
            ch.port2.postMessage(0);
          };
          ch.port2.postMessage(0);
        });
        const after = b.longtasks.slice(lt0).filter((t) => t.start >= t1 - 1);
        return { peak, loopMs: t1 - t0, maxGap, longtasks: after.length, longest: Math.max(0, ...after.map((t) => t.duration)), deliveredMs: last - t1 };
      });
      const delivered = await until('10 000 rows', async () => {
        const c = server.count('bench_10k');
        return c.n >= 10_000 && c;
      }, 60_000, 100).catch(() => server.count('bench_10k'));
      await settle();
      const heap1 = await heap();
      rows.push({ name: '10 000-call burst: longest main-thread block after the calls', value: round(r.maxGap, 1), unit: 'ms', budget: null, note: `MessageChannel probe; ${r.longtasks} long task(s), longest ${round(r.longest, 1)} ms; the calls took ${round(r.loopMs, 1)} ms` });
      rows.push({ name: '10 000-call burst: JS heap, peak / after delivery', value: `${round(r.peak / 2 ** 20, 2)} / ${round((heap1 - heap0) / 2 ** 20, 2)}`, unit: 'MB', budget: null, note: 'delta: peak sampled by the probe (performance.memory); after delivery with a forced GC (CDP)' });
      rows.push({ name: '10 000-call burst: delivered (SQLite rows, distinct)', value: `${delivered.n} / ${delivered.distinctN}`, unit: 'rows', budget: 'all, once', verdict: delivered.n === 10_000 && delivered.distinctN === 10_000 && (await sentNow()) - sent0 >= 10_000 ? 'ok' : 'FAIL', note: `all acknowledged ${round(r.deliveredMs, 0)} ms after the calls` });
    }

    // --- event → reminder ---
    {
      const r = await page.evaluate(async () => {
        const sw = window.slotwise;
        let at = 0;
        let got = 0;
        sw.on('reminder', () => ((at = performance.now()), got++));
        for (let i = 0; got === 0 && i < 500; i++) {
          sw.track('bench_reminder', { i });
          await new Promise((r) => setTimeout(r, 10));
        }
        if (!got) return { error: 'the rule never came into force' };
        const lat = new Float64Array(2000);
        let missed = 0;
        for (let i = 0; i < 2000; i++) {
          const before = got;
          const t = performance.now();
          sw.track('bench_reminder', { i });
          // built (and its trigger fired) in the call's first slice, a microtask of this task
          await Promise.resolve();
          if (got !== before + 1) missed++;
          lat[i] = (at - t) * 1000;
          if (i % 100 === 99) await new Promise((r) => setTimeout(r, 0));
        }
        lat.sort();
        return { p50: lat[1000], p99: lat[1980], missed };
      });
      if (r.error) throw new Error(`bench:browser: reminder: ${r.error}`);
      rows.push({ name: 'event → reminder p50, Chromium', value: round(r.p50 / 1000, 4), unit: 'ms', budget: null, note: `2 000 events; ${info.timer}` });
      rows.push({ name: 'event → reminder p99, Chromium', value: round(r.p99 / 1000, 4), unit: 'ms', budget: 5, note: r.missed ? `${r.missed} did not fire in the call's task` : "fired in the track() call's task (its first slice)" });
      await settle();
    }

    // --- memory held by 10 000 queued events ---
    {
      await settle();
      await context.setOffline(true);
      const h0 = await heap();
      await page.evaluate(async () => {
        for (let task = 0; task < 10; task++) {
          for (let i = 0; i < 1000; i++) window.slotwise.track('bench_queued', { n: task * 1000 + i, itemId: 'f' + (i % 300) });
          await new Promise((r) => setTimeout(r, 0));
        }
        // persisted (offline: flush() writes, then does not send)
        await window.slotwise.flush();
      });
      const h1 = await heap();
      await sleep(300);
      const stillQueued = server.count('bench_queued').n;
      await context.setOffline(false);
      const got = await until('10 000 queued events delivered once online', async () => {
        const c = server.count('bench_queued');
        return c.n >= 10_000 && c;
      }, 90_000, 100).catch(() => server.count('bench_queued'));
      rows.push({ name: 'memory held by 10 000 queued events, Chromium', value: round((h1 - h0) / 2 ** 20, 2), unit: 'MB', budget: null, note: `JS heap after GC, offline: the queue is in IndexedDB, not the heap (${stillQueued} sent meanwhile); then ${got.n} delivered online` });
    }

    // --- cached slot paint ---
    {
      const paint = context.pages().length > 1 ? context.pages()[1] : await context.newPage();
      await paint.goto(`${server.url}/paint.html`, { waitUntil: 'load' });
      await until('the slot rendered once (decision cached)', () => paint.evaluate(() => window.__bench.paintFrames > 0), 30_000);
      await paint.evaluate(() => window.slotwise.flush());
      await sleep(500);
      const runs = [];
      for (let i = 0; i < 5; i++) {
        await paint.reload({ waitUntil: 'load' });
        await until('the cached slot painted', () => paint.evaluate(() => window.__bench.paintFrames > 0), 15_000);
        await sleep(300);
        runs.push(await paint.evaluate(() => ({ frames: window.__bench.paintFrames, ms: window.__bench.paintAt - window.__bench.start, shift: window.__bench.shift })));
      }
      const frames = median(runs.map((r) => r.frames));
      rows.push({ name: 'cached slot paint after script start', value: frames, unit: 'frames', budget: 1, note: `median of 5 reloads; ${round(median(runs.map((r) => r.ms)), 1)} ms (frames ${runs.map((r) => r.frames).join(', ')})` });
      rows.push({ name: 'cached slot paint: layout shift', value: round(Math.max(...runs.map((r) => r.shift)), 4), unit: 'CLS', budget: 0, note: 'worst of 5, layout-shift observer' });
    }
  } finally {
    await close();
  }
  return { rows, info };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows, info } = await run();
  console.log(`Chromium ${info.chromium}; ${info.timer}`);
  for (const r of rows) console.log(`${r.name.padEnd(58)} ${String(r.value).padStart(12)} ${r.unit}${r.budget != null ? `  (budget ${r.budget})` : ''}  ${r.note ?? ''}`);
}

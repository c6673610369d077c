// `npm run bench:jank` (also part of `npm run bench`): does a burst of track() calls block the page
// after the calls returned? Real Chromium, the script tag (dist/slotwise.min.js) on a page served by
// the real server-stub (in process, loopback, temporary SQLite), driven by playwright-core.
//
// First, the cost of one track() call: 1 000 batches of 50 calls, each batch timed with
// performance.now() (one call is below the timer's 5 µs step) and run in a task of its own, so the
// SDK's slices run between batches as they would between a page's handlers; median and p99 of the
// per-call time of a batch, beside the same batches calling a no-op.
//
// Then bursts of 1 000, 10 000 and 100 000 track() calls, each in one task (as a careless host would),
// on a cross-origin isolated page (5 µs timers). Per burst:
//  - loop: the calling loop's time, and the same loop calling a no-op instead of the SDK (baseline);
//  - long tasks (PerformanceObserver `longtask`, ≥ 50 ms) that start after the loop, and the longest
//    gap between two animation frames in the next 5 s (frame work included: ~16.7 ms when idle);
//  - the SDK's main-thread time in the 5 s after the loop: CDP `TaskDuration` over the window minus
//    the same window without a burst (idle noise, the rAF sampler);
//  - the time until the server stored every event (or, past the queue's cap, until what was kept is
//    stored), from SQLite; stored + reported as dropped (`queue_overflow`) must be N;
//  - JS heap (performance.memory, precise): before, the peak sampled per frame, and after 5 s;
//  - the input delay of a real click (CDP Input) dispatched ~10 ms after the burst's task ended:
//    from the event's timeStamp to its handler.
// Numbers on a shared 2-core machine are noisy: compare runs on one quiet host.
import { fileURLToPath } from 'node:url';
import { openBenchBrowser } from './bench-browser.mjs';

const PAGE = `<!doctype html><meta charset="utf-8"><title>jank</title>
<script async src="/slotwise.min.js" data-app-key="demo" data-autocapture="false" data-locale="en"></script>
<button id="b" style="width:200px;height:80px">tap</button>`;
const BURSTS = [1_000, 10_000, 100_000];
const WINDOW_MS = 5_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 1) => (x == null || Number.isNaN(x) ? null : Number(x.toFixed(d)));

/** in the page, before any script: long tasks, frames, heap samples, clicks, SDK errors */
function instruments() {
  const b = (window.__jank = { longtasks: [], frames: [], heap: [], clicks: [], dropped: 0, errors: [] });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) b.longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const frame = (ts) => {
    b.frames.push(ts);
    if (b.frames.length > 2000) b.frames.splice(0, 1000);
    b.heap.push(performance.memory?.usedJSHeapSize ?? 0);
    if (b.heap.length > 2000) b.heap.splice(0, 1000);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  addEventListener('click', (e) => b.clicks.push(performance.now() - e.timeStamp), true);
  let client;
  Object.defineProperty(window, 'slotwise', {
    configurable: true,
    get: () => client,
    set(v) {
      client = v;
      if (v && typeof v.on == 'function')
        v.on('error', (e) => {
          if (e.code == 'queue_overflow') b.dropped += e.details?.dropped ?? 0;
          else if (b.errors.length < 20) b.errors.push(`${e.code}: ${e.message}`);
        });
    },
  });
}

export async function run() {
  const { context, server, close } = await openBenchBrowser({ name: 'jank', pages: { 'jank.html': PAGE }, minutes: 8, args: ['--enable-precise-memory-info'], isolate: /\/jank\.html$/ });
  const rows = [];
  try {
    await context.addInitScript(instruments);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${server.url}/jank.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.slotwise && !Array.isArray(window.slotwise) && typeof window.slotwise.track == 'function');
    await page.evaluate(() => window.slotwise.flush());
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value * 1000;
    const gc = () => cdp.send('HeapProfiler.collectGarbage');
    const box = await page.locator('#b').boundingBox();
    const click = async () => {
      const at = { x: box.x + box.width / 2, y: box.y + box.height / 2, button: 'left', clickCount: 1 };
      await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at });
      await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at });
    };

    // one call: batches of 50, each in a task of its own
    const calls = await page.evaluate(async ({ batches, size }) => {
      const task = () => new Promise((r) => setTimeout(r));
      const per = async (fn) => {
        const t = new Float64Array(batches);
        for (let j = 0; j < batches; j++) {
          const t0 = performance.now();
          for (let i = 0; i < size; i++) fn('jank_call', { n: i, itemId: 'f' + (i % 300) });
          t[j] = ((performance.now() - t0) / size) * 1000;
          await task();
        }
        t.sort();
        return { p50: t[batches >> 1], p99: t[Math.floor(batches * 0.99)], max: t[batches - 1] };
      };
      const sink = [];
      const noop = await per((name, props) => void sink.push(props));
      const sw = window.slotwise;
      const sdk = await per((name, props) => sw.track(name, props));
      await sw.flush();
      return { noop, sdk };
    }, { batches: 1000, size: 50 });
    rows.push({ name: 'track() per call, median', value: round(calls.sdk.p50, 2), unit: 'µs', budget: 2, note: `1 000 batches of 50, each timed and in a task of its own; no-op ${round(calls.noop.p50, 2)} µs` });
    rows.push({ name: 'track() per call, p99', value: round(calls.sdk.p99, 2), unit: 'µs', budget: 20, note: `max ${round(calls.sdk.max, 1)} µs; no-op p99 ${round(calls.noop.p99, 2)} µs` });

    // the idle window: what the page costs in 5 s without a burst (the rAF sampler, timers)
    const idle0 = await busy();
    await sleep(WINDOW_MS);
    const idle = (await busy()) - idle0;

    for (const n of BURSTS) {
      const name = `jank_${n}`;
      await gc();
      const baseline = await page.evaluate((n) => {
        const sink = [];
        const noop = (name, props) => void sink.push(props);
        const t0 = performance.now();
        for (let i = 0; i < n; i++) noop('jank_baseline', { n: i, itemId: 'f' + (i % 300) });
        return performance.now() - t0;
      }, n);
      await gc();
      const before = await busy();
      const started = Date.now();
      const r = await page.evaluate(
        ({ n, name }) => {
          const b = window.__jank;
          const heap0 = performance.memory.usedJSHeapSize;
          const t0 = performance.now();
          for (let i = 0; i < n; i++) window.slotwise.track(name, { n: i, itemId: 'f' + (i % 300) });
          const t1 = performance.now();
          b.mark = { t1, lt: b.longtasks.length, frames: b.frames.length, heap: b.heap.length, clicks: b.clicks.length, dropped: b.dropped };
          return { loop: t1 - t0, heap0 };
        },
        { n, name },
      );
      // ~10 ms after the burst's task (the evaluate answers once it ended)
      await sleep(10);
      await click();
      let ackMs = null;
      let stored = 0;
      for (;;) {
        stored = server.count(name).n;
        const dropped = await page.evaluate(() => window.__jank.dropped - window.__jank.mark.dropped);
        if (stored + dropped >= n && ackMs == null) ackMs = Date.now() - started;
        if (Date.now() - started >= WINDOW_MS) break;
        await sleep(50);
      }
      const work = (await busy()) - before;
      const after = await page.evaluate(() => {
        const b = window.__jank;
        const m = b.mark;
        const long = b.longtasks.slice(m.lt).filter((t) => t.start >= m.t1 - 1);
        const frames = b.frames.slice(Math.max(0, m.frames - 1)).filter((t) => t >= m.t1 - 20);
        let gap = 0;
        for (let i = 1; i < frames.length; i++) gap = Math.max(gap, frames[i] - frames[i - 1]);
        return {
          long: long.map((t) => Math.round(t.duration)),
          frames: frames.length,
          gap,
          peak: Math.max(0, ...b.heap.slice(m.heap)),
          heap: performance.memory.usedJSHeapSize,
          click: b.clicks.slice(m.clicks)[0],
          dropped: b.dropped - m.dropped,
          errors: b.errors.slice(),
        };
      });
      // wait for the rest of what was kept (a slow host), then count once more
      if (ackMs == null) {
        const end = Date.now() + 60_000;
        // drops reported after the 5 s window count too
        const dropped = () => page.evaluate(() => window.__jank.dropped - window.__jank.mark.dropped);
        while (server.count(name).n + (after.dropped = await dropped()) < n && Date.now() < end) await sleep(200);
        stored = server.count(name).n;
        if (stored + after.dropped >= n) ackMs = Date.now() - started;
      }
      const c = server.count(name);
      const label = `${n.toLocaleString('en-US').replace(/,/g, ' ')}-call burst`;
      rows.push({ name: `${label}: calling loop (no-SDK baseline)`, value: round(r.loop), unit: 'ms', budget: null, note: `baseline ${round(baseline, 2)} ms; ${round((r.loop / n) * 1000, 2)} µs per call` });
      rows.push({ name: `${label}: long tasks after the loop`, value: after.long.length, unit: '', budget: n <= 10_000 ? 0 : null, note: after.long.length ? `longest ${Math.max(...after.long)} ms (${after.long.join(', ')} ms)` : 'none ≥ 50 ms' });
      rows.push({ name: `${label}: longest frame gap in 5 s`, value: round(after.gap), unit: 'ms', budget: null, note: `${after.frames} frames painted in the window (rAF)` });
      rows.push({ name: `${label}: SDK main-thread time in 5 s`, value: round(work - idle), unit: 'ms', budget: null, note: `CDP TaskDuration ${round(work)} ms minus idle ${round(idle)} ms; includes the loop` });
      rows.push({ name: `${label}: all stored or reported dropped`, value: ackMs, unit: 'ms', budget: null, verdict: c.n === c.distinctN && c.n + after.dropped === n ? 'ok' : 'FAIL', note: `${c.n} rows (${c.distinctN} distinct) + ${after.dropped} reported dropped of ${n}${after.errors.length ? `; errors: ${after.errors.slice(0, 2).join(' | ')}` : ''}` });
      rows.push({ name: `${label}: JS heap before / peak / after 5 s`, value: `${round(r.heap0 / 2 ** 20, 1)} / ${round(after.peak / 2 ** 20, 1)} / ${round(after.heap / 2 ** 20, 1)}`, unit: 'MB', budget: null, note: 'performance.memory, precise; peak sampled per frame' });
      rows.push({ name: `${label}: input delay of a click 10 ms after`, value: round(after.click), unit: 'ms', budget: n <= 10_000 ? 50 : null, note: 'CDP mouse press/release; event timeStamp → handler' });
      await page.evaluate(() => window.slotwise.flush());
    }
  } finally {
    await close();
  }
  return { rows };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows } = await run();
  // stored + reported dropped must be N: a miscount fails the run, not just its row
  if (rows.some((r) => r.verdict === 'FAIL')) process.exitCode = 1;
  for (const r of rows) console.log(`${r.name.padEnd(56)} ${String(r.value).padStart(16)} ${r.unit}${r.budget != null ? `  (budget ${r.budget})` : ''}${r.verdict ? `  ${r.verdict}` : ''}  ${r.note ?? ''}`);
}

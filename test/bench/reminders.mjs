// Chromium benchmark of the reminder path with the script tag (dist/slotwise.min.js, which loads the
// widgets chunk for the page's <sw-reminders>), on a page served by the real server-stub (loopback,
// temporary SQLite), driven by playwright-core. Two uncapped trigger rules are added to the server's
// /v1/config answer.
//
// Method, per row:
//  - track() → reminder in <sw-reminders>' shadow DOM: a MutationObserver on the shadow root; the
//    time from just before track() to the observer's callback for the card it added (callbacks run
//    as microtasks, right after the mutation), 2 000 events. Between two events the page is left
//    alone for a macrotask and one animation frame, as between two user actions; the frame that
//    follows the insertion is the "to the next frame" row (vsync-bound: ≤ one frame by nature).
//  - timed trigger lateness, the trigger engine alone (a page without widgets): 50 rules with
//    `unless.withinMs` = 1 s (persisted, the default `onReload: 'fire'`, so the cross-tab lease is
//    in play), an event every 25 ms taking the rules in turn, so ~40 triggers are pending at any
//    time; the time the `reminder` listener runs minus (just before track() + 1 s), 1 000 events.
//    Meanwhile the SDK does what a page makes it do: the events' IndexedDB writes and sends, each
//    trigger's lease, claim and reads.
// All times are performance.now() in a cross-origin isolated page (5 µs steps).
import { fileURLToPath } from 'node:url';
import { openBenchBrowser } from './bench-browser.mjs';

/** the `unless.withinMs` window of the timed rules: as long as the SDK's lead (1 s), so its storage work starts with the event */
const WAIT = 1000;
/** one pending trigger per rule: this many rules take turns, an event every EVERY ms, so a rule's next
 * event (which would restart its trigger) comes 250 ms after its deadline */
const TIMED = 50;
const EVERY = 25;
const RULES = [
  { id: 'bench_now', when: { type: 'track', name: 'bench_now' }, delayMs: 0, reminder: { title: { en: 'Now' }, body: { en: 'Fired on the device.' } } },
  ...Array.from({ length: TIMED }, (_, k) => ({
    id: 'bench_timed_' + k,
    when: { type: 'track', name: 'bench_timed', where: [{ prop: 'k', op: 'eq', value: k }] },
    unless: { name: 'bench_timed_done', withinMs: WAIT },
    delayMs: 0,
    reminder: { title: { en: 'Later' }, body: { en: 'Fired on time.' } },
  })),
];

const TIMED_PAGE = `<!doctype html><meta charset="utf-8"><title>timed</title>
<script async src="/slotwise.min.js" data-app-key="demo" data-autocapture="false" data-locale="en"></script><p>timed triggers</p>`;
const PAGE = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>reminders</title>
<script async src="/slotwise.min.js" data-app-key="demo" data-autocapture="false" data-locale="en"></script>
<h1>Home</h1><sw-reminders locale="en"></sw-reminders><p>Content below.</p>`;

const round = (x, d = 2) => (x == null || Number.isNaN(x) ? null : Number(x.toFixed(d)));

export async function run() {
  const { context, server, close } = await openBenchBrowser({ name: 'reminders', pages: { 'reminders.html': PAGE, 'timed.html': TIMED_PAGE }, minutes: 3, isolate: /\/(reminders|timed)\.html$/, locale: 'en-US' });
  const rows = [];
  try {
    // GET /v1/config only: the config stream (/v1/config/stream) never ends, so it cannot be fetched and rewritten
    await context.route(/\/v1\/config(\?|$)/, async (route) => {
      const response = await route.fetch();
      const config = await response.json();
      config.triggers = [...(config.triggers ?? []), ...RULES];
      await route.fulfill({ response, body: JSON.stringify(config), headers: { ...response.headers(), 'content-length': undefined } });
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${server.url}/reminders.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.slotwise?.track && customElements.get('sw-reminders') && document.querySelector('sw-reminders').shadowRoot);
    const isolated = await page.evaluate(() => self.crossOriginIsolated);
    const timer = isolated ? 'cross-origin isolated, 5 µs steps' : 'NOT isolated, 100 µs steps';

    // --- track() → reminder card in the shadow DOM ---
    {
      const r = await page.evaluate(async () => {
        const sw = window.slotwise;
        const root = document.querySelector('sw-reminders').shadowRoot;
        const macrotask = () => new Promise((r) => setTimeout(r, 0));
        const frame = () => new Promise((r) => requestAnimationFrame(r));
        let resolve;
        new MutationObserver((records) => {
          for (const m of records) for (const n of m.addedNodes) if (n.nodeType == 1 && (n.matches('li.sw-card') || n.querySelector('li.sw-card'))) return resolve?.(performance.now());
        }).observe(root, { childList: true, subtree: true });
        const next = () => new Promise((r) => (resolve = r));
        // the rule comes with the config: until then, nothing fires
        let on = false;
        for (let i = 0; !on && i < 500; i++) {
          const got = next();
          sw.track('bench_now', { i });
          on = await Promise.race([got.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);
        }
        if (!on) return { error: 'no reminder card ever appeared' };
        const dom = new Float64Array(2000);
        let sync = 0;
        const paint = new Float64Array(2000);
        for (let i = 0; i < 2000; i++) {
          await macrotask();
          await frame();
          const got = next();
          const first = root.querySelector('li.sw-card');
          const t = performance.now();
          sw.track('bench_now', { i });
          // the newest notice goes first: a new first card means it is in the DOM already
          if (root.querySelector('li.sw-card') !== first) sync++;
          dom[i] = (await got) - t;
          paint[i] = (await frame()) - t;
        }
        dom.sort();
        paint.sort();
        return { p50: dom[1000], p99: dom[1980], max: dom[1999], f50: paint[1000], f99: paint[1980], sync };
      });
      if (r.error) throw new Error(`bench:reminders: ${r.error}`);
      rows.push({ name: 'track() → reminder in <sw-reminders> DOM p50', value: round(r.p50, 3), unit: 'ms', budget: null, note: `MutationObserver on the shadow root, 2 000 events; ${timer}` });
      rows.push({ name: 'track() → reminder in <sw-reminders> DOM p99', value: round(r.p99, 3), unit: 'ms', budget: 5, note: `max ${round(r.max, 2)} ms; in the DOM when track() returned: ${r.sync} of 2 000` });
      rows.push({ name: 'track() → next frame after the reminder p50 / p99', value: `${round(r.f50, 1)} / ${round(r.f99, 1)}`, unit: 'ms', budget: null, note: 'requestAnimationFrame: vsync-bound' });
    }

    // --- timed trigger lateness: the trigger engine alone, on a page without widgets ---
    {
      await page.goto(`${server.url}/timed.html`, { waitUntil: 'load' });
      await page.waitForFunction(() => window.slotwise?.track);
      // the rules come with the config: wait for one to fire
      await page.evaluate(async () => {
        let on = false;
        const off = window.slotwise.on('reminder', () => (on = true));
        for (let i = 0; !on && i < 100; i++) {
          window.slotwise.track('bench_timed', { k: 0 });
          await new Promise((r) => setTimeout(r, 1100));
        }
        off();
      });
      const r = await page.evaluate(async ({ wait, rules, every }) => {
        const sw = window.slotwise;
        const start = new Map();
        const lateness = [];
        let done;
        const all = new Promise((r) => (done = r));
        sw.on('reminder', (x) => {
          const t = start.get(x.ruleId);
          if (!x.ruleId.startsWith('bench_timed_') || t == null) return;
          lateness.push(performance.now() - t - wait);
          start.delete(x.ruleId);
          if (lateness.length == 1000) done();
        });
        for (let i = 0; i < 1000; i++) {
          const k = i % rules;
          start.set('bench_timed_' + k, performance.now());
          sw.track('bench_timed', { k });
          await new Promise((r) => setTimeout(r, every));
        }
        // one not there 10 s after the last deadline counts as infinitely late
        await Promise.race([all, new Promise((r) => setTimeout(r, 10_000))]);
        const came = lateness.length;
        while (lateness.length < 1000) lateness.push(Infinity);
        lateness.sort((a, b) => a - b);
        return { p50: lateness[500], p99: lateness[990], max: lateness[999], min: lateness[0], came };
      }, { wait: WAIT, rules: TIMED, every: EVERY });
      rows.push({ name: 'timed trigger lateness p50', value: round(r.p50, 3), unit: 'ms', budget: null, note: `unless.withinMs ${WAIT} ms, persisted, ${TIMED} rules in turn; 1 000 events; earliest ${round(r.min, 2)} ms` });
      rows.push({ name: 'timed trigger lateness p99', value: round(r.p99, 3), unit: 'ms', budget: 5, note: `reminder listener − (track() + ${WAIT} ms); max ${r.came < 1000 ? `∞: ${1000 - r.came} not there 10 s after` : `${round(r.max, 2)} ms`}` });
    }
  } finally {
    await close();
  }
  return { rows };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows } = await run();
  for (const r of rows) console.log(`${r.name.padEnd(52)} ${String(r.value).padStart(12)} ${r.unit}${r.budget != null ? `  (budget ${r.budget})` : ''}  ${r.note ?? ''}`);
}

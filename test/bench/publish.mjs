// Publish → device: how long after a release is activated on the server do open pages run it?
// The real server-stub (bench-server.mjs, loopback, temporary SQLite) and 20 pages running the
// script tag (dist/slotwise.min.js), each in its own browser context (its own connections, as 20
// devices: one profile would share 6 HTTP/1.1 connections per host among them).
//
// Method: 50 times, a release is activated through the server's rules registry (the admin API
// calls the same function), with Date.now() taken just before the call; each page records
// Date.now() when its SDK received the config of that release: the stream's `config` event (the
// server pushes the release's config; a listener added before the SDK's runs in the same task as
// the SDK's), or else the answer of a GET /v1/config (a fetch wrapper reads its `release`). The
// latency of one page and release is the difference — one machine, one clock. The path measured:
// validation, store write, the swap posted to the engine thread, the SSE event with the config (and,
// for a client that refetches, its GET /v1/config and answer). Releases follow each other once every
// page has seen the previous one (or 5 s); the pages are read a second after each release, not
// polled, so reading them does not slow what is measured. CPU: the process's CPU time (all its
// threads: HTTP, engine, writer — and the benchmark's driver, idle meanwhile) from the call until
// publish() resolves, and the engine thread's activation, timed on its host.
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from './bench-browser.mjs';
import { startBenchServer } from './bench-server.mjs';

const PAGES = 20;
const RELEASES = 50;

const PAGE = `<!doctype html><meta charset="utf-8"><title>publish</title>
<script>
  // the release of every config answer the SDK reads, with when it arrived
  window.seen = [];
  // config answers fetched: the first at start; a release the stream pushed needs none
  window.fetched = 0;
  const f = window.fetch;
  window.fetch = async (...a) => {
    const res = await f(...a);
    if (String(a[0]).includes('/v1/config') && res.status === 200) res.clone().json().then((c) => (fetched++, seen.push([c.release, Date.now()])), () => {});
    return res;
  };
  // and when the stream announced it: splits the path into the push and the refetch
  window.heard = [];
  const ES = window.EventSource;
  window.EventSource = class extends ES {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => heard.push([+e.data, Date.now()]));
      this.addEventListener('config', (e) => {
        const at = Date.now();
        const c = JSON.parse(e.data);
        heard.push([c.release, at]);
        seen.push([c.release, at]);
      });
    }
  };
</script>
<script async src="/slotwise.min.js" data-app-key="demo" data-autocapture="false" data-locale="en"></script><p>publish</p>`;

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-publish-pages-'));
  writeFileSync(join(dir, 'publish.html'), PAGE);
  const server = await startBenchServer({ pages: dir });
  const deadline = setTimeout(() => {
    console.error('bench:publish: over 5 minutes, giving up');
    process.exit(3);
  }, 5 * 60_000);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    const pages = [];
    for (let i = 0; i < PAGES; i++) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${server.url}/publish.html`, { waitUntil: 'load' });
      pages.push(page);
    }
    // every page holds its stream before the first release
    for (let t = Date.now(); server.streams.count('demo') < PAGES; ) {
      if (Date.now() - t > 30_000) throw new Error(`only ${server.streams.count('demo')} of ${PAGES} pages opened the config stream`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const base = server.rules.live('demo').rules;
    const latencies = [];
    const publishMs = [];
    const cpuMs = [];
    const engineMs = [];
    const activate = server.engine.activate.bind(server.engine);
    server.engine.activate = (app, release) => {
      const t = performance.now();
      const done = activate(app, release);
      done.then(() => engineMs.push(performance.now() - t), () => {});
      return done;
    };
    const pushes = [];
    let missed = 0;
    for (let n = 0; n < RELEASES; n++) {
      // a different priority each time: a new release with new content
      const rules = { ...base, campaigns: base.campaigns.map((c, i) => (i === 0 ? { ...c, priority: 30 + (n % 50) } : c)) };
      const t0 = Date.now();
      const cpu0 = process.cpuUsage();
      const release = await server.rules.publish('demo', rules);
      const cpu = process.cpuUsage(cpu0);
      publishMs.push(Date.now() - t0);
      cpuMs.push((cpu.user + cpu.system) / 1000);
      const seen = async () =>
        Promise.all(pages.map((p) => p.evaluate((v) => window.seen.find(([r]) => r === v)?.[1], release.version)));
      const heard = async () => Promise.all(pages.map((p) => p.evaluate((v) => window.heard.find(([r]) => r === v)?.[1], release.version)));
      // read the pages once they have had a second (reading 20 pages is CPU the pages then lack)
      await new Promise((r) => setTimeout(r, 1000));
      let at = await seen();
      for (let t = Date.now(); at.some((x) => x === undefined) && Date.now() - t < 4000; at = await seen()) await new Promise((r) => setTimeout(r, 250));
      for (const x of at) if (x === undefined) missed++;
      else latencies.push(x - t0);
      for (const x of await heard()) if (x !== undefined) pushes.push(x - t0);
    }
    const refetched = (await Promise.all(pages.map((p) => p.evaluate(() => window.fetched)))).reduce((a, b) => a + b, 0) - PAGES;
    latencies.sort((a, b) => a - b);
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    for (const a of [publishMs, pushes, cpuMs, engineMs]) a.sort((a, b) => a - b);
    const ms = (a, q) => (a.length ? quantile(a, q).toFixed(1) : '—');
    const load = loadavg()[0].toFixed(1);
    const note = `publish() itself p50 ${quantile(publishMs, 0.5)} ms (process CPU p50 ${ms(cpuMs, 0.5)} ms; engine swap p50 ${ms(engineMs, 0.5)} ms), stream event in the page p50 ${quantile(pushes, 0.5)} / p99 ${quantile(pushes, 0.99)} ms; ${RELEASES} releases × ${PAGES} pages (own contexts), ${latencies.length} seen, ${missed} not within 5 s, ${refetched} config refetches after the first; Date.now() in Node and page, ms steps; load average ${load} at the end: noisy on a shared machine`;
    return [
      { name: 'publish → open page runs the release, p50', value: p50, unit: 'ms', budget: null, note },
      { name: 'publish → open page runs the release, p99', value: missed ? null : p99, unit: 'ms', budget: 1000, verdict: missed ? 'OVER BUDGET' : undefined, note: missed ? `${missed} page-releases never seen` : `max ${latencies.at(-1)} ms` },
    ];
  } finally {
    clearTimeout(deadline);
    await browser?.close().catch(() => {});
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await run();
  for (const r of rows) console.log(`${r.name}: ${r.value ?? '—'} ${r.unit}  (${r.note})`);
}

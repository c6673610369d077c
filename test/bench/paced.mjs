// An open-loop load generator: requests go out on a fixed schedule — request i is due at
// start + i / rate — whether or not earlier ones have been answered, and each latency is measured
// from when the request was *due*, not from when a free connection sent it. A server that stalls
// therefore shows its stall in every request scheduled behind it (no coordinated omission).
//
// Why not autocannon's `overallRate`: it gives each connection a per-second quota that is spent in a
// closed loop at the start of every second, then waits for the next second ("heartbeat" load,
// mcollina/autocannon#174), and it corrects for omission with a 1 ms interval whatever the rate. At
// 1 000 req/s over 32 connections that measures how fast the server drains a burst of 1 000, not
// its latency at a steady 1 000 req/s (what wrk2's -R measures, and what this does).
//
// The generator is measured along with the server (a pause of its own shows as latency), so it
// stays out of its own way: every request is rendered before the clock starts, the loop runs on a
// worker thread with its own heap — large enough that it never collects mid-run — away from the
// benchmark's other garbage, over raw keep-alive sockets. Answers are framed by Content-Length,
// one request per connection at a time.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * @param {{ url: string, path: string, rate: number, seconds: number, connections?: number,
 *   headers?: Record<string, string>, body: (i: number) => string }} o
 * @returns {Promise<{ latencies: Float64Array, failed: number, failures: Record<string, number>, seconds: number, cpuMs: number,
 *   stall: { loopDelayMaxMs: number, gcOver5Ms: number, gcMaxMs: number } }>}
 *   latencies in ms, in schedule order; why the failed ones failed; the generator thread's CPU time; how late
 *   its own event loop ran and its own GC pauses (a stall here is the generator's, not the server's)
 */
export function paced(o) {
  const { hostname, port } = new URL(o.url);
  const total = Math.round(o.rate * o.seconds);
  const head = Object.entries({ host: `${hostname}:${port}`, 'content-type': 'application/json', ...o.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const requests = Array.from({ length: total }, (_, i) => {
    const body = o.body(i);
    return `POST ${o.path} HTTP/1.1\r\n${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  });
  // the run allocates little, which V8's memory reducer takes for idleness and answers with full,
  // compacting collections mid-run; a heap reads the flag when it is made, so before the worker's
  setFlagsFromString('--no-memory-reducer');
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { paced: { hostname, port: Number(port), rate: o.rate, connections: o.connections ?? 64, requests } },
    resourceLimits: { maxYoungGenerationSizeMb: 256, maxOldGenerationSizeMb: 1024 },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the load generator exited (${code})`)));
  });
}

/** The open loop itself, on its own thread. */
function run({ hostname, port, rate, connections, requests }) {
  const total = requests.length;
  const interval = 1000 / rate;
  const latencies = new Float64Array(total);
  const queue = []; // due request indices no connection was free for
  const idle = [];
  let sent = 0;
  let done = 0;
  let failed = 0;
  /** why requests failed: status line or 'connection lost', with counts */
  const failures = {};
  let start = 0;
  let closing = false;
  const live = new Set();
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));

  const answered = (i, why) => {
    latencies[i] = performance.now() - (start + i * interval);
    if (why) {
      failed++;
      failures[why] = (failures[why] ?? 0) + 1;
    }
    if (++done === total) finish();
  };

  // one read buffer for every socket (reads are handled one at a time) and one header buffer per
  // connection: reading answers allocates no Buffers, whose external memory would set off full GCs
  const readBuffer = Buffer.alloc(256 * 1024);
  const HEADER_MAX = 16 * 1024;
  const open = () => {
    const conn = { socket: undefined, current: -1, header: Buffer.alloc(HEADER_MAX), headerLength: 0, bodyLeft: -1, status: '' };
    const onRead = (n, buf) => {
      let at = 0;
      while (at < n && conn.current >= 0) {
        if (conn.bodyLeft < 0) {
          const take = Math.min(n - at, HEADER_MAX - conn.headerLength);
          buf.copy(conn.header, conn.headerLength, at, at + take);
          const searchFrom = Math.max(0, conn.headerLength - 3);
          conn.headerLength += take;
          const end = conn.header.subarray(0, conn.headerLength).indexOf('\r\n\r\n', searchFrom);
          if (end < 0) return void (at += take);
          const head = conn.header.toString('latin1', 0, end);
          conn.status = head.startsWith('HTTP/1.1 2') ? '' : head.slice(0, head.indexOf('\r\n'));
          conn.bodyLeft = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
          // bytes of this read past the header belong to the body
          at += take - (conn.headerLength - (end + 4));
          conn.headerLength = 0;
        }
        const body = Math.min(conn.bodyLeft, n - at);
        conn.bodyLeft -= body;
        at += body;
        if (conn.bodyLeft === 0) {
          const i = conn.current;
          conn.current = -1;
          conn.bodyLeft = -1;
          answered(i, conn.status || undefined);
          next(conn);
        }
      }
    };
    const socket = connect({ host: hostname, port, noDelay: true, onread: { buffer: readBuffer, callback: onRead } });
    conn.socket = socket;
    live.add(conn);
    const lost = () => {
      live.delete(conn);
      if (closing) return;
      if (conn.current >= 0) answered(conn.current, 'connection lost');
      conn.current = -1;
      const at = idle.indexOf(conn);
      if (at >= 0) idle.splice(at, 1);
      if (done < total) next(open());
    };
    socket.on('error', () => {});
    socket.on('close', lost);
    socket.once('connect', () => next(conn));
    return conn;
  };

  const send = (conn, i) => {
    conn.current = i;
    conn.socket.write(requests[i]);
  };
  const next = (conn) => {
    if (queue.length) send(conn, queue.shift());
    else idle.push(conn);
  };
  // round-robin, so no connection sits idle long enough for the server's keep-alive timeout to
  // close it under a request being written
  const take = () => idle.shift();

  const tick = () => {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    for (; sent < due; sent++) {
      const conn = take();
      if (conn) send(conn, sent);
      else queue.push(sent);
    }
    if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
  };

  for (let c = 0; c < connections; c++) open();
  return new Promise((resolve) => {
    // every connection is open before the clock starts
    const ready = () => {
      if (idle.length < connections) return void setTimeout(ready, 5);
      start = performance.now();
      tick();
    };
    ready();
    finished.then(() => {
      closing = true;
      for (const c of live) c.socket.destroy();
      resolve({ latencies, failed, failures, seconds: (performance.now() - start) / 1000, cpuMs: 0 });
    });
  });
}

/** CPU time (ms) of the calling thread, from /proc (Linux); NaN elsewhere */
function threadCpuMs() {
  try {
    const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

if (!isMainThread && workerData?.paced) {
  const before = threadCpuMs();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const gc = { gcOver5Ms: 0, gcMaxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration > 5) gc.gcOver5Ms++;
      gc.gcMaxMs = Math.max(gc.gcMaxMs, e.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  loop.enable();
  run(workerData.paced).then((result) => {
    result.cpuMs = threadCpuMs() - before;
    loop.disable();
    observer.disconnect();
    // the histogram counts its own 10 ms sampling interval in every delay
    result.stall = { loopDelayMaxMs: Math.max(0, loop.max / 1e6 - 10), ...gc };
    parentPort.postMessage(result, [result.latencies.buffer]);
  });
}

/** the q-quantile (0…1) of unsorted samples */
export function quantile(samples, q) {
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

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
// Raw keep-alive sockets and pre-built request bytes keep the generator's own CPU small (it shares
// the machine with the server); answers are framed by Content-Length, one request per connection
// at a time.
import { connect } from 'node:net';

/**
 * @param {{ url: string, path: string, rate: number, seconds: number, connections?: number,
 *   headers?: Record<string, string>, body: (i: number) => string }} o
 * @returns {Promise<{ latencies: Float64Array, failed: number, seconds: number }>} latencies in ms, in schedule order
 */
export function paced(o) {
  const { hostname, port } = new URL(o.url);
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const head = Object.entries({ host: `${hostname}:${port}`, 'content-type': 'application/json', ...o.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const latencies = new Float64Array(total);
  const queue = []; // due request indices no connection was free for
  const idle = [];
  let sent = 0;
  let done = 0;
  let failed = 0;
  let start = 0;
  let closing = false;
  const live = new Set();
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));

  const answered = (i, ok) => {
    latencies[i] = performance.now() - (start + i * interval);
    if (!ok) failed++;
    if (++done === total) finish();
  };

  const open = () => {
    const socket = connect({ host: hostname, port: Number(port), noDelay: true });
    const conn = { socket, current: -1, chunks: [], size: 0 };
    live.add(conn);
    socket.on('data', (chunk) => {
      conn.chunks.push(chunk);
      conn.size += chunk.length;
      const buf = conn.chunks.length === 1 ? chunk : Buffer.concat(conn.chunks);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const header = buf.toString('latin1', 0, end);
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(header)?.[1] ?? 0);
      if (conn.size < end + 4 + length) return;
      const i = conn.current;
      conn.current = -1;
      conn.chunks = [];
      conn.size = 0;
      answered(i, header.startsWith('HTTP/1.1 2'));
      next(conn);
    });
    const lost = () => {
      live.delete(conn);
      if (closing) return;
      if (conn.current >= 0) answered(conn.current, false);
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
    const body = o.body(i);
    conn.current = i;
    conn.socket.write(`POST ${o.path} HTTP/1.1\r\n${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  const next = (conn) => {
    if (queue.length) send(conn, queue.shift());
    else idle.push(conn);
  };

  const tick = () => {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    for (; sent < due; sent++) {
      const conn = idle.pop();
      if (conn) send(conn, sent);
      else queue.push(sent);
    }
    if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
  };

  const connections = o.connections ?? 64;
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
      resolve({ latencies, failed, seconds: (performance.now() - start) / 1000 });
    });
  });
}

/** the q-quantile (0…1) of unsorted samples */
export function quantile(samples, q) {
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Per-thread diagnostics for benchmarks, off unless the process runs with `SLOTWISE_DIAGNOSTICS=1`
 * (then `GET /v1/diagnostics` answers them, http/app.ts). What a latency tail is made of, per
 * interval between two readings: how late the thread's event loop ran (a stall of any cause: a
 * long task, a GC pause, the CPU taken by another process), and the thread's own GC pauses.
 * Each reading starts the next interval, so a benchmark reads once per run and compares runs.
 *
 * @example
 * const probe = createThreadProbe();
 * // … load …
 * probe.take(); // { loopDelayMaxMs: 3.1, loopDelayP99Ms: 1.2, gc: { count: 41, major: 0, over5Ms: 0, maxMs: 2.2, totalMs: 38 }, oldSpaceMb: 31 }
 */
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

export interface ThreadStats {
  /** the longest the event loop was late, and its 99th percentile (sampled every 10 ms) */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  /** GC pauses of this thread's heap: all, major (mark-compact), longer than 5 ms, the longest, their sum */
  gc: { count: number; major: number; over5Ms: number; maxMs: number; totalMs: number };
  /** what the old generation holds now: survivors and promoted garbage until the next major GC */
  oldSpaceMb: number;
}

export interface ThreadProbe {
  /** the interval since the last `take()` (or since the probe started) */
  take(): ThreadStats;
  stop(): void;
}

/** Whether diagnostics were asked for (read when a server or thread starts, never at import). */
export const diagnosticsEnabled = (): boolean => process.env.SLOTWISE_DIAGNOSTICS === '1';

const round = (x: number) => Math.round(x * 100) / 100;

export function createThreadProbe(): ThreadProbe {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const gc = { count: 0, major: 0, over5Ms: 0, maxMs: 0, totalMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
      if (e.duration > 5) gc.over5Ms++;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
      gc.totalMs += e.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    take() {
      const out: ThreadStats = {
        // the histogram is in ns and counts the sampling interval itself in every delay
        loopDelayMaxMs: round(Math.max(0, loop.max / 1e6 - 10)),
        loopDelayP99Ms: round(Math.max(0, loop.percentile(99) / 1e6 - 10)),
        gc: { ...gc, maxMs: round(gc.maxMs), totalMs: round(gc.totalMs) },
        oldSpaceMb: round((getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0) / 2 ** 20),
      };
      loop.reset();
      Object.assign(gc, { count: 0, major: 0, over5Ms: 0, maxMs: 0, totalMs: 0 });
      return out;
    },
    stop() {
      loop.disable();
      observer.disconnect();
    },
  };
}

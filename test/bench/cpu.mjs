// CPU time of a server process per thread, from /proc (Linux): what a request or an event costs
// the server whatever else the machine is doing, which wall-clock figures on a shared host cannot say.
import { readdirSync, readFileSync } from 'node:fs';

/** user + system CPU time (ms) of one /proc stat file */
const ticks = (stat) => {
  const f = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};

/**
 * CPU time (ms) of process `pid`: all threads, the main (HTTP) thread, and each thread by id with
 * its name (`comm`: Node names its worker threads, so the engine shows apart from the writer).
 * `undefined` where /proc is missing.
 * @returns {{ pid: string, all: number, main: number, threads: Map<string, { ms: number, name: string }> } | undefined}
 */
export function cpuOf(pid) {
  try {
    const threads = new Map();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        threads.set(tid, { ms: ticks(`/proc/${pid}/task/${tid}/stat`), name });
      } catch {
        // the thread ended meanwhile
      }
    }
    return { pid: String(pid), all: ticks(`/proc/${pid}/stat`), main: threads.get(String(pid))?.ms ?? Number.NaN, threads };
  } catch {
    return undefined;
  }
}

/**
 * Per unit of work between two `cpuOf` readings: the main thread, the busiest other thread, all.
 * @returns {{ main: number, busiest: number, busiestName: string, all: number } | undefined}
 */
export function cpuPer(before, after, units) {
  if (!before || !after || !units) return undefined;
  let busiest = 0;
  let busiestName = '';
  for (const [tid, t] of after.threads) {
    if (tid === after.pid) continue;
    const ms = t.ms - (before.threads.get(tid)?.ms ?? 0);
    if (ms > busiest) [busiest, busiestName] = [ms, t.name];
  }
  return { main: (after.main - before.main) / units, busiest: busiest / units, busiestName, all: (after.all - before.all) / units };
}

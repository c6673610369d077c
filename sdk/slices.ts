/**
 * Work in slices. What a burst of `track()` calls causes — building the envelopes (middleware,
 * listeners), serialising, journaling, starting the IndexedDB writes — is done in slices that end
 * on a time budget (queue.ts), and the next slice waits for `pause()`, so the browser handles
 * input and paints between two slices. The clock is read once per event (`Date.now`, ~0.1 µs
 * against the few µs an event costs). The first slice runs at the end of the task that tracked (a
 * microtask): a small burst is written before anything else can run. The price: until its slice,
 * an event of a large burst is in memory only; `pagehide` builds, writes (and beacons) all that
 * waits at once, but a renderer killed without one between two slices loses what had not been
 * sliced yet.
 */

/**
 * Milliseconds a slice may run: its journal record and the write's structured clone come on top
 * (~1–2 ms for a full slice), so a slice stays within ~8 ms and fits in a 16 ms frame beside the
 * frame's own work.
 */
export const SLICE_MS = 6;

/**
 * Calls the first slice after a task takes at least, past its budget: the slice that runs in a
 * microtask at the end of the task that tracked is the last moment a page surely gets before a
 * navigation it started (a form's submit, a reload). What it leaves for later slices is saved at
 * `pagehide` only, and what a page does at `pagehide` does not always reach storage
 * (test/e2e/unload-burst.test.ts: 200 events tracked and a reload at once lost 86–114 of them in
 * 2 of 5 runs when the budget cut the first slice at ~100 on a loaded machine). A few hundred
 * events cost 2–4 ms to build and journal; only a burst larger than this leaves events at risk
 * between two slices.
 */
export const FIRST_SLICE = 256;

/**
 * Yields to the browser: `scheduler.yield()` where it exists (the continuation runs before other
 * queued tasks, after input), else a new task (`setTimeout`), which lets pending input and a frame
 * go first.
 */
export const pause = (): Promise<unknown> =>
  (globalThis as { scheduler?: { yield?(): Promise<void> } }).scheduler?.yield?.() ?? new Promise((r) => setTimeout(r));

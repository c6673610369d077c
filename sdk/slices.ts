/**
 * Work in slices. What a burst of `track()` calls causes — serialising, journaling, starting the
 * IndexedDB writes — is done in steps (queue.ts), a slice of steps at a time: a slice ends once
 * `SLICE_MS` have passed, and the next waits for `pause()`, so the browser handles input and paints
 * between two slices. The first slice runs at the end of the task that tracked (a microtask), as
 * the whole burst used to: a small burst is written before anything else can run.
 */

/**
 * Events per slice: one request's worth at most, and ~1–3 ms of serialising and journaling for
 * events of a few hundred bytes (Chromium, this project's 2-core host): within the ~8 ms a slice
 * may take, so a slice and a frame's own work fit in one 16 ms frame.
 */
export const SLICE_EVENTS = 250;

/**
 * Yields to the browser: `scheduler.yield()` where it exists (the continuation runs before other
 * queued tasks, after input), else a new task (`setTimeout`), which lets pending input and a frame
 * go first.
 */
export const pause = (): Promise<unknown> =>
  (globalThis as { scheduler?: { yield?(): Promise<void> } }).scheduler?.yield?.() ?? new Promise((r) => setTimeout(r));

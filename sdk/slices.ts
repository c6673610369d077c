/**
 * Work in slices. What a burst of `track()` calls causes — serialising, journaling, starting the
 * IndexedDB writes — is done in slices of at most `SLICE_EVENTS` events (queue.ts), and the next
 * slice waits for `pause()`, so the browser handles input and paints between two slices. Slices are
 * sized by count, not timed: a clock check per event did not fit the core's byte budget. The first
 * slice runs at the end of the task that tracked (a microtask), as the whole burst used to: a small
 * burst is written before anything else can run. The price: until its slice, an event of a large
 * burst is in memory only; `pagehide` writes (and beacons) all that waits at once, but a renderer
 * killed without one between two slices loses what had not been sliced yet.
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

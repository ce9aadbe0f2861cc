/**
 * Attempt timeouts without an `AbortController` or a timer per request: at
 * high rates both are a measurable share of the client's cost. Attempts
 * that start within the same {@linkcode TICK_MS} window with the same
 * timeout share one signal, which aborts once the last of them is due; one
 * shared, unref'd ticker checks the windows (pending requests keep the
 * process alive, not their deadlines) and stops itself once none is left.
 * A deadline fires within two ticks after it is due.
 *
 * @module
 */

/** How often pending deadlines are checked, and how wide a window is. */
export const TICK_MS = 20;

interface Window {
  at: number;
  controller: AbortController;
}

const windows = new Map<string, Window>();
let last: { ms: number; slot: number; window: Window } | undefined;
let ticker: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  if (windows.size === 0) {
    clearInterval(ticker);
    ticker = undefined;
    return;
  }
  const now = performance.now();
  for (const [key, window] of windows) {
    if (window.at <= now) {
      windows.delete(key);
      window.controller.abort();
    }
  }
}

/**
 * A signal that aborts once `ms` milliseconds have passed (and at most two
 * ticks more), shared with the attempts that start in the same window.
 */
export function deadlineSignal(ms: number): AbortSignal {
  const now = performance.now();
  const slot = Math.floor(now / TICK_MS);
  // Most attempts share the timeout and window of the one before.
  if (last !== undefined && last.ms === ms && last.slot === slot) {
    return last.window.controller.signal;
  }
  const key = `${ms} ${slot}`;
  let window = windows.get(key);
  if (window === undefined) {
    window = {
      at: (slot + 1) * TICK_MS + ms,
      controller: new AbortController(),
    };
    windows.set(key, window);
    if (ticker === undefined) {
      const started = setInterval(tick, TICK_MS);
      Deno.unrefTimer(started);
      ticker = started;
    }
  }
  last = { ms, slot, window };
  return window.controller.signal;
}

/**
 * Attempt timeouts without a timer per request. Each attempt has its own
 * {@linkcode Deadline}; attempts that start within the same
 * {@linkcode TICK_MS} window with the same timeout are held by one window,
 * only while they are in flight, and aborted together once the last of them
 * is due. One shared, unref'd ticker checks the windows (pending requests
 * keep the process alive, not their deadlines) and stops itself once none is
 * left. A deadline fires within two ticks after it is due.
 *
 * Why not one signal per window: `fetch` links a dependent signal to the
 * signal it is given, and the given signal keeps a `WeakRef` to each. A
 * window's signal lived as long as the timeout (30 s by default): signals
 * kept that long cost 8-16% of a loopback request's time at concurrency 64
 * in probes, where a signal per attempt cost nothing measurable
 * (`docs/benchmarks_history.md`, "Fewer headers, and a timeout signal per
 * attempt").
 *
 * @module
 */

/** How often pending deadlines are checked, and how wide a window is. */
export const TICK_MS = 20;

/** The timeout of one attempt: abort it through its signal. */
export class Deadline extends AbortController {
  #window: Window;

  /** Starts in `window`, which holds it until {@linkcode Deadline.release}. */
  constructor(window: Window) {
    super();
    this.#window = window;
    window.pending.add(this);
  }

  /** The attempt is over: its window lets go of it. */
  release(): void {
    this.#window.pending.delete(this);
  }
}

interface Window {
  at: number;
  pending: Set<Deadline>;
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
      for (const deadline of window.pending) deadline.abort();
      window.pending.clear();
    }
  }
}

/**
 * A deadline that aborts once `ms` milliseconds have passed (and at most two
 * ticks more). Call {@linkcode Deadline.release} when the attempt is over.
 */
export function startDeadline(ms: number): Deadline {
  const now = performance.now();
  const slot = Math.floor(now / TICK_MS);
  // Most attempts share the timeout and window of the one before.
  if (last !== undefined && last.ms === ms && last.slot === slot) {
    return new Deadline(last.window);
  }
  const key = `${ms} ${slot}`;
  let window = windows.get(key);
  if (window === undefined) {
    window = { at: (slot + 1) * TICK_MS + ms, pending: new Set() };
    windows.set(key, window);
    if (ticker === undefined) {
      const started = setInterval(tick, TICK_MS);
      Deno.unrefTimer(started);
      ticker = started;
    }
  }
  last = { ms, slot, window };
  return new Deadline(window);
}

/**
 * Attempt timeouts on one shared ticker instead of a timer per request: at
 * high concurrency a `setTimeout`/`clearTimeout` pair per attempt is a
 * measurable share of the client's cost. A deadline fires within
 * {@linkcode TICK_MS} after it is due. The ticker is unref'd (pending
 * requests keep the process alive, not their deadlines) and stops itself
 * once a tick finds nothing pending.
 *
 * @module
 */

/** How often pending deadlines are checked. */
export const TICK_MS = 20;

interface Deadline {
  at: number;
  expire: () => void;
}

const pending = new Set<Deadline>();
let ticker: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  if (pending.size === 0) {
    clearInterval(ticker);
    ticker = undefined;
    return;
  }
  const now = performance.now();
  for (const entry of pending) {
    if (entry.at <= now) {
      pending.delete(entry);
      entry.expire();
    }
  }
}

/**
 * Calls `expire` once `ms` milliseconds have passed, unless the returned
 * function is called first.
 */
export function deadline(ms: number, expire: () => void): () => void {
  const entry: Deadline = { at: performance.now() + ms, expire };
  pending.add(entry);
  if (ticker === undefined) {
    const started = setInterval(tick, TICK_MS);
    Deno.unrefTimer(started);
    ticker = started;
  }
  return () => pending.delete(entry);
}

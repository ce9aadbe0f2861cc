/**
 * The retry policy: which failures are retried, and how long to wait first.
 * Waits grow from about half a second, doubling, to about eight, with
 * jitter; a server's `Retry-After-Ms` or `Retry-After` wins, up to a minute.
 *
 * @example
 * ```ts
 * import { backoffDelay, retryAfterMs } from "./retry.ts";
 *
 * console.assert(backoffDelay(0) <= 500 && backoffDelay(10) <= 8_000);
 * console.assert(retryAfterMs(new Headers({ "retry-after": "2" })) === 2_000);
 * ```
 *
 * @module
 */

/** How long to wait between attempts. */
export interface BackoffOptions {
  /**
   * The wait before the first retry, before jitter.
   *
   * @default {500}
   */
  initialDelayMs?: number;
  /**
   * The longest wait, before jitter.
   *
   * @default {8000}
   */
  maxDelayMs?: number;
}

/** The longest wait a server's `Retry-After` may impose. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The wait before retry number `attempt + 1`: exponential, capped, and
 * lowered by up to a quarter at random so that clients do not retry in step.
 *
 * @param attempt How many attempts have failed, minus one (0 for the first).
 * @param options The initial and largest delay.
 * @returns Milliseconds to wait.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./retry.ts";
 *
 * const delay = backoffDelay(2, { initialDelayMs: 100 });
 * console.assert(delay > 300 && delay <= 400);
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
): number {
  const initial = options.initialDelayMs ?? 500;
  const max = options.maxDelayMs ?? 8_000;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return base * (1 - Math.random() * 0.25);
}

/**
 * The wait a response asks for: `Retry-After-Ms`, else `Retry-After` in
 * seconds or as an HTTP date, capped at a minute. A wait of zero or less, a
 * date in the past, or a value that is not one of these names no wait: the
 * caller's own backoff applies, so a server cannot make it retry in a loop.
 *
 * @param headers The response headers.
 * @param now The current time, for HTTP dates.
 * @returns Milliseconds, or `undefined` when the response names no usable wait.
 *
 * @example
 * ```ts
 * import { retryAfterMs } from "./retry.ts";
 *
 * console.assert(retryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" })) === 250);
 * console.assert(retryAfterMs(new Headers({ "retry-after": "0" })) === undefined);
 * console.assert(retryAfterMs(new Headers()) === undefined);
 * ```
 */
export function retryAfterMs(
  headers: Headers,
  now: number = Date.now(),
): number | undefined {
  const ms = headers.get("retry-after-ms")?.trim();
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) {
    return usable(Number(ms));
  }
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return usable(Number(value) * 1000);
  // An HTTP date names a weekday; Date.parse alone would take "1" or "5 x".
  if (!/^[a-z]{3}, /i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : usable(date - now);
}

function usable(ms: number): number | undefined {
  return ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

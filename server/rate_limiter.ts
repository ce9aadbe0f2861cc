/**
 * A per-key rate limit (a token bucket), for log lines per tenant.
 *
 * @module
 */

import { tooManyRequests } from "./http_error.ts";

/**
 * Allows `perMinute` units a minute per key, in bursts of up to a minute's
 * worth. A batch is taken whole while the key has any allowance left, which
 * may leave it in debt: a batch larger than the allowance still goes through
 * once, and the debt is paid off before the next. A key with none left is
 * refused with 429 and a `Retry-After` of when it will have some again.
 */
export class RateLimiter {
  readonly #perMs: number;
  readonly #capacity: number;
  readonly #what: string;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /**
   * @param perMinute The allowance a minute.
   * @param what What is counted, for the 429's message, such as "log lines".
   */
  constructor(perMinute: number, what: string) {
    this.#capacity = perMinute;
    this.#perMs = perMinute / 60_000;
    this.#what = what;
  }

  /**
   * Takes `count` units from `key`'s allowance.
   *
   * @param key Whose allowance, such as a tenant id.
   * @param count How many units.
   * @throws {HttpError} 429 with `Retry-After` when `key` has none left.
   */
  take(key: string, count: number): void {
    const now = performance.now();
    const bucket = this.#buckets.get(key) ??
      { tokens: this.#capacity, at: now };
    bucket.tokens = Math.min(
      this.#capacity,
      bucket.tokens + (now - bucket.at) * this.#perMs,
    );
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens <= 0) {
      throw tooManyRequests(
        `Over the limit of ${this.#capacity} ${this.#what} a minute: retry after the time in Retry-After`,
        (1 - bucket.tokens) / this.#perMs,
      );
    }
    bucket.tokens -= count;
  }
}

/**
 * A per-key rate limit (a token bucket), for log lines per tenant.
 *
 * @module
 */

import { tooManyRequests } from "./http_error.ts";

/**
 * Allows `perMinute` units a minute per key, in bursts of up to a minute's
 * worth. A batch is taken whole or refused whole, with 429 and a
 * `Retry-After` of when the allowance will cover it. A batch larger than a
 * minute's worth goes through on a full allowance and leaves a debt that
 * the next batch waits out.
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
    const needed = Math.min(count, this.#capacity);
    if (bucket.tokens < needed) {
      throw tooManyRequests(
        `Over the limit of ${this.#capacity} ${this.#what} a minute: retry after the time in Retry-After`,
        (needed - bucket.tokens) / this.#perMs,
      );
    }
    bucket.tokens -= count;
  }
}

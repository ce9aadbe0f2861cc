/**
 * The one whole-number rule of the SDK, the server and the CLI: a safe
 * integer inside bounds. Each caller keeps its own error class and wording
 * (a `ConfigError`, an `InvalidArgumentError`, a 400, a usage error) by
 * handing in how to fail, so the rule itself is written once.
 *
 * @example
 * ```ts
 * import { checkWholeNumber } from "./whole_number.ts";
 *
 * const retries = checkWholeNumber(3, {
 *   min: 0,
 *   fail: (expected) => new RangeError(`retries must be ${expected}`),
 * });
 * console.assert(retries === 3);
 * ```
 *
 * @module
 */

/** The bounds of a whole number, and how to refuse one outside them. */
export interface WholeNumberRule {
  /** The smallest value allowed. */
  min: number;
  /**
   * The largest value allowed; without it, any safe integer from `min` up.
   */
  max?: number;
  /**
   * Makes the error to throw; `expected` says what was wanted:
   * `a whole number from 1 to 500` with a `max`, else
   * `a whole number of at least 0`.
   */
  fail(expected: string): Error;
}

/**
 * Returns `value` when it is a safe integer from `min` to `max`.
 *
 * @param value What the caller gave.
 * @param rule The bounds and the error to throw.
 * @throws The error `rule.fail` makes, when `value` is anything else.
 */
export function checkWholeNumber(
  value: unknown,
  rule: WholeNumberRule,
): number {
  const { min, max } = rule;
  if (
    typeof value !== "number" || !Number.isSafeInteger(value) || value < min ||
    (max !== undefined && value > max)
  ) {
    throw rule.fail(
      max === undefined
        ? `a whole number of at least ${min}`
        : `a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

/**
 * Which results a state may carry: JSON values of at most
 * {@linkcode MAX_RESULT_BYTES}.
 *
 * @module
 */

/**
 * The largest result, as JSON text in UTF-8, that a run's final state
 * carries (and that a task caches): 64 KiB. A larger result is still
 * returned to the caller, but not stored.
 *
 * @example
 * ```ts
 * import { MAX_RESULT_BYTES } from "./storable_result.ts";
 *
 * console.assert(MAX_RESULT_BYTES === 65_536);
 * ```
 */
export const MAX_RESULT_BYTES = 64 * 1024;

/** The server refuses JSON nested deeper than 64 levels; the state adds two. */
const MAX_DEPTH = 60;

/**
 * Whether `value` is plain JSON (null, booleans, finite numbers, strings,
 * arrays, plain objects) that fits in {@linkcode MAX_RESULT_BYTES}: a `Date`,
 * `Map`, class instance, `undefined`, `BigInt` or cycle is not, so that what
 * comes back from the server is always what was returned.
 */
export function isStorableResult(value: unknown): boolean {
  if (!isJson(value, 0, new Set())) return false;
  const text = JSON.stringify(value);
  return text.length * 3 <= MAX_RESULT_BYTES ||
    new TextEncoder().encode(text).length <= MAX_RESULT_BYTES;
}

function isJson(value: unknown, depth: number, seen: Set<object>): boolean {
  if (value === null || typeof value === "string") return true;
  if (typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || depth > MAX_DEPTH || seen.has(value)) {
    return false;
  }
  seen.add(value);
  let ok: boolean;
  if (Array.isArray(value)) {
    ok = value.every((item) => isJson(item, depth + 1, seen));
  } else {
    const prototype = Object.getPrototypeOf(value);
    ok = (prototype === Object.prototype || prototype === null) &&
      Object.values(value).every((item) => isJson(item, depth + 1, seen));
  }
  seen.delete(value);
  return ok;
}

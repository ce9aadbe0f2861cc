/**
 * {@linkcode redactHeaders}: headers as a record fit for a log, with every
 * credential-bearing header shown as `***`.
 *
 * @example
 * ```ts
 * import { redactHeaders } from "./redact.ts";
 *
 * const shown = redactHeaders(new Headers({ authorization: "Bearer secret", accept: "application/json" }));
 * console.assert(shown.authorization === "***" && shown.accept === "application/json");
 * ```
 *
 * @module
 */

/** Shown in place of every secret. */
export const REDACTED = "***";

const SENSITIVE = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-auth-token",
  "private-token",
]);
/** Any name that looks like it carries a credential. */
const SENSITIVE_PART = /token|secret|key|password|session|auth|cookie/;

/** Whether a header's value must not be shown, by its lower-case name. */
export function isSensitiveHeader(lower: string): boolean {
  return SENSITIVE.has(lower) || SENSITIVE_PART.test(lower);
}

/**
 * Copies headers into a record, with credential-bearing values replaced.
 *
 * @param headers The headers to show.
 * @returns Lower-case names and safe values.
 *
 * @example
 * ```ts
 * import { redactHeaders } from "./redact.ts";
 *
 * console.assert(redactHeaders(new Headers({ cookie: "s=1" })).cookie === "***");
 * ```
 */
export function redactHeaders(
  headers: Headers | Readonly<Record<string, string>>,
): Record<string, string> {
  const shown: Record<string, string> = {};
  const entries = headers instanceof Headers
    ? headers.entries()
    : Object.entries(headers);
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    shown[lower] = isSensitiveHeader(lower) ? REDACTED : value;
  }
  return shown;
}

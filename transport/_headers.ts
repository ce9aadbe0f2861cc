/**
 * Header checks shared by every place a header value enters the client: the
 * runtime's own error would quote the value, which may be a credential.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";

/** RFC 9110 field values: visible characters, spaces and tabs, no line breaks. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** RFC 9110 tokens, as header names and methods are. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Throws an {@linkcode InvalidArgumentError} naming the header, never quoting
 * the value, when `value` cannot be sent as a header value.
 */
export function checkHeaderValue(
  name: string,
  value: string,
  origin: string,
): void {
  if (!FIELD_VALUE.test(value)) {
    throw new InvalidArgumentError(
      `Invalid value of header ${name} (${origin}): a header value must be one line of visible characters`,
    );
  }
}

/**
 * Sets headers of any form into a record, by lower-case name, after checking
 * each name and value.
 */
export function mergeHeaders(
  target: Record<string, string>,
  headers: HeadersInit,
  origin: string,
): void {
  const entries = headers instanceof Headers
    ? headers.entries()
    : Array.isArray(headers)
    ? headers.values()
    : Object.entries(headers);
  for (const entry of entries) {
    const [name, value] = entry as [unknown, unknown];
    if (typeof name !== "string" || !HTTP_TOKEN.test(name)) {
      throw new InvalidArgumentError(
        `Invalid header name (${origin}): a name must be an HTTP token such as X-Trace-Id`,
      );
    }
    const text = String(value).trim();
    checkHeaderValue(name, text, origin);
    target[name.toLowerCase()] = text;
  }
}

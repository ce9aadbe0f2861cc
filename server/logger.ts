/**
 * A tiny line logger to stderr. Callers pass only what is safe to print:
 * never a header value, a body or a secret. Control characters are escaped,
 * so a request path with `%0A` in it cannot forge a log line.
 *
 * @module
 */

import { escapeControl } from "../escape.ts";

/** Where the server writes its log lines. */
export interface Logger {
  /** Writes one line. */
  log(message: string): void;
}

const encoder = new TextEncoder();

/** Writes lines to stderr. */
export const stderrLogger: Logger = {
  log(message: string): void {
    Deno.stderr.writeSync(encoder.encode(escapeControl(message) + "\n"));
  },
};

/** Drops every line. */
export const quietLogger: Logger = { log(): void {} };

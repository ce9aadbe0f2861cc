/**
 * A tiny line logger to stderr. Callers pass only what is safe to print:
 * never a header value, a body or a secret. Control characters are escaped,
 * so a request path with `%0A` in it cannot forge a log line.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { escapeControl } from "../escape.ts";

/** Where the server writes its log lines. */
export interface Logger {
  /** Writes one line. */
  log(message: string): void;
}

const encoder = new TextEncoder();
/** Flushed at once past this many characters: the buffer stays small. */
const MAX_PENDING = 16_384;
let pending = "";
let scheduled = false;

/** Writes the lines logged so far, in one write. */
function flush(): void {
  scheduled = false;
  if (pending === "") return;
  const text = pending;
  pending = "";
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(Deno.stderr.writeSync(bytes));
}

// Every exit but a crash of the process (Deno.exit, the end of the script)
// writes what is pending.
globalThis.addEventListener("unload", flush);

/**
 * Writes lines to stderr: the lines of one turn of the event loop go out
 * together, after it (an access log line per request cost a system call
 * per request), and at once past 16 KiB or on exit.
 */
export const stderrLogger: Logger = {
  log(message: string): void {
    pending += escapeControl(message) + "\n";
    if (pending.length > MAX_PENDING) {
      flush();
    } else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  },
};

/** Drops every line. */
export const quietLogger: Logger = { log(): void {} };

/**
 * {@linkcode truncateMessage}: the one rule for log messages that are too
 * long, shared by the client's log writer and the reference server, so a
 * message cut by one is never cut again by the other.
 *
 * @example
 * ```ts
 * import { truncateMessage } from "./truncate_message.ts";
 *
 * const cut = truncateMessage("x".repeat(100), 40);
 * console.assert(cut === "x".repeat(15) + "... [truncated 85 bytes]");
 * ```
 *
 * @module
 */

/** The longest log message, in UTF-8 bytes, that is kept whole. */
export const MAX_MESSAGE_BYTES = 32 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Cuts a message longer than `maxBytes` UTF-8 bytes at a character boundary
 * and appends `... [truncated N bytes]`, N being the bytes left out, so the
 * result is at most `maxBytes` bytes. A shorter message is returned as is.
 *
 * @param message The log message.
 * @param maxBytes The limit in UTF-8 bytes, at least 64.
 * @returns The message, whole or cut.
 *
 * @example
 * ```ts
 * import { truncateMessage } from "./truncate_message.ts";
 *
 * console.assert(truncateMessage("short") === "short");
 * ```
 */
export function truncateMessage(
  message: string,
  maxBytes: number = MAX_MESSAGE_BYTES,
): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most messages need no count.
  if (message.length * 3 <= maxBytes) return message;
  if (utf8Length(message) <= maxBytes) return message;
  const bytes = encoder.encode(message);
  // The marker is longest when it names every byte: reserve that much.
  let keep = maxBytes - marker(bytes.length).length;
  while (keep > 0 && (bytes[keep] & 0xc0) === 0x80) keep--;
  return decoder.decode(bytes.subarray(0, keep)) +
    marker(bytes.length - keep);
}

function marker(removed: number): string {
  return `... [truncated ${removed} bytes]`;
}

/** The UTF-8 length of a string, without encoding it. */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      length += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair: two units, four bytes.
      length += 2;
      i++;
    } else {
      length += 2;
    }
  }
  return length;
}

/**
 * Text from elsewhere made safe to show: {@linkcode escapeControl} for one
 * line of a terminal or a log file, {@linkcode escapeHtml} for HTML (the web
 * view and the notebook renderers share it).
 *
 * @example
 * ```ts
 * import { escapeControl } from "./escape.ts";
 *
 * console.assert(escapeControl("a\nb\x1b]52;c;AAAA\x07") === "a\\nb\\u001b]52;c;AAAA\\u0007");
 * console.assert(escapeControl("\x7f\x9b\u2028é") === "\\u007f\\u009b\\u2028é");
 * ```
 *
 * @module
 */

/**
 * Every control character (C0, DEL and C1: Unicode's `Cc`), and the line and
 * paragraph separators. Spelled as ranges: a `\p{Cc}` class costs about
 * 0.3 ms of every cold start to build.
 */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = {
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/**
 * Escapes control characters as `\n`, `\r`, `\t` or `\uXXXX`, and doubles
 * nothing else: a newline cannot start a forged log line, and an escape
 * sequence (such as an OSC 52 clipboard write) cannot reach the terminal.
 * Backslashes are left as they are, so the result is for reading, not for
 * parsing back.
 *
 * @param text Any text, such as a log message or a path from a request.
 * @returns The text with its control characters escaped.
 */
export function escapeControl(text: string): string {
  return text.replace(
    CONTROL,
    (char) =>
      NAMED[char] ??
        `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Escapes text for HTML.
 *
 * @param value Any value; `null` and `undefined` show as empty.
 * @returns Text safe inside an element or a quoted attribute.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./escape.ts";
 *
 * console.assert(escapeHtml("<b>&") === "&lt;b&gt;&amp;");
 * ```
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

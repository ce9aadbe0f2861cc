/**
 * Plain-text output of the command line: aligned tables, and server text
 * made safe for a terminal.
 *
 * @module
 */

import { escapeControl } from "../escape.ts";

/** Writes text somewhere: a stream, or a test's buffer. */
export type Output = (text: string) => void;

/**
 * Text for a terminal: any value as a string with its control characters
 * escaped, so text from the server (a log line, a name) cannot move the
 * cursor, retitle the window or write the clipboard.
 */
export function shown(value: unknown): string {
  return escapeControl(String(value));
}

/** Objects as aligned columns, every cell {@linkcode shown}; states show as their type. */
export function formatTable(
  items: readonly object[],
  columns: string[],
): string {
  if (items.length === 0) return "(none)";
  const cell = (item: object, column: string): string => {
    const value = (item as Record<string, unknown>)[column];
    if (typeof value === "object" && value !== null && "type" in value) {
      return shown((value as { type: unknown }).type);
    }
    return value === undefined || value === null ? "" : shown(value);
  };
  const rows = [
    columns,
    ...items.map((item) => columns.map((c) => cell(item, c))),
  ];
  const widths = columns.map((_, i) =>
    Math.max(...rows.map((row) => row[i].length))
  );
  return rows.map((row) =>
    row.map((value, i) => value.padEnd(widths[i])).join("  ").trimEnd()
  ).join("\n");
}

/**
 * Plain-text output of the command line: aligned tables.
 *
 * @module
 */

/** Writes text somewhere: a stream, or a test's buffer. */
export type Output = (text: string) => void;

/** Objects as aligned columns; states show as their type. */
export function formatTable(
  items: readonly object[],
  columns: string[],
): string {
  if (items.length === 0) return "(none)";
  const cell = (item: object, column: string): string => {
    const value = (item as Record<string, unknown>)[column];
    if (typeof value === "object" && value !== null && "type" in value) {
      return String((value as { type: unknown }).type);
    }
    return value === undefined || value === null ? "" : String(value);
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

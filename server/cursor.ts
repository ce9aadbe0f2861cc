/**
 * Opaque cursors for paged listings: base64url of the last item's sort key
 * and id. Callers must treat them as opaque; the format may change.
 *
 * @module
 */

import { invalidParameter } from "./http_error.ts";
import type { CursorPosition } from "./store.ts";
import { toBase64Url } from "./crypto_box.ts";

/** Encodes a position, or `null` for the last page. */
export function encodeCursor(position: CursorPosition | null): string | null {
  if (position === null) return null;
  return toBase64Url(
    new TextEncoder().encode(JSON.stringify([position.key, position.id])),
  );
}

/**
 * Decodes a cursor from a query parameter.
 *
 * @throws {HttpError} 400 `invalid_parameter` for anything it did not make.
 */
export function decodeCursor(
  text: string | undefined,
): CursorPosition | undefined {
  if (text === undefined) return undefined;
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) throw new Error();
    const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
    const value: unknown = JSON.parse(atob(base64));
    if (
      Array.isArray(value) && value.length === 2 &&
      Number.isSafeInteger(value[0]) && typeof value[1] === "string"
    ) {
      return { key: value[0], id: value[1] };
    }
  } catch {
    // Reported below, like every other malformed cursor.
  }
  throw invalidParameter("Query parameter cursor is not a valid cursor");
}

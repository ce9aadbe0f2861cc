/**
 * Reads an optional file without ever showing a permission prompt.
 *
 * @module
 */

/**
 * The file's text, or `undefined` where it is missing or may not be read
 * (no read permission, as on Deno Deploy).
 */
export function readTextFileIfPermitted(path: string): string | undefined {
  try {
    if (
      Deno.permissions.querySync({ name: "read", path }).state !== "granted"
    ) {
      return undefined;
    }
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

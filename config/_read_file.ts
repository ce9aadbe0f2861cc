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
    if (!mayRead(path)) return undefined;
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** Whether read permission for `path` is granted, without a prompt. */
export function mayRead(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "read", path }).state ===
      "granted";
  } catch {
    return false;
  }
}

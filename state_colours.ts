/**
 * One colour per state type, shared by the web view's timeline picture and
 * the notebook renderers' badges, so a state looks the same in both.
 *
 * @module
 */

/** A state type's colour, as a CSS hex colour; unknown types fall back to grey. */
export const STATE_COLOURS: Readonly<Record<string, string>> = {
  SCHEDULED: "#64748b",
  PENDING: "#d97706",
  RUNNING: "#2563eb",
  QUEUED: "#7c3aed",
  RETRYING: "#ea580c",
  SUCCESS: "#16a34a",
  FAILED: "#dc2626",
  CANCELLED: "#475569",
  CACHED: "#0d9488",
};

/**
 * Rich display in Deno's Jupyter kernel. Objects the client returns carry a
 * non-enumerable `Symbol.for("Jupyter.display")` method, so a notebook cell
 * that ends with a flow run, a task run, a state, a page of logs or a listing
 * shows a compact HTML table with coloured state badges, with a plain-text
 * form beside it. The method is invisible to `JSON.stringify`, equality
 * checks and spreading.
 *
 * @example
 * ```ts
 * import { JUPYTER_DISPLAY, renderState } from "./mod.ts";
 *
 * const bundle = renderState({ type: "RUNNING", timestamp: "2026-11-22T14:43:04Z" });
 * console.assert(bundle["text/plain"] === "RUNNING");
 * console.assert(typeof JUPYTER_DISPLAY === "symbol");
 * ```
 *
 * @module
 */

export { escapeHtml } from "../escape.ts";
export { JUPYTER_DISPLAY } from "./display.ts";
export {
  type MimeBundle,
  renderClient,
  renderFlowRun,
  renderListing,
  renderLogs,
  renderState,
  renderTaskRun,
  renderTimeline,
} from "./render.ts";
export {
  type ProgressDisplay,
  showProgress,
  type ShowProgressOptions,
} from "./show_progress.ts";

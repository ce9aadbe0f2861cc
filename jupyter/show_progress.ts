/**
 * {@linkcode showProgress}: a flow run's progress, redrawn in place in a
 * notebook cell.
 *
 * @module
 */

import { escapeHtml } from "../escape.ts";
import { type FlowRun, TERMINAL_STATE_TYPES } from "../api/mod.ts";
import { badge, duration, type MimeBundle, renderTimeline } from "./render.ts";

/** How {@linkcode showProgress} shows a bundle: Deno's `Deno.jupyter.display` shape. */
export type ProgressDisplay = (
  bundle: MimeBundle,
  options: { raw: true; display_id: string; update: boolean },
) => unknown;

/** Options of {@linkcode showProgress}. */
export interface ShowProgressOptions {
  /**
   * Shows each bundle. The first call creates the display, later calls have
   * `update: true` and the same `display_id`, so the notebook redraws one
   * output in place rather than adding one per poll.
   *
   * @default {`Deno.jupyter.display` in Deno's Jupyter kernel, else a plain-text line on standard output}
   */
  display?: ProgressDisplay;
  /**
   * The time now, for the time a run has been running.
   *
   * @default {Date.now}
   */
  now?: () => number;
}

/**
 * A progress display for `client.flowRuns.wait()`: pass it as `onProgress`,
 * and the cell shows one line that is redrawn after every poll, with the
 * run's state, how long it has been running (since it started, not since
 * the wait began), the states it went through and, once it ends, its final
 * message. `wait()` awaits each redraw, so the last one is shown before the
 * cell goes on. Outside a notebook it writes one plain-text line per poll.
 *
 * @param options Where to show it, and the clock.
 * @returns The `onProgress` callback.
 *
 * @example
 * ```ts
 * import { showProgress } from "./mod.ts";
 *
 * const shown: string[] = [];
 * const onProgress = showProgress({
 *   display: (bundle, { update }) => shown.push(`${update} ${bundle["text/plain"]}`),
 *   now: () => Date.parse("2026-11-22T14:43:06Z"),
 * });
 * const run = {
 *   id: "r1", flowId: "f1", name: "nightly", version: 3,
 *   state: { type: "RUNNING" as const, timestamp: "2026-11-22T14:43:04Z" },
 *   parameters: {}, context: {}, scheduledStartTime: "2026-11-22T14:43:00Z",
 *   createdAt: "", updatedAt: "", heartbeatAt: null,
 *   startTime: "2026-11-22T14:43:04Z", endTime: null, durationMs: null,
 * };
 * await onProgress(run);
 * console.assert(shown[0] === "false nightly RUNNING for 2.0 s");
 * ```
 */
export function showProgress(
  options: ShowProgressOptions = {},
): (run: FlowRun) => Promise<void> {
  const kernel = options.display === undefined ? kernelDisplay() : undefined;
  const display = options.display ?? kernel ?? printLine;
  const now = options.now ?? Date.now;
  const displayId = `runplane-progress-${crypto.randomUUID()}`;
  let shown = false;
  return async function progress(run: FlowRun): Promise<void> {
    const elapsed = run.durationMs ??
      (run.startTime === null ? null : now() - Date.parse(run.startTime));
    const running = elapsed === null ? "" : ` for ${duration(elapsed)}`;
    const message = run.state.message ? `: ${run.state.message}` : "";
    const bundle: MimeBundle = {
      "text/html": `<div style="font:13px system-ui,sans-serif"><b>${
        escapeHtml(run.name)
      }</b> ${badge(run.state.type)}${escapeHtml(running + message)}${
        run.history?.length ? renderTimeline(run.history) : ""
      }</div>`,
      "text/plain": `${run.name} ${run.state.type}${running}${message}`,
    };
    const update = shown;
    shown = true;
    await display(bundle, { raw: true, display_id: displayId, update });
    // Seen once in a loaded test run: the kernel reported the cell idle
    // before this last redraw was out, and the notebook kept the one before.
    if (kernel !== undefined && TERMINAL_STATE_TYPES.includes(run.state.type)) {
      await new Promise((resolve) => setTimeout(resolve, FINAL_REDRAW_MS));
    }
  };
}

/** How long the final redraw is given to reach the notebook before the cell ends. */
const FINAL_REDRAW_MS = 100;

/** `Deno.jupyter.display` in the kernel, else `undefined`. */
function kernelDisplay(): ProgressDisplay | undefined {
  const jupyter = (Deno as { jupyter?: { display: ProgressDisplay } }).jupyter;
  return jupyter?.display.bind(jupyter);
}

const encoder = new TextEncoder();

/** Outside a notebook: the plain text, one line per poll. */
const printLine: ProgressDisplay = (bundle) => {
  Deno.stdout.writeSync(encoder.encode(`${bundle["text/plain"]}\n`));
};

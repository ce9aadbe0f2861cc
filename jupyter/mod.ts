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

import { escapeHtml } from "../escape.ts";
import { STATE_COLOURS } from "../state_colours.ts";

export { escapeHtml };

import {
  type FlowRun,
  type LogEntry,
  type State,
  type TaskRun,
  TERMINAL_STATE_TYPES,
} from "../api/mod.ts";

/** The symbol Deno's Jupyter kernel calls to display a value. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for(
  "Jupyter.display",
) as never;

/** A MIME bundle: the HTML form and the plain-text form. */
export interface MimeBundle {
  /** Compact HTML. */
  "text/html": string;
  /** A plain-text summary. */
  "text/plain": string;
}

const TABLE = 'style="border-collapse:collapse;font:13px system-ui,sans-serif"';
const CELL =
  'style="padding:2px 8px;text-align:left;border-bottom:1px solid #e5e7eb"';

/**
 * Attaches a display method to a value, without making it enumerable.
 *
 * @ignore
 * @typeParam T The value's type.
 * @param value The object or array to make displayable.
 * @param render Turns the value into a MIME bundle when a notebook shows it.
 * @returns The same value.
 *
 * @example
 * ```ts
 * import { displayable, JUPYTER_DISPLAY, renderState } from "./mod.ts";
 *
 * const state = displayable({ type: "SUCCESS", timestamp: "2026-11-22T14:43:04Z" }, renderState);
 * console.assert(JSON.stringify(state) === '{"type":"SUCCESS","timestamp":"2026-11-22T14:43:04Z"}');
 * console.assert(typeof (state as Record<symbol, unknown>)[JUPYTER_DISPLAY] === "function");
 * ```
 */
export function displayable<T extends object>(
  value: T,
  render: (value: T) => MimeBundle,
): T {
  if (
    typeof value === "object" && value !== null && Object.isExtensible(value)
  ) {
    Object.defineProperty(value, JUPYTER_DISPLAY, {
      value: () => render(value),
      enumerable: false,
      configurable: true,
    });
  }
  return value;
}

function badge(type: string): string {
  const colour = STATE_COLOURS[type] ?? "#6b7280";
  return `<span style="background:${colour};color:#fff;border-radius:9px;padding:1px 8px;font-size:12px">${
    escapeHtml(type)
  }</span>`;
}

/** A duration such as `850 ms` or `12.4 s`; empty while unknown. */
function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function table(headers: string[], rows: string[][]): string {
  const head = headers.map((h) => `<th ${CELL}>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((row) =>
    `<tr>${row.map((cell) => `<td ${CELL}>${cell}</td>`).join("")}</tr>`
  ).join("");
  return `<table ${TABLE}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/**
 * A state as a coloured badge.
 *
 * @param state The state.
 * @returns The MIME bundle.
 *
 * @example
 * ```ts
 * import { renderState } from "./mod.ts";
 *
 * console.assert(renderState({ type: "FAILED", timestamp: "" })["text/html"].includes("FAILED"));
 * ```
 */
export function renderState(
  state: Pick<State, "type"> & Partial<State>,
): MimeBundle {
  const note = state.message ? ` ${escapeHtml(state.message)}` : "";
  return {
    "text/html": `${badge(state.type)}${note}`,
    "text/plain": state.message
      ? `${state.type}: ${state.message}`
      : state.type,
  };
}

/**
 * States oldest first, as a row of badges with their times.
 *
 * @param history The states.
 * @returns HTML.
 *
 * @example
 * ```ts
 * import { renderTimeline } from "./mod.ts";
 *
 * console.assert(renderTimeline([{ type: "SCHEDULED", timestamp: "t1" }, { type: "RUNNING", timestamp: "t2" }]).includes("&rarr;"));
 * ```
 */
export function renderTimeline(history: readonly State[]): string {
  return `<div style="font:12px system-ui,sans-serif">${
    history.map((state) =>
      `${badge(state.type)} <small style="color:#6b7280">${
        escapeHtml(state.timestamp?.slice(11, 19))
      }</small>`
    ).join(" &rarr; ")
  }</div>`;
}

/**
 * A flow run: name, state badge, version, flow, schedule, and its state
 * timeline when the run carries its history.
 *
 * @param run The flow run.
 * @returns The MIME bundle.
 *
 * @example
 * ```ts
 * import { renderFlowRun } from "./mod.ts";
 *
 * const bundle = renderFlowRun({
 *   id: "r1", flowId: "f1", name: "nightly", version: 2,
 *   state: { type: "RUNNING", timestamp: "2026-11-22T14:43:04Z" },
 *   parameters: {}, context: {}, scheduledStartTime: "2026-11-22T14:43:00Z",
 *   createdAt: "", updatedAt: "", heartbeatAt: null,
 *   startTime: "2026-11-22T14:43:04Z", endTime: null, durationMs: null,
 * });
 * console.assert(bundle["text/plain"].startsWith("FlowRun nightly"));
 * ```
 */
export function renderFlowRun(run: FlowRun): MimeBundle {
  const rows = [
    ["state", badge(run.state.type)],
    ["id", `<code>${escapeHtml(run.id)}</code>`],
    ["flow", `<code>${escapeHtml(run.flowId)}</code>`],
    ["version", escapeHtml(run.version)],
    ["scheduled", escapeHtml(run.scheduledStartTime)],
    ["started", escapeHtml(run.startTime ?? "")],
    ["duration", duration(run.durationMs)],
  ];
  const timeline = run.history?.length ? renderTimeline(run.history) : "";
  return {
    "text/html": `<div><b>${escapeHtml(run.name)}</b>${
      table(["", ""], rows)
    }${timeline}</div>`,
    "text/plain":
      `FlowRun ${run.name} (${run.id}) ${run.state.type}, version ${run.version}`,
  };
}

/**
 * A task run: task, map index, tags, state badge, version.
 *
 * @param run The task run.
 * @returns The MIME bundle.
 *
 * @example
 * ```ts
 * import { renderTaskRun } from "./mod.ts";
 *
 * const bundle = renderTaskRun({
 *   id: "t1", flowRunId: "r1", taskId: "train", mapIndex: -1, tags: ["gpu"], version: 1,
 *   state: { type: "QUEUED", timestamp: "" }, createdAt: "", updatedAt: "", heartbeatAt: null,
 *   startTime: null, endTime: null, durationMs: null,
 * });
 * console.assert(bundle["text/html"].includes("gpu"));
 * ```
 */
export function renderTaskRun(run: TaskRun): MimeBundle {
  return {
    "text/html": table(
      ["task", "map index", "tags", "state", "version", "duration"],
      [[
        `<code>${escapeHtml(run.taskId)}</code>`,
        escapeHtml(run.mapIndex),
        escapeHtml(run.tags.join(", ")),
        badge(run.state.type),
        escapeHtml(run.version),
        duration(run.durationMs),
      ]],
    ),
    "text/plain":
      `TaskRun ${run.taskId} (${run.id}) ${run.state.type}, version ${run.version}`,
  };
}

/**
 * Log lines as a table: time, level, message.
 *
 * @param entries The lines.
 * @returns The MIME bundle.
 *
 * @example
 * ```ts
 * import { renderLogs } from "./mod.ts";
 *
 * const bundle = renderLogs([{ id: "1", flowRunId: "r1", taskRunId: null, level: "INFO", message: "<ok>", timestamp: "2026-11-22T14:43:04Z", createdAt: "" }]);
 * console.assert(bundle["text/html"].includes("&lt;ok&gt;"));
 * ```
 */
export function renderLogs(entries: readonly LogEntry[]): MimeBundle {
  return {
    "text/html": table(
      ["time", "level", "message"],
      entries.map((entry) => [
        escapeHtml(entry.timestamp),
        escapeHtml(entry.level),
        escapeHtml(entry.message),
      ]),
    ),
    "text/plain": entries.map((entry) =>
      `${entry.timestamp} ${entry.level} ${entry.message}`
    ).join("\n"),
  };
}

/**
 * A client's redacted summary: endpoints, tenant, credential mode. The
 * client's own display uses it.
 *
 * @ignore
 * @param summary What `client.toJSON()` returns.
 * @returns The MIME bundle.
 *
 * @example
 * ```ts
 * import { renderClient } from "./mod.ts";
 *
 * const bundle = renderClient({ endpoints: ["http://127.0.0.1:4200/"], tenant: "acme", credentials: { mode: "token", token: "***" } });
 * console.assert(bundle["text/plain"].includes("acme"));
 * ```
 */
export function renderClient(summary: Record<string, unknown>): MimeBundle {
  const credentials = summary.credentials as Record<string, unknown>;
  const who = credentials.username ?? credentials.accessKey ?? "";
  const rows = [
    ["endpoints", escapeHtml((summary.endpoints as string[]).join(", "))],
    ["tenant", escapeHtml(summary.tenant ?? "(none)")],
    ["credentials", `${escapeHtml(credentials.mode)} ${escapeHtml(who)}`],
  ];
  return {
    "text/html": `<div><b>Runplane client</b>${table(["", ""], rows)}</div>`,
    "text/plain": `Client ${JSON.stringify(summary)}`,
  };
}

/**
 * A listing of objects as a table of their main fields; states show as
 * badges.
 *
 * @param items Objects of one kind.
 * @returns The MIME bundle.
 *
 * @example
 * ```ts
 * import { renderListing } from "./mod.ts";
 *
 * const bundle = renderListing([{ id: "p1", name: "churn" }, { id: "p2", name: "ranking" }]);
 * console.assert(bundle["text/plain"].split("\n").length === 2);
 * ```
 */
export function renderListing(items: readonly object[]): MimeBundle {
  const columns = [
    "name",
    "slug",
    "id",
    "taskId",
    "version",
    "state",
    "durationMs",
    "createdAt",
  ]
    .filter((column) => items.some((item) => column in item));
  const cell = (value: unknown) =>
    typeof value === "object" && value !== null && "type" in value
      ? badge(String((value as State).type))
      : escapeHtml(value);
  return {
    "text/html": items.length === 0 ? "<i>no items</i>" : table(
      columns,
      items.map((item) =>
        columns.map((column) => cell((item as Record<string, unknown>)[column]))
      ),
    ),
    "text/plain": items.map((item) =>
      columns.map((column) => {
        const value = (item as Record<string, unknown>)[column];
        return typeof value === "object" && value !== null && "type" in value
          ? (value as State).type
          : String(value ?? "");
      }).join("  ")
    ).join("\n"),
  };
}

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

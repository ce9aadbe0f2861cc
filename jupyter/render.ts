/**
 * The renderers behind the notebook display: each turns what the API
 * answers into a MIME bundle. The client loads this module when a notebook
 * first shows one of its values (see `display.ts`), not with the client.
 *
 * @module
 */

import { escapeHtml } from "../escape.ts";
import { STATE_COLOURS } from "../state_colours.ts";
import type { FlowRun, LogEntry, State, TaskRun } from "../api/mod.ts";

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

/** A state type as a coloured badge. */
export function badge(type: string): string {
  const colour = STATE_COLOURS[type] ?? "#6b7280";
  return `<span style="background:${colour};color:#fff;border-radius:9px;padding:1px 8px;font-size:12px">${
    escapeHtml(type)
  }</span>`;
}

/** A duration such as `850 ms` or `12.4 s`; empty while unknown. */
export function duration(ms: number | null | undefined): string {
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

/**
 * Log lines on the web view: a page of them as a table with a level filter
 * and paging, and the page of one whole line.
 *
 * @module
 */

import { invalidParameter, notFound } from "../http_error.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import type { CursorPosition, Page } from "../store.ts";
import {
  LOG_LEVELS,
  type LogEntry,
  type LogLevel,
  type Tenant,
} from "../../api/mod.ts";
import { type PageHandler, pathTenant, type UiContext } from "./context.ts";
import { html, type SafeHtml } from "./html.ts";
import { link, time, uiPath } from "./layout.ts";
import {
  clip,
  dataTable,
  details,
  MESSAGE_PREVIEW,
  page,
} from "./page_parts.ts";

/**
 * How many log lines a page shows; older ones are a link away. With at most
 * {@linkcode MESSAGE_PREVIEW} characters each, a page of lines stays well
 * under 1 MiB even when every character needs escaping.
 */
export const LOG_PAGE_LINES = 50;

/**
 * The `level` query parameter, in any case: that level and every more severe
 * one. A 400 names the levels for another value.
 */
export function levelFilter(ctx: UiContext): LogLevel[] | undefined {
  const value = ctx.url.searchParams.get("level");
  if (value === null || value === "") return undefined;
  const index = LOG_LEVELS.indexOf(value.toUpperCase() as LogLevel);
  if (index === -1) {
    throw invalidParameter(
      `Unknown log level filter: ${
        JSON.stringify(value.slice(0, 40))
      } is not one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  return LOG_LEVELS.slice(index);
}

/** The `logs` query parameter: where the older page of log lines starts. */
export function logCursor(ctx: UiContext): CursorPosition | undefined {
  return decodeCursor(ctx.url.searchParams.get("logs") ?? undefined);
}

/** A page of log lines, oldest first, each message clipped, with a link to the older page. */
export function logTable(
  ctx: UiContext,
  tenant: Tenant,
  logs: Page<LogEntry>,
): SafeHtml {
  const table = dataTable(
    "logs",
    ["Time", "Level", "Message"],
    logs.items.map((line) => [
      time(line.timestamp),
      { className: `level level-${line.level}`, value: line.level },
      {
        className: "message",
        value: clip(
          line.message,
          MESSAGE_PREVIEW,
          uiPath(tenant.slug, "logs", line.id),
        ),
      },
    ]),
    "No log lines.",
  );
  const older = encodeCursor(logs.next);
  const newest = ctx.url.searchParams.has("logs");
  const level = levelFilter(ctx)?.[0];
  const here = level === undefined
    ? ctx.url.pathname
    : `${ctx.url.pathname}?level=${level}`;
  const form =
    html`<form class="filters" method="get" action="${ctx.url.pathname}">
  <label>Level <select name="level">
    <option value="">Any</option>${
      LOG_LEVELS.map((name) =>
        html`
          <option value="${name}" ${name === level
            ? " selected"
            : ""}>${name} and above</option>
        `
      )
    }
  </select></label>
  <button type="submit">Filter</button>
</form>`;
  return html`${form}${table}${
    older === null && !newest
      ? ""
      : html`<p class="pages">${
        older === null ? "" : link(
          `${here}${here.includes("?") ? "&" : "?"}logs=${
            encodeURIComponent(older)
          }`,
          `Older ${LOG_PAGE_LINES} lines`,
        )
      } ${newest ? link(here, "Newest lines") : ""}</p>`
  }`;
}

/** `GET /ui/:tenant/logs/:id`: one whole log line. */
export const logLinePage: PageHandler = async function logLinePage(ctx) {
  const { tenant } = await pathTenant(ctx);
  const line = await ctx.services.store.logLine(tenant.id, ctx.params.id ?? "");
  if (!line) throw notFound("Log line");
  const run = await ctx.services.store.flowRun(tenant.id, line.flowRunId);
  const runName = run?.name ?? line.flowRunId;
  const runPath = uiPath(tenant.slug, "flow-runs", line.flowRunId);
  return page(
    ctx,
    "Log line",
    [
      [tenant.name, uiPath(tenant.slug, "flow-runs")],
      [runName, runPath],
    ],
    html`
      <h1>Log line</h1>
      ${details([
        ["Id", html`<code>${line.id}</code>`],
        ["Time", time(line.timestamp)],
        ["Level", line.level],
        ["Flow run", link(runPath, runName)],
        [
          "Task run",
          line.taskRunId === null ? html`<span class="muted">—</span>` : link(
            uiPath(tenant.slug, "task-runs", line.taskRunId),
            line.taskRunId,
          ),
        ],
      ])}
      <pre class="message">${line.message}</pre>
    `,
  );
};

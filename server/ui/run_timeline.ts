/**
 * A run's state timeline, and the picture of its task runs over time.
 *
 * @module
 */

import { STATE_COLOURS } from "../../state_colours.ts";
import {
  type FlowRun,
  type State,
  type TaskRun,
  TERMINAL_STATE_TYPES,
} from "../../api/mod.ts";
import type { UiContext } from "./context.ts";
import { html, type SafeHtml } from "./html.ts";
import { duration, stateBadge, time, uiPath } from "./layout.ts";
import { clip, MESSAGE_PREVIEW } from "./page_parts.ts";

/** How many states a flow-run page's timeline shows, the newest. */
const TIMELINE_STATES = 100;

/**
 * A run's states, oldest first, with their times, how long the run stayed in
 * each (until the next state, or until now for the current one of an
 * unfinished run) and their messages.
 */
export function timeline(history: State[]): SafeHtml {
  const shown = history.slice(-TIMELINE_STATES);
  const now = Date.now();
  const stayed = (state: State, index: number) => {
    const next = shown[index + 1];
    if (next === undefined && TERMINAL_STATE_TYPES.includes(state.type)) {
      return "";
    }
    const until = next === undefined ? now : Date.parse(next.timestamp);
    const ms = until - Date.parse(state.timestamp);
    return Number.isFinite(ms)
      ? html`
        <span class="stayed">for ${duration(
          Math.max(0, ms),
        )}${next === undefined ? " so far" : ""}</span>
      `
      : "";
  };
  return html`${
    history.length > TIMELINE_STATES
      ? html`<p class="muted">The newest ${TIMELINE_STATES} states.</p>`
      : ""
  }<ol class="timeline">${
    shown.map((state, index) =>
      html`<li>${stateBadge(state)} ${time(state.timestamp)}${
        stayed(state, index)
      }${
        state.message === undefined || state.message === "" ? "" : html`
          <span class="message">${clip(state.message, MESSAGE_PREVIEW)}</span>
        `
      }</li>`
    )
  }</ol>`;
}

/**
 * The timeline picture: one bar per started task run, from its start to its
 * end (or to now while it runs, or to the flow run's end when that ended
 * first), coloured by its state, on one time axis.
 * Server-rendered SVG, so it needs no script.
 */
export function gantt(
  ctx: UiContext,
  run: Pick<FlowRun, "endTime">,
  taskRuns: TaskRun[],
): SafeHtml {
  const started = taskRuns.filter((taskRun) => taskRun.startTime !== null);
  if (started.length === 0) {
    return html`<p class="empty">No task run has started.</p>`;
  }
  const now = Date.now();
  const spans = started.map((taskRun) => {
    const from = Date.parse(taskRun.startTime!);
    const end = taskRun.endTime ?? run.endTime;
    const to = end === null ? now : Date.parse(end);
    return { taskRun, from, to: Math.max(from, to) };
  });
  const first = Math.min(...spans.map((span) => span.from));
  const last = Math.max(...spans.map((span) => span.to));
  const total = Math.max(1, last - first);
  const [labelWidth, barsWidth, row] = [180, 600, 22];
  const height = spans.length * row + 24;
  const tenant = ctx.params.tenant ?? "";
  // In a frame of its own, so that at a phone's width the picture keeps
  // legible labels and scrolls sideways by itself.
  return html`
    <div class="gantt-frame">
      <svg class="gantt" role="img" viewBox="0 0 ${labelWidth + barsWidth +
        10} ${height}"
        aria-label="Task runs over time, ${(total / 1000).toFixed(
          1,
        )} s in all">${spans.map(({ taskRun, from, to }, index) => {
          const x = labelWidth + ((from - first) / total) * barsWidth;
          const width = Math.max(2, ((to - from) / total) * barsWidth);
          const y = index * row + 4;
          const label = taskRun.mapIndex === -1
            ? taskRun.taskId
            : `${taskRun.taskId}[${taskRun.mapIndex}]`;
          return html`
            <a
              href="${uiPath(
                tenant,
                "task-runs",
                taskRun.id,
              )}"><text x="4" y="${y + 13}">${label.slice(
                0,
                24,
              )}</text><rect x="${x.toFixed(1)}" y="${y}" width="${width
                .toFixed(
                  1,
                )}" height="${row -
                6}" rx="3" fill="${STATE_COLOURS[
                  taskRun.state.type
                ]}" data-state="${taskRun.state
                .type}"><title>${label}: ${taskRun
                .state.type}, ${((to - from) / 1000).toFixed(
                  1,
                )} s</title></rect></a>
          `;
        })}<text x="${labelWidth}" y="${height -
          4}" class="axis">0 s</text><text x="${labelWidth +
          barsWidth}" y="${height -
          4}" text-anchor="end" class="axis">${(total / 1000).toFixed(
            1,
          )} s</text></svg>
    </div>
  `;
}

/**
 * `flow-runs watch`: follows a run to its final state while showing
 * progress. On a terminal, one live status line (spinner, state, time since
 * the run started, or since it was created while it waits to start);
 * elsewhere, one plain line per state change. A server that cannot be
 * reached is tried again with backoff for `reconnectMs`, said on the way;
 * Ctrl-C (the signal) clears the line and shows the cursor again.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import { type FlowRun, type State, TERMINAL_STATE_TYPES } from "../api/mod.ts";
import { ConnectionError, ServerError, TimeoutError } from "../errors.ts";
import { sleep } from "../transport/_async.ts";
import { type Output, shown } from "./_output.ts";
import { untilAborted } from "./_interrupt.ts";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CLEAR_LINE = "\r\x1b[2K";
const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";

/** How to show progress. */
export interface WatchOptions {
  /** Whether the output is a terminal. */
  isTerminal: boolean;
  /** Only the final state is printed, as JSON, by the caller. */
  json: boolean;
  /** Where progress goes. */
  write: Output;
  /** The first wait between polls; it grows by half up to 10 s. */
  pollIntervalMs?: number;
  /** How long an unreachable server is tried again before giving up. */
  reconnectMs: number;
  /** Ctrl-C. */
  signal: AbortSignal;
}

/** Waits for the run's final state, showing progress; returns that state. */
export async function watchFlowRun(
  client: Client,
  id: string,
  options: WatchOptions,
): Promise<State> {
  const live = options.isTerminal && !options.json;
  let run: FlowRun | undefined;
  let frame = 0;
  const draw = () => {
    if (run === undefined) return;
    options.write(
      `${CLEAR_LINE}${SPINNER[frame++ % SPINNER.length]} ${
        shown(run.state.type).padEnd(9)
      } ${runTime(run)}`,
    );
  };
  // Plain lines around the live one: clear it, print, let the timer redraw.
  const say = (line: string) =>
    options.write(`${live ? CLEAR_LINE : ""}${line}\n`);
  const spinner = live ? setInterval(draw, 100) : undefined;
  if (live) options.write(HIDE_CURSOR);
  let interval = options.pollIntervalMs ?? 1000;
  let unreachableSince: number | undefined;
  let backoff = 250;
  try {
    for (;;) {
      let fresh: FlowRun;
      try {
        fresh = await untilAborted(client.flowRuns.get(id), options.signal);
      } catch (error) {
        if (options.signal.aborted || !unreachable(error)) throw error;
        const now = Date.now();
        if (unreachableSince === undefined) {
          unreachableSince = now;
          say(
            `Cannot reach the server (${
              shown((error as Error).message)
            }): trying again for up to ${seconds(options.reconnectMs)}`,
          );
        } else if (now - unreachableSince >= options.reconnectMs) {
          throw new ConnectionError(
            `Gave up watching flow run ${id}: the server could not be reached for ${
              seconds(now - unreachableSince)
            }; run runplane flow-runs watch ${id} again once it is back`,
            { cause: error },
          );
        }
        await sleep(backoff, options.signal);
        backoff = Math.min(backoff * 2, 5_000);
        continue;
      }
      if (unreachableSince !== undefined) {
        say(
          `Reached the server again after ${
            seconds(Date.now() - unreachableSince)
          }`,
        );
        unreachableSince = undefined;
        backoff = 250;
      }
      const changed = run?.state.type !== fresh.state.type;
      run = fresh;
      if (changed && !live && !options.json) {
        say(
          `${new Date().toISOString()} ${shown(id)} ${shown(run.state.type)}`,
        );
      }
      if (live) draw();
      if (TERMINAL_STATE_TYPES.includes(run.state.type)) break;
      await sleep(Math.min(interval, 10_000), options.signal);
      interval = Math.ceil(interval * 1.5);
    }
    const final = run.state;
    const message = final.message ? `: ${shown(final.message)}` : "";
    if (live) {
      const mark = final.type === "SUCCESS" || final.type === "CACHED"
        ? "✓"
        : "✗";
      say(`${mark} ${shown(final.type)} after ${runTime(run)}${message}`);
    } else if (!options.json && message) {
      say(`${shown(final.type)}${message}`);
    }
    return final;
  } finally {
    clearInterval(spinner);
    // Also on Ctrl-C and errors: no half-drawn line, no hidden cursor.
    if (live) options.write(CLEAR_LINE + SHOW_CURSOR);
  }
}

/**
 * The run's time so far: since it started (the server's `startTime`), or
 * from start to end once it ended; "queued" and the time since it was
 * created while it has not started.
 */
function runTime(run: FlowRun): string {
  if (run.durationMs !== null) return seconds(run.durationMs);
  const started = run.startTime ?? run.endTime;
  if (started === null) {
    return `queued ${seconds(Date.now() - Date.parse(run.createdAt))}`;
  }
  return seconds(Date.now() - Date.parse(started));
}

/** `12.3s`, or `4m05.0s` from a minute on; never negative (clock skew). */
function seconds(ms: number): string {
  const total = Math.max(0, ms) / 1000;
  if (total < 60) return `${total.toFixed(1)}s`;
  const minutes = Math.floor(total / 60);
  return `${minutes}m${(total - minutes * 60).toFixed(1).padStart(4, "0")}s`;
}

/** Whether an error means the server is down or restarting, not a refusal. */
function unreachable(error: unknown): boolean {
  return error instanceof ConnectionError || error instanceof TimeoutError ||
    error instanceof ServerError;
}

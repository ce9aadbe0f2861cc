/**
 * `flow-runs watch`: waits for a run to end while showing progress. On a
 * terminal, one live status line with a spinner, the state and the elapsed
 * time; elsewhere, one plain line per state change.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import type { State } from "../api/mod.ts";
import { type Output, shown } from "./_output.ts";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** How to show progress. */
export interface WatchOptions {
  /** Whether the output is a terminal. */
  isTerminal: boolean;
  /** Only the final state is printed, as JSON, by the caller. */
  json: boolean;
  /** Where progress goes. */
  write: Output;
  /** The first wait between polls. */
  pollIntervalMs?: number;
}

/** Waits for the run's final state, showing progress; returns that state. */
export async function watchFlowRun(
  client: Client,
  id: string,
  options: WatchOptions,
): Promise<State> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const live = options.isTerminal && !options.json;
  let current = "";
  let frame = 0;
  const draw = () =>
    options.write(
      `\r\x1b[2K${SPINNER[frame++ % SPINNER.length]} ${
        current.padEnd(9)
      } ${elapsed()}`,
    );
  const spinner = live ? setInterval(draw, 100) : undefined;
  try {
    const final = await client.flowRuns.wait(id, {
      pollIntervalMs: options.pollIntervalMs,
      onProgress: (run) => {
        if (run.state.type === current) return;
        current = shown(run.state.type);
        if (live) draw();
        else if (!options.json) {
          options.write(
            `${new Date().toISOString()} ${shown(id)} ${current}\n`,
          );
        }
      },
    });
    if (live) {
      const mark = final.type === "SUCCESS" || final.type === "CACHED"
        ? "✓"
        : "✗";
      options.write(
        `\r\x1b[2K${mark} ${shown(final.type)} after ${elapsed()}\n`,
      );
    }
    return final;
  } finally {
    clearInterval(spinner);
  }
}

/**
 * {@linkcode serve}: an agent that runs the scheduled runs of some flows.
 *
 * @module
 */

import type { ServeOptions } from "./_agent.ts";
import type { FlowDefinition } from "./flow.ts";

export type { ServeOptions };

/**
 * Runs an agent in this process: registers it (with its heartbeat), then
 * polls for `SCHEDULED` runs of the served flows whose scheduled start time
 * has come, claims each by moving it to `PENDING` with the version it read
 * (a `stale_version` answer means another agent claimed it first, and it is
 * skipped), and runs it as `run()` does, at most `concurrency` at once. Runs
 * of every version of a served flow are picked up, whoever created them
 * (the CLI, the web view, another process). Two agents never execute one
 * run twice.
 *
 * @param flows The flows to serve, each made by `flow()`, with distinct names.
 * @param options The client, a stop signal, the poll interval and concurrency.
 * @returns Resolves when `signal` aborted and every run started has ended.
 * @throws {InvalidArgumentError} When `flows` or an option is invalid.
 *
 * @example
 * ```ts ignore
 * import { flow, serve } from "@runplane/client";
 *
 * const nightly = flow("nightly", async ({ day }: { day: string }) => day);
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGINT", () => stop.abort());
 * await serve([nightly], { client, signal: stop.signal, concurrency: 2 });
 * ```
 */
export async function serve(
  flows: readonly FlowDefinition<never, unknown>[],
  options: ServeOptions = {},
): Promise<void> {
  const { runAgent } = await import("./_agent.ts");
  return await runAgent(flows, options);
}

/**
 * The agent behind `serve()`, loaded by its first call: most
 * programs that import the client serve nothing, and each module adds to
 * every cold start.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import { getOrCreateClient } from "../client/context.ts";
import { ConflictError, InvalidArgumentError } from "../errors.ts";
import {
  optionalString,
  requireObject,
  requireWholeNumber,
} from "../client/resources/_validate.ts";
import type { FlowRun } from "../api/mod.ts";
import { type FlowSpec, flowSpecs } from "./_flow_spec.ts";
import { startHeartbeat } from "./_heartbeat.ts";
import { registerFlow } from "./_register_flow.ts";
import { type FlowDefinition, loadExecution } from "./flow.ts";

/** Options of `serve()`. */
export interface ServeOptions {
  /**
   * The client to poll and run as.
   *
   * @default {the active client, else one from the environment, closed afterwards}
   */
  client?: Client;
  /**
   * Stops the agent: it claims nothing more, lets the runs it started
   * finish, then resolves.
   *
   * @default {none: the agent runs until the process ends}
   */
  signal?: AbortSignal;
  /**
   * How long to wait between polls for due runs, in milliseconds. A run
   * that finishes while others are due starts the next poll at once.
   *
   * @default {5000}
   */
  pollIntervalMs?: number;
  /**
   * The most runs executed at once.
   *
   * @default {4}
   */
  concurrency?: number;
  /** The agent's name, as registered. */
  name?: string;
  /**
   * How often the agent sends its heartbeat, in milliseconds.
   *
   * @default {30000}
   */
  heartbeatIntervalMs?: number;
  /**
   * Told about failures of the agent itself (a poll or claim that failed);
   * a run's own failure is recorded in its state instead.
   *
   * @default {a one-line warning on the console}
   */
  onError?: (error: unknown) => void;
}

/** Runs an agent: what `serve()` does, once this module is loaded. */
export async function runAgent(
  flows: readonly FlowDefinition<never, unknown>[],
  options: ServeOptions = {},
): Promise<void> {
  const specs = servedSpecs(flows);
  requireObject("options", options);
  const pollIntervalMs = requireWholeNumber(
    "pollIntervalMs",
    options.pollIntervalMs ?? 5000,
    1,
  );
  const concurrency = requireWholeNumber(
    "concurrency",
    options.concurrency ?? 4,
    1,
  );
  const heartbeatIntervalMs = requireWholeNumber(
    "heartbeatIntervalMs",
    options.heartbeatIntervalMs ?? 30_000,
    1,
  );
  const name = optionalString("name", options.name);
  const onError = options.onError ?? warn;
  const signal = options.signal;
  const { executeFlowRun } = await loadExecution();
  const [client, found] = getOrCreateClient(options.client);
  const running = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  try {
    const served = new Map<string, FlowSpec>();
    for (const spec of specs) {
      served.set((await registerFlow(client, spec)).versionGroupId, spec);
    }
    const agent = await client.agents.register({ type: "process", name });
    const heartbeat = startHeartbeat(
      heartbeatIntervalMs,
      () => client.agents.heartbeat(agent.id),
    );
    try {
      while (!signal?.aborted) {
        try {
          for (const [versionGroupId, spec] of served) {
            if (running.size >= concurrency || signal?.aborted) break;
            const due = client.flowRuns.list({
              versionGroupId,
              state: "SCHEDULED",
              scheduledBefore: new Date(),
            });
            for await (const run of due) {
              if (running.size >= concurrency || signal?.aborted) break;
              const claimed = await claim(client, run);
              if (claimed === undefined) continue;
              const execution = executeFlowRun(spec, client, claimed).then(
                () => {},
                () => {},
              ).finally(() => {
                running.delete(execution);
                wake?.();
              });
              running.add(execution);
            }
          }
        } catch (error) {
          if (!signal?.aborted) onError(error);
        }
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, pollIntervalMs);
          signal?.addEventListener("abort", done, { once: true });
          wake = done;
        });
      }
    } finally {
      await Promise.all(running);
      await heartbeat.stop();
    }
  } finally {
    if (!found) await client.close();
  }
}

/** Moves a due run to `PENDING`; `undefined` when another agent was first. */
async function claim(
  client: Client,
  run: FlowRun,
): Promise<FlowRun | undefined> {
  try {
    const change = await client.flowRuns.setState(run.id, {
      version: run.version,
      state: "PENDING",
    });
    return { ...run, state: change.state, version: change.version };
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

function servedSpecs(
  flows: readonly FlowDefinition<never, unknown>[],
): FlowSpec[] {
  if (!Array.isArray(flows) || flows.length === 0) {
    throw new InvalidArgumentError(
      "serve() needs an array of at least one flow made by flow()",
    );
  }
  const names = new Set<string>();
  return flows.map((definition, i) => {
    const spec = flowSpecs.get(definition);
    if (spec === undefined) {
      throw new InvalidArgumentError(
        `flows[${i}] is not a flow: make it with flow(name, fn)`,
      );
    }
    if (names.has(spec.name)) {
      throw new InvalidArgumentError(
        `flows has two flows named ${spec.name}: serve each name once`,
      );
    }
    names.add(spec.name);
    return spec;
  });
}

function warn(error: unknown): void {
  // deno-lint-ignore no-console
  console.warn(
    `Runplane agent: ${error instanceof Error ? error.message : error}`,
  );
}

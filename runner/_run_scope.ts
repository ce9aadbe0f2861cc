/**
 * The storage behind the run context: which flow run (and task run) the
 * current code belongs to, on `AsyncLocalStorage`, so that two runs in one
 * process never see each other's client, run, logs or cancellation.
 *
 * @module
 */

import { LazyStorage } from "../client/_scope.ts";
import type { Client } from "../client/client.ts";
import type { FlowRun, TaskRun } from "../api/mod.ts";
import type { RunLogs } from "./_run_logs.ts";

/** What `getRunContext()` gives: the current runs and their signal. */
export interface RunContext {
  /** The flow run, as the runner last changed it. */
  readonly flowRun: FlowRun;
  /** The task run, inside a task. */
  readonly taskRun?: TaskRun;
  /**
   * Aborts when the flow run is cancelled (by anyone, seen within a
   * heartbeat) or when the caller's signal aborts.
   */
  readonly signal: AbortSignal;
}

/** One flow run in progress, shared by its tasks. */
export interface ActiveFlowRun {
  /** The client the run was started with. */
  readonly client: Client;
  /** The run, with its latest state and version. */
  flowRun: FlowRun;
  /** The run's signal. */
  readonly signal: AbortSignal;
  /** The run's log shipping. */
  readonly logs: RunLogs;
  /** Whether `console` output inside the run is shipped too. */
  readonly logPrints: boolean;
  /** The default heartbeat interval of its tasks. */
  readonly heartbeatIntervalMs: number;
  /** How many times each task was called so far: the next map index. */
  readonly taskCalls: Map<string, number>;
}

/** The scope of a flow's function, or of one task call inside it. */
export interface RunScope {
  /** The flow run. */
  readonly active: ActiveFlowRun;
  /** The context that `getRunContext()` answers with. */
  readonly context: RunContext;
  /** Set when the flow or task function has settled. */
  ended: boolean;
}

const storage = new LazyStorage<RunScope>();

/** Runs `fn` in `scope`, and marks the scope ended when `fn` settles. */
export async function runInRunScope<R>(
  scope: RunScope,
  fn: () => R | Promise<R>,
): Promise<R> {
  try {
    return await storage.run(scope, fn);
  } finally {
    scope.ended = true;
  }
}

/**
 * The scope of the current run, unless it has ended: Deno 2.9 can leak a
 * store into the root context after a first-time dynamic `import()`.
 */
export function currentRunScope(): RunScope | undefined {
  const scope = storage.getStore();
  return scope === undefined || scope.ended ? undefined : scope;
}

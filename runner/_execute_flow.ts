/**
 * Runs a claimed flow run: `RUNNING`, the flow's function in the run's
 * scope with heartbeats, then `SUCCESS` or `FAILED`, unless someone
 * cancelled it meanwhile.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import { AbortError, ConflictError } from "../errors.ts";
import type { FlowRun, StateInput, StateType } from "../api/mod.ts";
import { captureConsole } from "./_console_capture.ts";
import type { FlowSpec } from "./_flow_spec.ts";
import { startHeartbeat } from "./_heartbeat.ts";
import { CANCEL_GRACE_MS, failureMessage, untilAborted } from "./_run_state.ts";
import { RunLogs } from "./_run_logs.ts";
import {
  type ActiveFlowRun,
  type RunContext,
  runInRunScope,
  type RunScope,
} from "./_run_scope.ts";
import { isStorableResult } from "./storable_result.ts";

/**
 * Executes `run`, which the caller moved to `PENDING` (its version is the
 * current one), and resolves with the function's result.
 *
 * @throws What the flow's function threw, after `FAILED` was stored.
 * @throws {AbortError} When the run was cancelled (the state is left as is)
 * or `signal` aborted (the run is then `CANCELLED`).
 */
export async function executeFlowRun(
  spec: FlowSpec,
  client: Client,
  run: FlowRun,
  signal?: AbortSignal,
): Promise<unknown> {
  const controller = new AbortController();
  const onCallerAbort = () =>
    controller.abort(
      new AbortError(`Flow run ${run.name} was aborted by its caller`, {
        cause: signal!.reason,
      }),
    );
  if (signal?.aborted) onCallerAbort();
  signal?.addEventListener("abort", onCallerAbort, { once: true });
  const active: ActiveFlowRun = {
    client,
    flowRun: run,
    signal: controller.signal,
    logs: new RunLogs(client, run.id),
    logPrints: spec.options.logPrints,
    heartbeatIntervalMs: spec.options.heartbeatIntervalMs,
    taskCalls: new Map(),
  };
  const setState = async (state: StateInput | StateType) => {
    const change = await client.flowRuns.setState(run.id, {
      version: active.flowRun.version,
      state,
    });
    active.flowRun = {
      ...active.flowRun,
      state: change.state,
      version: change.version,
    };
  };
  const cancelled = () => new AbortError(`Flow run ${run.name} was cancelled`);
  let wasCancelled = false;
  try {
    await setState("RUNNING");
    // Awaited before the heartbeat starts: nothing may fail between the two.
    const release = spec.options.logPrints ? await captureConsole() : undefined;
    // The heartbeat's answer is not trusted to say a run ended: the state is.
    const heartbeat = startHeartbeat(
      spec.options.heartbeatIntervalMs,
      async function flowRunHeartbeat() {
        await client.flowRuns.heartbeat(run.id);
        const current = await client.flowRuns.get(run.id);
        if (current.state.type === "CANCELLED") {
          wasCancelled = true;
          controller.abort(cancelled());
        }
      },
    );
    const context: RunContext = {
      get flowRun() {
        return active.flowRun;
      },
      signal: controller.signal,
    };
    const scope: RunScope = { active, context, ended: false };
    let outcome: { value: unknown } | { error: unknown };
    try {
      outcome = {
        value: await untilAborted(
          client.session(() =>
            runInRunScope(
              scope,
              () => spec.fn(run.parameters as never, context),
            )
          ),
          controller.signal,
          CANCEL_GRACE_MS,
        ),
      };
    } catch (error) {
      outcome = { error };
    } finally {
      release?.();
      await heartbeat.stop();
      await active.logs.close();
    }
    if (controller.signal.aborted) {
      if (!wasCancelled) {
        await setState({ type: "CANCELLED", message: "Aborted by the caller" })
          .catch(() => {});
      }
      throw controller.signal.reason;
    }
    const final: StateInput = "error" in outcome
      ? { type: "FAILED", message: failureMessage(outcome.error) }
      : isStorableResult(outcome.value)
      ? { type: "SUCCESS", result: outcome.value }
      : { type: "SUCCESS" };
    try {
      await setState(final);
    } catch (error) {
      // Cancelled between the last heartbeat and now: leave it cancelled.
      if (
        error instanceof ConflictError &&
        (await client.flowRuns.get(run.id)).state.type === "CANCELLED"
      ) {
        throw cancelled();
      }
      throw error;
    }
    if ("error" in outcome) throw outcome.error;
    return outcome.value;
  } finally {
    signal?.removeEventListener("abort", onCallerAbort);
  }
}

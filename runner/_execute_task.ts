/**
 * The part of a task call that runs inside a flow run, loaded by the first
 * such call: a program that imports the client and runs no flow here never
 * needs it, and each module adds to every cold start.
 *
 * @module
 */

import { sleep } from "../transport/_async.ts";
import {
  type StateChange,
  type StateInput,
  type StateType,
  type TaskRun,
  TERMINAL_STATE_TYPES,
} from "../api/mod.ts";
import { startHeartbeat } from "./_heartbeat.ts";
import { failureMessage } from "./_run_state.ts";
import {
  type ActiveFlowRun,
  type RunContext,
  runInRunScope,
} from "./_run_scope.ts";
import { isStorableResult } from "./storable_result.ts";
import type { TaskSpec } from "./_task_spec.ts";

/**
 * Runs one call of a task inside a flow run: records it as a task run, with
 * its cache, tag limits, retries, heartbeats and logs.
 *
 * @param spec The task.
 * @param args The call's arguments.
 * @param active The flow run it is called in.
 * @param index The call's map index, taken when it was called.
 * @returns What the task returned, or its cached result.
 */
export async function executeTask<A extends unknown[], R>(
  spec: TaskSpec<A, R>,
  args: A,
  active: ActiveFlowRun,
  index: number,
): Promise<Awaited<R>> {
  await active.logs.beforeTask();
  const run = new TaskRunRecorder(
    active,
    await active.client.taskRuns.getOrCreate({
      flowRunId: active.flowRun.id,
      taskId: spec.name,
      mapIndex: index,
      tags: spec.tags,
    }),
  );
  const cacheKey = spec.cacheKey?.(...args);
  if (cacheKey !== undefined) {
    const [cached] = await active.client.taskRuns.latestCachedStates({
      taskId: spec.name,
      cacheKey,
      createdAfter: new Date(Date.now() - spec.cacheFor!),
    });
    if (cached !== undefined) {
      await run.setState({ type: "CACHED", result: cached.result, cacheKey });
      return cached.result as Awaited<R>;
    }
  }
  const context: RunContext = {
    get flowRun() {
      return active.flowRun;
    },
    get taskRun() {
      return run.taskRun;
    },
    signal: active.signal,
  };
  const heartbeat = startHeartbeat(
    spec.heartbeatIntervalMs ?? active.heartbeatIntervalMs,
    () => active.client.taskRuns.heartbeat(run.taskRun.id),
  );
  try {
    for (let attempt = 1;; attempt++) {
      await run.start();
      let outcome: { value: Awaited<R> } | { error: unknown };
      try {
        outcome = {
          value: await runInRunScope(
            { active, context, ended: false },
            () => spec.fn(...args),
          ),
        };
      } catch (error) {
        outcome = { error };
      }
      if (active.signal.aborted) throw active.signal.reason;
      if ("value" in outcome) {
        await active.logs.closeTask(run.taskRun.id);
        const cached = cacheKey !== undefined &&
          isStorableResult(outcome.value);
        await run.setState(
          cached
            ? { type: "SUCCESS", result: outcome.value, cacheKey }
            : "SUCCESS",
          cached ? spec.cacheFor : undefined,
        );
        return outcome.value;
      }
      const message = failureMessage(outcome.error);
      if (attempt > spec.retries) {
        await active.logs.closeTask(run.taskRun.id);
        await run.setState({ type: "FAILED", message });
        throw outcome.error;
      }
      await run.setState({
        type: "RETRYING",
        message: `Attempt ${attempt} of ${spec.retries + 1} failed: ${message}`,
      });
      await sleep(spec.retryDelayMs, active.signal);
    }
  } catch (error) {
    if (active.signal.aborted && !isTerminal(run.taskRun.state.type)) {
      await active.logs.closeTask(run.taskRun.id);
      await run.setState({
        type: "CANCELLED",
        message: "The flow run was cancelled",
      }).catch(() => {});
      throw active.signal.reason;
    }
    throw error;
  } finally {
    await heartbeat.stop();
  }
}

function isTerminal(type: StateType): boolean {
  return TERMINAL_STATE_TYPES.includes(type);
}

/** A task run's state changes, each with the version the server expects. */
class TaskRunRecorder {
  #active: ActiveFlowRun;
  taskRun: TaskRun;

  constructor(active: ActiveFlowRun, taskRun: TaskRun) {
    this.#active = active;
    this.taskRun = taskRun;
  }

  async setState(
    state: StateInput | StateType,
    cacheFor?: number,
  ): Promise<StateChange> {
    const change = await this.#active.client.taskRuns.setState(
      this.taskRun.id,
      { version: this.taskRun.version, state, cacheFor },
    );
    this.taskRun = {
      ...this.taskRun,
      state: change.state,
      version: change.version,
    };
    return change;
  }

  /** Moves to `RUNNING`, waiting out `QUEUED` answers as the server says. */
  async start(): Promise<void> {
    for (;;) {
      const change = await this.setState("RUNNING");
      if (change.state.type === "RUNNING") return;
      await sleep(change.retryAfterMs ?? 1000, this.#active.signal);
    }
  }
}

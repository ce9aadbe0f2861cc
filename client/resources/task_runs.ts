/**
 * {@linkcode TaskRuns}: get or create task runs, change their state under
 * concurrency limits, send heartbeats, read cached states.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import {
  optionalPageSize,
  optionalString,
  requireObject,
  requireState,
  requireString,
  requireTime,
  requireWholeNumber,
  segment,
} from "./_validate.ts";
import { Resource } from "./resource.ts";
import type { ListOptions } from "./types.ts";
import type { CallOptions } from "../request_options.ts";
import { Listing } from "./listing.ts";
import type {
  State,
  StateChange,
  StateInput,
  StateType,
  TaskRun,
} from "../../api/mod.ts";
import { displayable } from "../../jupyter/display.ts";

/** What {@linkcode TaskRuns.getOrCreate} needs. */
export interface GetOrCreateTaskRunOptions {
  /** The flow run's id. */
  flowRunId: string;
  /** The task's id. */
  taskId: string;
  /**
   * The index in a mapped task.
   *
   * @default {-1}
   */
  mapIndex?: number;
  /**
   * Tags, for concurrency limits.
   *
   * @default {[]}
   */
  tags?: string[];
}

/** What {@linkcode TaskRuns.list} lists. */
export interface ListTaskRunsOptions extends ListOptions {
  /** The flow run whose task runs to list. */
  flowRunId: string;
}

/** A state change of a task run. */
export interface SetTaskRunStateOptions {
  /** The task run's version as last read. */
  version: number;
  /** The new state, or just its type. */
  state: StateInput | StateType;
  /** Also cache the state under its `cacheKey` (or the task id) for this many ms. */
  cacheFor?: number;
}

/** What {@linkcode TaskRuns.latestCachedStates} looks for. */
export interface LatestCachedStatesOptions {
  /** The task's id. */
  taskId: string;
  /** The cache key. */
  cacheKey?: string;
  /** Only states cached after this time. */
  createdAfter: string | Date;
}

/**
 * Task runs of the current tenant. Reach it as `client.taskRuns`.
 *
 * @example
 * ```ts
 * import type { Client, FlowRun } from "@runplane/client";
 *
 * async function example(run: FlowRun, client: Client) {
 *   const task = await client.taskRuns.getOrCreate({ flowRunId: run.id, taskId: "extract", tags: ["db"] });
 *   const change = await client.taskRuns.setState(task.id, { version: task.version, state: "RUNNING" });
 *   if (change.state.type === "QUEUED") await new Promise((r) => setTimeout(r, change.retryAfterMs));
 * }
 * ```
 */
export class TaskRuns extends Resource {
  /**
   * Creates a task run, or returns the existing one of the same flow run,
   * task id and map index.
   *
   * @param options The flow run, task id, map index and tags.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The task run.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {NotFoundError} When the flow run is not in the tenant.
   *
   * @example
   * ```ts
   * import type { Client, FlowRun } from "@runplane/client";
   *
   * async function example(client: Client, run: FlowRun) {
   *   const task = await client.taskRuns.getOrCreate({ flowRunId: run.id, taskId: "load", mapIndex: 3 });
   * }
   * ```
   */
  async getOrCreate(
    options: GetOrCreateTaskRunOptions,
    call?: CallOptions,
  ): Promise<TaskRun> {
    requireObject("options", options);
    requireString("flowRunId", options.flowRunId);
    requireString("taskId", options.taskId);
    if (options.mapIndex !== undefined) {
      requireWholeNumber("mapIndex", options.mapIndex, -1);
    }
    if (
      options.tags !== undefined &&
      (!Array.isArray(options.tags) ||
        !options.tags.every((tag) => typeof tag === "string" && tag !== ""))
    ) {
      throw new InvalidArgumentError(
        "tags must be an array of non-empty strings",
      );
    }
    const run = await this.client.request<TaskRun>("POST", "/task-runs", {
      ...call,
      body: {
        flowRunId: options.flowRunId,
        taskId: options.taskId,
        mapIndex: options.mapIndex,
        tags: options.tags,
      },
    });
    return displayable(
      run,
      (renderers, shown) => renderers.renderTaskRun(shown),
    );
  }

  /**
   * Reads a task run.
   *
   * @param id The task run's id.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The task run.
   * @throws {NotFoundError} When there is no such task run in the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(id: string, client: Client) {
   *   const task = await client.taskRuns.get(id);
   * }
   * ```
   */
  async get(id: string, call?: CallOptions): Promise<TaskRun> {
    return displayable(
      await this.client.request<TaskRun>(
        "GET",
        `/task-runs/${segment("id", id)}`,
        call,
      ),
      (renderers, run) => renderers.renderTaskRun(run),
    );
  }

  /**
   * Lists a flow run's task runs, oldest first: `await` it for the first
   * page, or walk every task run with `for await`.
   *
   * @param options The flow run, and the page size.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The task runs, as a {@linkcode Listing}.
   * @throws {InvalidArgumentError} At once, when an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client, FlowRun } from "@runplane/client";
   *
   * async function example(client: Client, run: FlowRun) {
   *   for await (const task of client.taskRuns.list({ flowRunId: run.id })) {
   *     console.log(task.taskId, task.state.type);
   *   }
   * }
   * ```
   */
  list(options: ListTaskRunsOptions, call?: CallOptions): Listing<TaskRun> {
    requireObject("options", options);
    const query = {
      flowRunId: requireString("flowRunId", options.flowRunId),
      limit: optionalPageSize(options.limit),
    };
    return new Listing<TaskRun>(this.client, "/task-runs", { query, call });
  }

  /**
   * Proposes a new state. Moving to `RUNNING` while a tag's concurrency limit
   * is full stores `QUEUED` instead and answers `retryAfterMs`.
   *
   * @param id The task run's id.
   * @param options The version read last, the new state, and `cacheFor`.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The stored state, the new version, and `retryAfterMs` when queued.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {ConflictError} For a stale version or a terminal state.
   *
   * @example
   * ```ts
   * import type { Client, TaskRun } from "@runplane/client";
   *
   * async function example(client: Client, task: TaskRun) {
   *   await client.taskRuns.setState(task.id, {
   *     version: task.version,
   *     state: { type: "SUCCESS", cacheKey: "day-1" },
   *     cacheFor: 60_000,
   *   });
   * }
   * ```
   */
  async setState(
    id: string,
    options: SetTaskRunStateOptions,
    call?: CallOptions,
  ): Promise<StateChange> {
    const path = `/task-runs/${segment("id", id)}/state`;
    requireObject("options", options);
    const version = requireWholeNumber("version", options.version, 0);
    const state = requireState(options.state);
    const cacheFor = options.cacheFor === undefined
      ? undefined
      : requireWholeNumber("cacheFor", options.cacheFor, 1);
    const change = await this.client.request<StateChange>("POST", path, {
      ...call,
      body: { version, state, cacheFor },
    });
    displayable(
      change.state,
      (renderers, state) => renderers.renderState(state),
    );
    return change;
  }

  /**
   * Tells the server the task run is alive. Never throws.
   *
   * @param id The task run's id.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns `true` when the server took it, `false` on any failure, and
   * once the task run has finished (the server answers 409 then).
   *
   * @example
   * ```ts
   * import type { Client, TaskRun } from "@runplane/client";
   *
   * async function example(client: Client, task: TaskRun) {
   *   const alive = await client.taskRuns.heartbeat(task.id);
   * }
   * ```
   */
  heartbeat(id: string, call?: CallOptions): Promise<boolean> {
    return this.heartbeatAt("task-runs", id, call);
  }

  /**
   * The unexpired cached states of a task, newest first.
   *
   * @param options The task id, an optional cache key, and the oldest time.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The states.
   * @throws {InvalidArgumentError} When an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const [latest] = await client.taskRuns.latestCachedStates({ taskId: "extract", createdAfter: new Date(Date.now() - 3_600_000) });
   * }
   * ```
   */
  async latestCachedStates(
    options: LatestCachedStatesOptions,
    call?: CallOptions,
  ): Promise<State[]> {
    requireObject("options", options);
    const query = {
      taskId: requireString("taskId", options.taskId),
      cacheKey: optionalString("cacheKey", options.cacheKey),
      createdAfter: requireTime("createdAfter", options.createdAfter),
    };
    const answer = await this.client.request<{ items: State[] }>(
      "GET",
      "/cached-states",
      { ...call, query },
    );
    return answer.items;
  }
}

/**
 * {@linkcode FlowRuns}: create runs, read and list them, change their state,
 * send heartbeats.
 *
 * @module
 */

import {
  AbortError,
  ConflictError,
  InvalidArgumentError,
  TimeoutError,
} from "../../errors.ts";
import { sleep } from "../../transport/_async.ts";
import { Listing } from "./listing.ts";
import { displayable } from "../../jupyter/display.ts";
import {
  optionalPageSize,
  optionalRecord,
  optionalString,
  requireObject,
  requireState,
  requireStateType,
  requireTime,
  requireWholeNumber,
  segment,
} from "./_validate.ts";
import { Resource } from "./resource.ts";
import type { ListOptions } from "./types.ts";
import type { CallOptions } from "../request_options.ts";
import {
  type FlowRun,
  type State,
  type StateChange,
  type StateInput,
  type StateType,
  TERMINAL_STATE_TYPES,
} from "../../api/mod.ts";

/** What a flow run is made from, besides the flow. */
export interface FlowRunFields {
  /** The run's parameters. */
  parameters?: Record<string, unknown>;
  /** The run's context. */
  context?: Record<string, unknown>;
  /**
   * When the run should start.
   *
   * @default {now}
   */
  scheduledStartTime?: string | Date;
  /**
   * Returns the same run for 24 hours after its last use; the same key with
   * other parameters or context is a {@linkcode ConflictError}. Sent in the
   * body and stored with the run: not the call's `idempotencyKey` (the
   * `Idempotency-Key` header, see {@linkcode CallOptions}).
   */
  idempotencyKey?: string;
  /**
   * The run's name, sent as `name`.
   *
   * @default {a name the server picks}
   */
  runName?: string;
}

/** What {@linkcode FlowRuns.create} needs: a flow by id or by version group. */
export type CreateFlowRunOptions =
  & ({ flowId: string; versionGroupId?: never } | {
    versionGroupId: string;
    flowId?: never;
  })
  & FlowRunFields;

/** What {@linkcode FlowRuns.list} filters on. */
export interface ListFlowRunsOptions extends ListOptions {
  /** Only the runs of this flow (its id). */
  flowId?: string;
  /** Only the runs of the flow versions in this version group. */
  versionGroupId?: string;
  /** Only runs in this state. */
  state?: StateType;
  /**
   * Only runs scheduled to start at or before this time; with
   * `state: "SCHEDULED"`, the runs that are due.
   */
  scheduledBefore?: string | Date;
  /** Only runs of this exact name. */
  name?: string;
  /** Only runs created at or after this time. */
  createdAfter?: string | Date;
  /** Only runs created before this time. */
  createdBefore?: string | Date;
}

/** A state change: the version read last, and the new state. */
export interface SetFlowRunStateOptions {
  /** The run's version as last read; a stale one is a {@linkcode ConflictError}. */
  version: number;
  /** The new state, or just its type. */
  state: StateInput | StateType;
}

/** Options for {@linkcode FlowRuns.cancel}. */
export interface CancelFlowRunOptions {
  /** Why, stored as the `CANCELLED` state's message. */
  message?: string;
}

/** Options for {@linkcode FlowRuns.wait}. */
export interface WaitForFlowRunOptions {
  /**
   * The first wait between polls, in milliseconds; it grows by half each
   * time, up to `maxPollIntervalMs`.
   *
   * @default {1000}
   */
  pollIntervalMs?: number;
  /**
   * The longest wait between polls, in milliseconds.
   *
   * @default {10000}
   */
  maxPollIntervalMs?: number;
  /**
   * Gives up after this many milliseconds with a {@linkcode TimeoutError}.
   *
   * @default {no limit}
   */
  timeoutMs?: number;
  /** Stops waiting with an {@linkcode AbortError}. */
  signal?: AbortSignal;
  /**
   * Called with the run after every poll; a promise it returns is awaited
   * before the next poll (and before `wait()` returns), so a display such as
   * `showProgress()` from `@runplane/client/jupyter` is drawn in order.
   */
  onProgress?: (run: FlowRun) => unknown;
}

/**
 * Flow runs of the current tenant. Reach it as `client.flowRuns`.
 *
 * @example
 * ```ts
 * import type { Client, Flow } from "@runplane/client";
 *
 * async function example(flow: Flow, client: Client) {
 *   const run = await client.flowRuns.create({ flowId: flow.id, parameters: { day: "2026-11-22" } });
 *   const change = await client.flowRuns.setState(run.id, { version: run.version, state: "RUNNING" });
 * }
 * ```
 */
export class FlowRuns extends Resource {
  /**
   * Creates a flow run in state `SCHEDULED`, for a flow by id or for the
   * unarchived flow of a version group.
   *
   * @param options The flow or version group, and the run's fields.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The new run, or the existing one of the same `idempotencyKey`.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {NotFoundError} When the flow is not in the tenant.
   * @throws {ConflictError} When the `idempotencyKey` was used with other
   * parameters or context.
   *
   * @example
   * ```ts
   * import type { Client, Flow } from "@runplane/client";
   *
   * async function example(flow: Flow, client: Client) {
   *   const run = await client.flowRuns.create({ flowId: flow.id, idempotencyKey: "nightly-2026-11-22" });
   *   const again = await client.flowRuns.create({ flowId: flow.id, idempotencyKey: "nightly-2026-11-22" });
   *   console.assert(again.id === run.id);
   * }
   * ```
   */
  async create(
    options: CreateFlowRunOptions,
    call?: CallOptions,
  ): Promise<FlowRun> {
    requireObject("options", options);
    const flowId = optionalString("flowId", options.flowId);
    const versionGroupId = optionalString(
      "versionGroupId",
      options.versionGroupId,
    );
    if ((flowId === undefined) === (versionGroupId === undefined)) {
      throw new InvalidArgumentError(
        "Pass exactly one of flowId and versionGroupId",
      );
    }
    const body = {
      flowId,
      versionGroupId,
      parameters: optionalRecord("parameters", options.parameters),
      context: optionalRecord("context", options.context),
      scheduledStartTime: options.scheduledStartTime === undefined
        ? undefined
        : requireTime("scheduledStartTime", options.scheduledStartTime),
      idempotencyKey: optionalString("idempotencyKey", options.idempotencyKey),
      name: optionalString("runName", options.runName),
    };
    if (body.idempotencyKey !== undefined && body.idempotencyKey.length > 255) {
      throw new InvalidArgumentError(
        "idempotencyKey must be at most 255 characters",
      );
    }
    return displayable(
      await this.client.request<FlowRun>("POST", "/flow-runs", {
        ...call,
        body,
      }),
      (renderers, run) => renderers.renderFlowRun(run),
    );
  }

  /**
   * Reads a flow run, with its state history.
   *
   * @param id The run's id.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The run.
   * @throws {NotFoundError} When there is no such run in the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(id: string, client: Client) {
   *   const run = await client.flowRuns.get(id);
   *   console.log(run.state.type, run.history?.length);
   * }
   * ```
   */
  async get(id: string, call?: CallOptions): Promise<FlowRun> {
    return displayable(
      await this.client.request<FlowRun>(
        "GET",
        `/flow-runs/${segment("id", id)}`,
        call,
      ),
      (renderers, run) => renderers.renderFlowRun(run),
    );
  }

  /**
   * Lists flow runs, newest first: `await` it for the first page, or walk
   * every run with `for await`, fetching page after page as the loop asks.
   *
   * @param options Filters (state, flow, name, creation time), and the page
   * size.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The runs, as a {@linkcode Listing}; `toArray()` collects them.
   * @throws {InvalidArgumentError} At once, when an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   for await (const run of client.flowRuns.list({ state: "FAILED", limit: 50 })) {
   *     console.log(run.id);
   *   }
   * }
   * ```
   */
  list(
    options: ListFlowRunsOptions = {},
    call?: CallOptions,
  ): Listing<FlowRun> {
    requireObject("options", options);
    const query = {
      flowId: optionalString("flowId", options.flowId),
      versionGroupId: optionalString("versionGroupId", options.versionGroupId),
      state: options.state === undefined
        ? undefined
        : requireStateType("state", options.state),
      scheduledBefore: options.scheduledBefore === undefined
        ? undefined
        : requireTime("scheduledBefore", options.scheduledBefore),
      name: optionalString("name", options.name),
      createdAfter: options.createdAfter === undefined
        ? undefined
        : requireTime("createdAfter", options.createdAfter),
      createdBefore: options.createdBefore === undefined
        ? undefined
        : requireTime("createdBefore", options.createdBefore),
      limit: optionalPageSize(options.limit),
    };
    return new Listing<FlowRun>(this.client, "/flow-runs", { query, call });
  }

  /**
   * Proposes a new state. The server checks the version (optimistic locking)
   * and refuses to leave a terminal state.
   *
   * @param id The run's id.
   * @param options The version read last and the new state.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The stored state and the new version.
   * @throws {InvalidArgumentError} When the version or state is invalid.
   * @throws {ConflictError} For a stale version (`code` `"stale_version"`) or
   * a terminal state (`"invalid_transition"`).
   *
   * @example
   * ```ts
   * import type { Client, FlowRun } from "@runplane/client";
   *
   * async function example(client: Client, run: FlowRun) {
   *   const { version } = await client.flowRuns.setState(run.id, { version: run.version, state: "RUNNING" });
   *   await client.flowRuns.setState(run.id, { version, state: { type: "SUCCESS", result: 42 } });
   * }
   * ```
   */
  async setState(
    id: string,
    options: SetFlowRunStateOptions,
    call?: CallOptions,
  ): Promise<StateChange> {
    const path = `/flow-runs/${segment("id", id)}/state`;
    requireObject("options", options);
    const version = requireWholeNumber("version", options.version, 0);
    const state = requireState(options.state);
    const change = await this.client.request<StateChange>("POST", path, {
      ...call,
      body: { version, state },
    });
    displayable(
      change.state,
      (renderers, state) => renderers.renderState(state),
    );
    return change;
  }

  /**
   * Cancels a run: reads its version and sets it `CANCELLED`, reading again
   * when another writer changed it in between. A runner serving the run sees
   * the change at its next heartbeat and aborts.
   *
   * @param id The run's id.
   * @param options An optional message for the `CANCELLED` state.
   * @param call This call's options: signal, timeout, retries, headers. An
   * `idempotencyKey` is not sent: each attempt writes the version it read, and
   * cancelling a cancelled run is a `ConflictError` already.
   * @returns The stored `CANCELLED` state and the new version.
   * @throws {NotFoundError} When there is no such run in the tenant.
   * @throws {ConflictError} When the run has already finished
   * (`code` `"invalid_transition"`).
   *
   * @example
   * ```ts
   * import type { Client, FlowRun } from "@runplane/client";
   *
   * async function example(client: Client, run: FlowRun) {
   *   const { state } = await client.flowRuns.cancel(run.id, { message: "wrong day" });
   *   console.assert(state.type === "CANCELLED");
   * }
   * ```
   */
  async cancel(
    id: string,
    options: CancelFlowRunOptions = {},
    call?: CallOptions,
  ): Promise<StateChange> {
    requireObject("options", options);
    const message = optionalString("message", options.message);
    const { idempotencyKey: _, ...each } = call ?? {};
    // Bounded: each retry means another writer moved the run meanwhile.
    for (let attempt = 1;; attempt++) {
      const { version } = await this.get(id, each);
      try {
        return await this.setState(id, {
          version,
          state: { type: "CANCELLED", message },
        }, each);
      } catch (error) {
        const stale = error instanceof ConflictError &&
          error.code === "stale_version";
        if (!stale || attempt === 5) throw error;
      }
    }
  }

  /**
   * Polls a run until it reaches a terminal state (`SUCCESS`, `FAILED`,
   * `CANCELLED` or `CACHED`).
   *
   * @param id The run's id.
   * @param options Poll intervals, a timeout and a signal for the whole
   * wait, and a progress callback.
   * @param call The options of each poll's request; without a `signal` of
   * their own, `options.signal` also ends a poll in flight.
   * @returns The run's terminal state.
   * @throws {NotFoundError} When there is no such run in the tenant.
   * @throws {TimeoutError} When `timeoutMs` passes first.
   * @throws {AbortError} When `options.signal` aborts.
   *
   * @example
   * ```ts
   * import type { Client, FlowRun } from "@runplane/client";
   *
   * async function example(client: Client, run: FlowRun) {
   *   const final = await client.flowRuns.wait(run.id, { timeoutMs: 60_000 });
   *   console.log(final.type);
   * }
   * ```
   */
  async wait(
    id: string,
    options: WaitForFlowRunOptions = {},
    call?: CallOptions,
  ): Promise<State> {
    requireObject("options", options);
    segment("id", id);
    let interval = requireWholeNumber(
      "pollIntervalMs",
      options.pollIntervalMs ?? 1000,
      1,
    );
    const maxInterval = requireWholeNumber(
      "maxPollIntervalMs",
      options.maxPollIntervalMs ?? 10_000,
      1,
    );
    const deadline = options.timeoutMs === undefined
      ? Infinity
      : Date.now() + requireWholeNumber("timeoutMs", options.timeoutMs, 0);
    for (;;) {
      if (options.signal?.aborted) {
        throw new AbortError(`Waiting for flow run ${id} was aborted`, {
          cause: options.signal.reason,
        });
      }
      // An abort of the wait also ends the poll in flight.
      const run = await this.get(id, { signal: options.signal, ...call });
      await options.onProgress?.(run);
      if (TERMINAL_STATE_TYPES.includes(run.state.type)) return run.state;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new TimeoutError(
          `Flow run ${id} did not finish within ${options.timeoutMs} ms`,
        );
      }
      try {
        await sleep(Math.min(interval, maxInterval, left), options.signal);
      } catch (cause) {
        throw new AbortError(`Waiting for flow run ${id} was aborted`, {
          cause,
        });
      }
      interval = Math.ceil(interval * 1.5);
    }
  }

  /**
   * Tells the server the run is alive. Never throws.
   *
   * @param id The run's id.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns `true` when the server took it, `false` on any failure, and
   * once the run has finished (the server answers 409 then).
   *
   * @example
   * ```ts
   * import type { Client, FlowRun } from "@runplane/client";
   *
   * async function example(client: Client, run: FlowRun) {
   *   if (!await client.flowRuns.heartbeat(run.id)) console.warn("heartbeat lost");
   * }
   * ```
   */
  heartbeat(id: string, call?: CallOptions): Promise<boolean> {
    return this.heartbeatAt("flow-runs", id, call);
  }
}

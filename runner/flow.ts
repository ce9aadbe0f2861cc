/**
 * {@linkcode flow}: define a flow whose runs the runner records on the
 * server, state by state, with heartbeats, logs and cancellation.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import { getOrCreateClient } from "../client/context.ts";
import {
  AbortError,
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  RunplaneError,
} from "../errors.ts";
import {
  optionalBoolean,
  optionalString,
  requireObject,
  requireString,
  requireWholeNumber,
} from "../client/resources/_validate.ts";
import { type FlowRun, TERMINAL_STATE_TYPES } from "../api/mod.ts";
import { type FlowSpec, flowSpecs } from "./_flow_spec.ts";
import { registerFlow } from "./_register_flow.ts";
import type { RunContext } from "./_run_scope.ts";

/** Options of {@linkcode flow}. */
export interface FlowOptions {
  /**
   * The project the flow belongs to, by name; created when missing.
   *
   * @default {"default"}
   */
  project?: string;
  /** A description, kept in the flow's definition. */
  description?: string;
  /**
   * Also ship `console.log/info/warn/error/debug` made inside a run (and
   * only that run) as its log lines. The console prints as usual.
   *
   * @default {false}
   */
  logPrints?: boolean;
  /**
   * How often a run and its task runs send heartbeats, in milliseconds; each
   * flow-run heartbeat also checks whether the run was cancelled.
   *
   * @default {30000}
   */
  heartbeatIntervalMs?: number;
}

/** Options of {@linkcode FlowDefinition.run}. */
export interface FlowRunOptions {
  /**
   * The client to run as.
   *
   * @default {the active client, else one from the environment, closed afterwards}
   */
  client?: Client;
  /**
   * Aborts the run: its context's signal aborts, the run is stored
   * `CANCELLED` and `run()` rejects with an {@linkcode AbortError}.
   */
  signal?: AbortSignal;
  /**
   * Makes the run once: the same key within 24 hours finds the same flow
   * run, and a run that already succeeded resolves with its stored result
   * (`undefined` when the result was not stored: see `MAX_RESULT_BYTES`); a
   * run that failed, or is running elsewhere, rejects with a
   * {@linkcode RunplaneError} that says so.
   */
  idempotencyKey?: string;
}

/**
 * A flow's function: its parameters, and the run's context.
 *
 * @typeParam P The parameters, a JSON object.
 * @typeParam R What it returns.
 */
export type FlowFunction<P extends object, R> = (
  params: P,
  context: RunContext,
) => R | Promise<R>;

/**
 * A flow made by {@linkcode flow}.
 *
 * @typeParam P The parameters, a JSON object.
 * @typeParam R What a run resolves with.
 */
export interface FlowDefinition<P extends object, R> {
  /** The flow's name. */
  readonly name: string;
  /**
   * Runs the flow in this process and records the run on the server:
   * registers the flow when needed, creates a flow run, moves it `PENDING`,
   * `RUNNING`, then `SUCCESS` (with the result, when it is JSON of at most
   * 64 KiB) or `FAILED` (with the error's message). The function runs inside
   * `client.session()`, so `getActiveClient()` and `getOrCreateClient()` give
   * the run's client.
   *
   * @param params The run's parameters, a JSON object.
   * @param options The client, a signal and an idempotency key.
   * @returns What the function returned.
   * @throws What the function threw, after the run was stored `FAILED`.
   * @throws {AbortError} When the run was cancelled or `signal` aborted.
   * @throws {InvalidArgumentError} When `params` or an option is invalid.
   */
  run(params: P, options?: FlowRunOptions): Promise<R>;
}

const DEFAULT_PROJECT = "default";
const DEFAULT_HEARTBEAT_MS = 30_000;

/**
 * Defines a flow. Calling `run()` runs `fn` in this process and records
 * everything on the server; `serve()` runs it for scheduled runs.
 *
 * @typeParam P The parameters, a JSON object.
 * @typeParam R What the function returns.
 * @param name The flow's name, unique in its project.
 * @param fn The flow's function, called as `fn(params, context)`.
 * @returns The flow.
 * @throws {InvalidArgumentError} When the name or `fn` is invalid.
 *
 * @example
 * ```ts ignore
 * import { flow } from "@runplane/client";
 *
 * const hello = flow("hello", ({ who }: { who: string }) => `Hello, ${who}`);
 * console.log(await hello.run({ who: "Ada" }, { client }));
 * ```
 */
export function flow<P extends object, R>(
  name: string,
  fn: FlowFunction<P, R>,
): FlowDefinition<P, R>;
/**
 * Defines a flow with options: its project, description, console capture
 * and heartbeat interval. A change of options registers a new version of
 * the flow on its next run.
 *
 * @typeParam P The parameters, a JSON object.
 * @typeParam R What the function returns.
 * @param name The flow's name, unique in its project.
 * @param options The project, description, `logPrints` and heartbeat interval.
 * @param fn The flow's function, called as `fn(params, context)`.
 * @returns The flow.
 * @throws {InvalidArgumentError} When the name, an option or `fn` is invalid.
 *
 * @example
 * ```ts ignore
 * import { flow, task } from "@runplane/client";
 *
 * const extract = task("extract", async (day: string) => [day]);
 * const nightly = flow("nightly", { project: "churn", logPrints: true }, async ({ day }: { day: string }) => {
 *   console.log(`Extracting ${day}`);
 *   return (await extract(day)).length;
 * });
 * const rows = await nightly.run({ day: "2026-11-29" }, { client });
 * ```
 */
export function flow<P extends object, R>(
  name: string,
  options: FlowOptions,
  fn: FlowFunction<P, R>,
): FlowDefinition<P, R>;
export function flow<P extends object, R>(
  name: string,
  optionsOrFn: FlowOptions | FlowFunction<P, R>,
  maybeFn?: FlowFunction<P, R>,
): FlowDefinition<P, R> {
  const [options, fn] = typeof optionsOrFn === "function"
    ? [{}, optionsOrFn]
    : [optionsOrFn, maybeFn];
  requireString("name", name);
  requireObject("options", options);
  if (typeof fn !== "function") {
    throw new InvalidArgumentError(
      `flow("${name}") needs a function: flow(name, options, fn)`,
    );
  }
  const spec: FlowSpec = {
    name,
    options: {
      project: optionalString("project", options.project) ?? DEFAULT_PROJECT,
      description: optionalString("description", options.description) ??
        null,
      logPrints: optionalBoolean("logPrints", options.logPrints) ?? false,
      heartbeatIntervalMs: requireWholeNumber(
        "heartbeatIntervalMs",
        options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
        1,
      ),
    },
    fn: fn as FlowSpec["fn"],
  };
  const definition: FlowDefinition<P, R> = {
    name,
    async run(params, runOptions = {}) {
      requireObject("params", params);
      requireObject("options", runOptions);
      const idempotencyKey = optionalString(
        "idempotencyKey",
        runOptions.idempotencyKey,
      );
      const signal = runOptions.signal;
      if (signal?.aborted) {
        throw new AbortError(`Flow ${name} was aborted before it started`, {
          cause: signal.reason,
        });
      }
      const [client, found] = getOrCreateClient(runOptions.client);
      try {
        const run = await createRun(client, spec, params, idempotencyKey);
        if (run.state.type !== "SCHEDULED") return replay(run) as R;
        let change;
        try {
          change = await client.flowRuns.setState(run.id, {
            version: run.version,
            state: "PENDING",
          });
        } catch (error) {
          // Another call with the same idempotency key claimed it first.
          if (!(error instanceof ConflictError)) throw error;
          return replay(await client.flowRuns.get(run.id)) as R;
        }
        const { executeFlowRun } = await loadExecution();
        return await executeFlowRun(spec, client, {
          ...run,
          state: change.state,
          version: change.version,
        }, signal) as R;
      } finally {
        if (!found) await client.close();
      }
    },
  };
  flowSpecs.set(definition, spec);
  return Object.freeze(definition);
}

/**
 * The code that runs a flow (its state changes, logs and console capture) is
 * loaded by the first run, not with the client: most programs that import
 * the client never run a flow here, and each module adds to every cold
 * start. One `import()` per process; later runs get the loaded module. That
 * first import may happen inside a `session()`: Deno 2.9 then leaks the
 * session's store to the root context, which the client's scopes ignore
 * once their session has ended (`client/_scope.ts`).
 */
export function loadExecution(): Promise<typeof import("./_execute_flow.ts")> {
  return import("./_execute_flow.ts");
}

async function createRun(
  client: Client,
  spec: FlowSpec,
  params: object,
  idempotencyKey: string | undefined,
): Promise<FlowRun> {
  const create = async (forget: boolean) =>
    await client.flowRuns.create({
      flowId: (await registerFlow(client, spec, forget)).id,
      parameters: params as Record<string, unknown>,
      idempotencyKey,
    });
  try {
    return await create(false);
  } catch (error) {
    // The flow this client registered earlier was deleted since.
    if (!(error instanceof NotFoundError)) throw error;
    return await create(true);
  }
}

/** The outcome of a run that an earlier call with the same key made. */
function replay(run: FlowRun): unknown {
  if (run.state.type === "SUCCESS") return run.state.result;
  throw new RunplaneError(
    TERMINAL_STATE_TYPES.includes(run.state.type)
      ? `Flow run ${run.name} of this idempotency key already ended ${run.state.type}${
        run.state.message ? `: ${run.state.message}` : ""
      }`
      : `Flow run ${run.name} of this idempotency key is already ${run.state.type}: wait for it with client.flowRuns.wait()`,
  );
}

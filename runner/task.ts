/**
 * {@linkcode task}: define a task whose calls inside a flow are recorded as
 * task runs, with tag limits, retries, caching, heartbeats and logs.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import {
  requireObject,
  requireString,
  requireWholeNumber,
} from "../client/resources/_validate.ts";
import { type ActiveFlowRun, currentRunScope } from "./_run_scope.ts";
import type { TaskSpec } from "./_task_spec.ts";

/**
 * Options of {@linkcode task}.
 *
 * @typeParam A The task's parameters.
 */
export interface TaskOptions<A extends unknown[]> {
  /**
   * Tags, for the server's concurrency limits: a call whose tag is at its
   * limit is `QUEUED` and waits the server's `retryAfterMs` before it tries
   * again, until it runs.
   *
   * @default {[]}
   */
  tags?: string[];
  /**
   * How many times a failed call is tried again; between attempts the task
   * run is `RETRYING`.
   *
   * @default {0}
   */
  retries?: number;
  /**
   * How long to wait before trying again, in milliseconds.
   *
   * @default {0}
   */
  retryDelayMs?: number;
  /**
   * How long a result stays cached, in milliseconds; needs `cacheKey`. A
   * call first looks for an unexpired result under its key: if there is one,
   * the task run ends `CACHED` with it and the function does not run. Only
   * results that are JSON (no `Date`, `Map`, class instance or `undefined`)
   * of at most 64 KiB are cached; others are returned but not stored.
   */
  cacheFor?: number;
  /** The cache key of a call, from its arguments; needs `cacheFor`. */
  cacheKey?: (...args: A) => string;
  /**
   * How often a running task run sends heartbeats, in milliseconds.
   *
   * @default {the flow's heartbeatIntervalMs}
   */
  heartbeatIntervalMs?: number;
}

/** The arguments of a task after its first. */
export type RestParameters<A extends unknown[]> = A extends
  [unknown, ...infer T] ? T : [];

/**
 * A task made by {@linkcode task}: call it like its function.
 *
 * @typeParam A The task's parameters.
 * @typeParam R What a call resolves with.
 */
export interface TaskDefinition<A extends unknown[], R> {
  /**
   * Inside a flow run, records a task run (the n-th call of the task in
   * the run has map index n, from 0) and runs the function; outside one,
   * just calls the function.
   *
   * @param args The function's arguments.
   * @returns What the function returned (or the cached result).
   * @throws What the last attempt threw, after the task run was stored `FAILED`.
   */
  (...args: A): Promise<R>;
  /** The task's name: its task id on the server. */
  readonly name: string;
  /**
   * Calls the task once per item, all at once, and waits for every call.
   *
   * @param items The first argument of each call.
   * @param rest The other arguments, the same for every call.
   * @returns The results, in the order of `items`.
   * @throws The first call's error (in item order), once every call settled.
   */
  map(items: Iterable<A[0]>, ...rest: RestParameters<A>): Promise<R[]>;
}

/**
 * Defines a task.
 *
 * @typeParam A The function's parameters.
 * @typeParam R What the function returns.
 * @param name The task's name: its task id on the server.
 * @param fn The function.
 * @returns The task, to call like `fn`.
 * @throws {InvalidArgumentError} When the name or `fn` is invalid.
 *
 * @example
 * ```ts
 * import { task } from "./task.ts";
 *
 * const double = task("double", (n: number) => n * 2);
 * console.assert(await double(21) === 42); // outside a flow: a plain call
 * ```
 */
export function task<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => R | Promise<R>,
): TaskDefinition<A, Awaited<R>>;
/**
 * Defines a task with options: tags, retries, caching and heartbeats.
 *
 * @typeParam A The function's parameters.
 * @typeParam R What the function returns.
 * @param name The task's name: its task id on the server.
 * @param options Tags, retries, caching and the heartbeat interval.
 * @param fn The function.
 * @returns The task, to call like `fn`.
 * @throws {InvalidArgumentError} When the name, an option or `fn` is invalid.
 *
 * @example
 * ```ts
 * import { task } from "./task.ts";
 *
 * const train = task("train", {
 *   retries: 2,
 *   retryDelayMs: 500,
 *   cacheFor: 3_600_000,
 *   cacheKey: (day: string) => `train-${day}`,
 * }, (day: string) => ({ day, auc: 0.91 }));
 * console.assert((await train("2026-11-29")).auc === 0.91);
 * ```
 */
export function task<A extends unknown[], R>(
  name: string,
  options: TaskOptions<A>,
  fn: (...args: A) => R | Promise<R>,
): TaskDefinition<A, Awaited<R>>;
export function task<A extends unknown[], R>(
  name: string,
  optionsOrFn: TaskOptions<A> | ((...args: A) => R | Promise<R>),
  maybeFn?: (...args: A) => R | Promise<R>,
): TaskDefinition<A, Awaited<R>> {
  const [options, fn] = typeof optionsOrFn === "function"
    ? [{} as TaskOptions<A>, optionsOrFn]
    : [optionsOrFn, maybeFn];
  requireString("name", name);
  requireObject("options", options);
  if (typeof fn !== "function") {
    throw new InvalidArgumentError(
      `task("${name}") needs a function: task(name, options, fn)`,
    );
  }
  const spec = taskSpec(name, options, fn);
  const call = function runTask(...args: A) {
    return callTask(spec, args);
  } as TaskDefinition<A, Awaited<R>>;
  Object.defineProperties(call, {
    name: { value: name },
    map: {
      value: async function mapTask(
        items: Iterable<A[0]>,
        ...rest: RestParameters<A>
      ) {
        const calls = [...items].map((item) =>
          callTask(spec, [item, ...rest] as unknown as A)
        );
        const settled = await Promise.allSettled(calls);
        const failed = settled.find((result) => result.status === "rejected");
        if (failed) throw (failed as PromiseRejectedResult).reason;
        return settled.map((result) =>
          (result as PromiseFulfilledResult<Awaited<R>>).value
        );
      },
    },
  });
  return Object.freeze(call);
}

function taskSpec<A extends unknown[], R>(
  name: string,
  options: TaskOptions<A>,
  fn: (...args: A) => R | Promise<R>,
): TaskSpec<A, R> {
  const tags = options.tags ?? [];
  if (
    !Array.isArray(tags) ||
    !tags.every((tag) => typeof tag === "string" && tag !== "")
  ) {
    throw new InvalidArgumentError(
      "tags must be an array of non-empty strings",
    );
  }
  if ((options.cacheFor === undefined) !== (options.cacheKey === undefined)) {
    throw new InvalidArgumentError(
      "cacheFor and cacheKey go together: give both to cache results, or neither",
    );
  }
  if (
    options.cacheKey !== undefined && typeof options.cacheKey !== "function"
  ) {
    throw new InvalidArgumentError(
      "cacheKey must be a function from the task's arguments to a string",
    );
  }
  return {
    name,
    tags: [...tags],
    retries: requireWholeNumber("retries", options.retries ?? 0, 0),
    retryDelayMs: requireWholeNumber(
      "retryDelayMs",
      options.retryDelayMs ?? 0,
      0,
    ),
    cacheFor: options.cacheFor === undefined
      ? undefined
      : requireWholeNumber("cacheFor", options.cacheFor, 1),
    cacheKey: options.cacheKey,
    heartbeatIntervalMs: options.heartbeatIntervalMs === undefined
      ? undefined
      : requireWholeNumber(
        "heartbeatIntervalMs",
        options.heartbeatIntervalMs,
        1,
      ),
    fn,
  };
}

/**
 * One call of a task: outside a flow run, just the function; inside one,
 * recorded by `_execute_task.ts`, which the process's first such call loads.
 */
async function callTask<A extends unknown[], R>(
  spec: TaskSpec<A, R>,
  args: A,
): Promise<Awaited<R>> {
  const scope = currentRunScope();
  if (scope === undefined) return await spec.fn(...args);
  const active = scope.active;
  if (active.signal.aborted) throw active.signal.reason;
  // Taken before the first await, so calls get indexes in call order.
  const index = nextMapIndex(active, spec.name);
  const { executeTask } = await import("./_execute_task.ts");
  return await executeTask(spec, args, active, index);
}

function nextMapIndex(active: ActiveFlowRun, name: string): number {
  const index = active.taskCalls.get(name) ?? 0;
  active.taskCalls.set(name, index + 1);
  return index;
}

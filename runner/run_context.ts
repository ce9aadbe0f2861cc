/**
 * {@linkcode getRunContext}: the flow run and task run that the current code
 * runs in.
 *
 * @module
 */

import { currentRunScope, type RunContext } from "./_run_scope.ts";

export type { RunContext } from "./_run_scope.ts";

/**
 * The current flow run, task run and signal, inside a flow's or a task's
 * function (and everything it starts); `undefined` outside a run. Concurrent
 * runs in one process each see their own.
 *
 * @returns The context, or `undefined` outside a run.
 *
 * @example
 * ```ts
 * import { getRunContext } from "./run_context.ts";
 *
 * console.assert(getRunContext() === undefined);
 * ```
 */
export function getRunContext(): RunContext | undefined {
  return currentRunScope()?.context;
}

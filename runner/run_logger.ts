// deno-lint-ignore-file no-console
/**
 * {@linkcode getRunLogger}: a logger that ships lines to the current flow run
 * or task run.
 *
 * @module
 */

import type { LogLevel } from "../api/mod.ts";
import { currentRunScope, type RunScope } from "./_run_scope.ts";

/** Ships lines to a run; never throws and never waits for the network. */
export interface RunLogger {
  /**
   * Logs a `DEBUG` line.
   *
   * @param message The line.
   */
  debug(message: string): void;
  /**
   * Logs an `INFO` line.
   *
   * @param message The line.
   */
  info(message: string): void;
  /**
   * Logs a `WARNING` line.
   *
   * @param message The line.
   */
  warning(message: string): void;
  /**
   * Logs an `ERROR` line.
   *
   * @param message The line.
   */
  error(message: string): void;
}

/**
 * A logger for the current run: inside a task its lines belong to the task
 * run (and its flow run), elsewhere in a flow to the flow run. Lines go
 * through the run's log writer in the background and are all sent before
 * the run's final state is written; a line logged after that is dropped.
 * Outside a run (a task called as a plain function) the lines go to the
 * console instead, so the same code runs either way.
 *
 * @returns The logger of the current run, or a console logger.
 *
 * @example
 * ```ts ignore
 * import { flow, getRunLogger } from "@runplane/client";
 *
 * const nightly = flow("nightly", async () => {
 *   getRunLogger().info("Starting");
 * });
 * ```
 */
export function getRunLogger(): RunLogger {
  const scope = currentRunScope();
  if (scope === undefined) return CONSOLE_LOGGER;
  return {
    debug: (message) => logTo(scope, "DEBUG", message),
    info: (message) => logTo(scope, "INFO", message),
    warning: (message) => logTo(scope, "WARNING", message),
    error: (message) => logTo(scope, "ERROR", message),
  };
}

const CONSOLE_LOGGER: RunLogger = Object.freeze({
  debug: (message: string) => console.debug(message),
  info: (message: string) => console.info(message),
  warning: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
});

/** Buffers a line for the scope's run; `String()` of anything else. */
export function logTo(
  scope: RunScope,
  level: LogLevel,
  message: unknown,
): void {
  scope.active.logs.log(
    scope.context.taskRun?.id,
    level,
    typeof message === "string" ? message : String(message),
  );
}

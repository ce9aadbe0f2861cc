/**
 * What a task definition holds behind its public face, for the modules that
 * run it (`task.ts` and `_execute_task.ts`).
 *
 * @module
 */

/** A task as the runner sees it: its validated options and its function. */
export interface TaskSpec<A extends unknown[], R> {
  name: string;
  tags: string[];
  retries: number;
  retryDelayMs: number;
  cacheFor: number | undefined;
  cacheKey: ((...args: A) => string) | undefined;
  heartbeatIntervalMs: number | undefined;
  fn: (...args: A) => R | Promise<R>;
}

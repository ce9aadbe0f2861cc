/**
 * What a flow definition holds behind its public face, for the modules that
 * run it (`flow.ts` and the agent, `_agent.ts`).
 *
 * @module
 */

import type { RunContext } from "./_run_scope.ts";

/** A flow's validated options. */
export interface FlowSpecOptions {
  /** The project's name. */
  project: string;
  /** The description, or `null`. */
  description: string | null;
  /** Whether console output is shipped as log lines. */
  logPrints: boolean;
  /** How often heartbeats are sent (and cancellation is checked). */
  heartbeatIntervalMs: number;
}

/** A flow as the runner sees it. */
export interface FlowSpec {
  /** The flow's name. */
  name: string;
  /** Its options. */
  options: FlowSpecOptions;
  /** Its function. */
  fn: (params: never, context: RunContext) => unknown;
}

/** Flow definitions to their specs. */
export const flowSpecs: WeakMap<object, FlowSpec> = new WeakMap();

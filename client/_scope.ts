/**
 * The storage behind the active-client scope. A scope records when its
 * `session()` ended: Deno 2.9 can leak a store into the root context after a
 * first-time dynamic `import()` inside `run()`, and an ended scope must not
 * be taken for a live one.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";

/** One active-client scope. */
export interface Scope<C> {
  /** The active client, or `undefined` for an explicitly empty scope. */
  readonly client: C | undefined;
  /** Set when the scope's function has settled. */
  ended: boolean;
}

// deno-lint-ignore no-explicit-any
const storage = new AsyncLocalStorage<Scope<any>>();

/**
 * Runs `fn` in a new scope with `client` active, and marks the scope ended
 * when `fn` settles. Only `run()` sets a scope: never `enterWith()`.
 */
export async function runInScope<C, R>(
  client: C | undefined,
  fn: () => R | Promise<R>,
): Promise<R> {
  const scope: Scope<C> = { client, ended: false };
  try {
    return await storage.run(scope, fn);
  } finally {
    scope.ended = true;
  }
}

/** The client of the current scope, unless the scope has ended. */
export function activeInScope<C>(): C | undefined {
  const scope = storage.getStore() as Scope<C> | undefined;
  return scope === undefined || scope.ended ? undefined : scope.client;
}

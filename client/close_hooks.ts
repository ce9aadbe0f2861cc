/**
 * Work to finish before an object closes, such as a log writer flushing its
 * buffer before its client goes. Hooks are keyed by the object itself, so a
 * resource registers on whatever client it was given, without knowing its
 * class, and only the owner decides when they run.
 *
 * @example
 * ```ts
 * import { onClose, runCloseHooks } from "./close_hooks.ts";
 *
 * const owner = {};
 * let flushed = false;
 * onClose(owner, () => {
 *   flushed = true;
 *   return Promise.resolve();
 * });
 * await runCloseHooks(owner);
 * console.assert(flushed);
 * ```
 *
 * @module
 */

/** Work to finish before the owner closes. */
export type CloseHook = () => Promise<void>;

const hooksByOwner = new WeakMap<object, Set<CloseHook>>();

/**
 * Runs `hook` when `owner` closes, before it is released. Returns a function
 * that removes the hook.
 *
 * @param owner The object whose closing runs the hook.
 * @param hook The work to finish.
 * @returns A function that removes the hook.
 */
export function onClose(owner: object, hook: CloseHook): () => void {
  let hooks = hooksByOwner.get(owner);
  if (hooks === undefined) {
    hooks = new Set();
    hooksByOwner.set(owner, hooks);
  }
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/**
 * Runs and forgets every hook registered on `owner`, all at once.
 *
 * @param owner The closing object.
 */
export async function runCloseHooks(owner: object): Promise<void> {
  const hooks = [...hooksByOwner.get(owner) ?? []];
  hooksByOwner.delete(owner);
  await Promise.all(hooks.map((hook) => hook()));
}

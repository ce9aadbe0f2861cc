/**
 * Ctrl-C for the commands that wait (`flow-runs watch`, `logs --follow`):
 * SIGINT aborts a signal, the command cleans up (the status line cleared,
 * the cursor shown) and `runplane` exits 130, as a shell expects of a
 * program that Ctrl-C ended.
 *
 * @module
 */

/** The exit code of a command ended by Ctrl-C: 128 + SIGINT. */
export const INTERRUPTED = 130;

/**
 * Runs `fn` with a signal that SIGINT (or `outer`, a test's stand-in)
 * aborts, and resolves {@linkcode INTERRUPTED} when it did.
 */
export async function interruptible(
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<number>,
): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error("Interrupted"));
  const onOuter = () => controller.abort(outer!.reason);
  outer?.addEventListener("abort", onOuter, { once: true });
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onSignal);
    listening = true;
  } catch {
    // No signals here (Windows without a console, Deploy): Ctrl-C kills.
  }
  try {
    return await fn(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) return INTERRUPTED;
    throw error;
  } finally {
    outer?.removeEventListener("abort", onOuter);
    if (listening) Deno.removeSignalListener("SIGINT", onSignal);
  }
}

/**
 * `promise`, or the signal's reason as soon as it aborts: Ctrl-C does not
 * wait for a request in flight (which the client closes when the command
 * ends).
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
  });
}

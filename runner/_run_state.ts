/**
 * Small rules shared by flow runs and task runs: the message a failure
 * leaves in a state, and waiting on a promise until a signal aborts.
 *
 * @module
 */

/** The server keeps state messages of at most this many characters. */
const MAX_MESSAGE_CHARS = 10_000;

/** The message a failed run's state carries: the error's own message. */
export function failureMessage(error: unknown): string {
  const message = error instanceof Error
    ? error.message || error.name
    : String(error);
  return message.length > MAX_MESSAGE_CHARS
    ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`
    : message;
}

/** Settles like `promise`, or rejects with the signal's reason when it aborts first. */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
  });
}

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

/**
 * How long a cancelled flow's code may take to notice its signal and settle,
 * so that its task runs record their own `CANCELLED`, before the run stops
 * waiting for it.
 */
export const CANCEL_GRACE_MS = 5_000;

/**
 * Settles like `promise`; once the signal aborts, waits at most `graceMs`
 * more for it to settle, then rejects with the signal's reason.
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  graceMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(signal.reason), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    });
  });
}

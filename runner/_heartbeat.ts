/**
 * A heartbeat: a tick on a timer that never throws, never overlaps itself and
 * never keeps the process alive.
 *
 * @module
 */

/** A running heartbeat. */
export interface Heartbeat {
  /** Stops the timer and waits for a tick in flight, so nothing outlives the run. */
  stop(): Promise<void>;
}

/**
 * Calls `tick` every `intervalMs` (the next wait starts when a tick ends).
 * A tick's failure is ignored: a heartbeat must never fail the run.
 */
export function startHeartbeat(
  intervalMs: number,
  tick: () => Promise<unknown>,
): Heartbeat {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const schedule = () => {
    timer = setTimeout(function beat() {
      timer = undefined;
      inFlight = tick().then(() => {}, () => {}).finally(() => {
        inFlight = undefined;
        if (!stopped) schedule();
      });
    }, intervalMs);
    Deno.unrefTimer(timer);
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
  };
}

/**
 * {@linkcode ClientOptions}, and the check that turns a wrong one into a
 * clear error before the client is built.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { Credentials } from "../auth/credentials.ts";
import type { Config, LoadConfigOptions } from "../config/config.ts";
import type { BackoffOptions } from "../transport/retry.ts";
import type { RequestLogger } from "../transport/transport.ts";

/** Options for `new Client()`. */
export interface ClientOptions {
  /** Who the client is. `{ useEnv: true }` is resolved here. */
  credentials: Credentials;
  /**
   * A {@linkcode Config} from `loadConfig()`, or options for it.
   *
   * @default {loadConfig()}
   */
  config?: Config | LoadConfigOptions;
  /**
   * The `fetch` to send with.
   *
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Waits between retries.
   *
   * @default {{ initialDelayMs: 500, maxDelayMs: 8000 }}
   */
  retryBackoff?: BackoffOptions;
  /** Receives one event per attempt, with credential headers redacted. */
  logger?: RequestLogger;
}

/**
 * Checks the options that `loadConfig()` does not: the functions and the
 * backoff.
 *
 * @param options The client's options.
 * @throws {InvalidArgumentError} Naming the wrong option.
 */
export function checkClientOptions(options: ClientOptions): void {
  for (const name of ["fetch", "logger"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new InvalidArgumentError(
        `Client option ${name} must be a function`,
      );
    }
  }
  const backoff = options.retryBackoff;
  if (backoff === undefined) return;
  for (const name of ["initialDelayMs", "maxDelayMs"] as const) {
    const value = backoff[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new InvalidArgumentError(
        `Client option retryBackoff.${name} must be a number of milliseconds of at least 0`,
      );
    }
  }
}

/**
 * Client factories for tests: fast backoff, and no environment or `.env`
 * file leaking in from the machine.
 *
 * @module
 */

import { Client } from "../../client/client.ts";
import type { ClientOptions } from "../../client/client_options.ts";
import { Credentials } from "../../auth/credentials.ts";
import type { LoadConfigOptions } from "../../config/config.ts";

/** Options for {@linkcode testClient}; `config` is merged over the test defaults. */
export interface TestClientOptions
  extends Omit<ClientOptions, "credentials" | "config"> {
  /** Defaults to token credentials `rp_test_token`. */
  credentials?: Credentials;
  /** Merged over `{ endpoints, envFile: false, env: {} }`. */
  config?: LoadConfigOptions;
}

/** Backoff that keeps retry tests fast. */
export const FAST_BACKOFF = { initialDelayMs: 1, maxDelayMs: 5 } as const;

/** A client for `endpoints` with fast backoff and an empty environment. */
export function testClient(
  endpoints: string | readonly string[],
  options: TestClientOptions = {},
): Client {
  return new Client({
    retryBackoff: FAST_BACKOFF,
    ...options,
    credentials: options.credentials ??
      new Credentials({ token: "rp_test_token" }),
    config: { endpoints, envFile: false, env: {}, ...options.config },
  });
}

/** Runs `fn` and returns what it threw; fails when it does not throw. */
export async function rejection(
  fn: () => Promise<unknown> | unknown,
): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("Expected the call to throw, but it returned");
}

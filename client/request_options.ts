/**
 * The options of one call through the client, shared by `client.request()`
 * and the resources, which see the client only through `ResourceClient`.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { HTTP_TOKEN } from "../transport/_headers.ts";
import type { QueryParams } from "../transport/transport.ts";

const encoder = new TextEncoder();
/** A path below the API root: no spaces, control characters, fragment or host. */
// deno-lint-ignore no-control-regex -- control characters are what it refuses
const PATH = /^\/?(?!\/)[^\s\x00-\x1f\x7f#\\]*$/;

/**
 * The options every typed method takes as its last parameter, such as
 * `client.projects.get(id, { signal, timeoutMs: 2_000 })`. A method that
 * sends more than one request (`flowRuns.cancel`, `projects.getOrCreate`, a
 * listing's pages) applies them to each; `flowRuns.cancel` sends no
 * idempotency key.
 *
 * @example Bound one call, with no retries and a header of its own
 * ```ts
 * import type { Client } from "@runplane/client";
 *
 * async function example(client: Client) {
 *   const project = await client.projects.create({ name: "churn" }, {
 *     idempotencyKey: "create-churn",
 *     timeoutMs: 5_000,
 *     maxRetries: 0,
 *     headers: { "x-trace": "nightly" },
 *     signal: AbortSignal.timeout(10_000),
 *   });
 * }
 * ```
 */
export interface CallOptions {
  /** Headers for this call; they win over default and extra headers. */
  headers?: HeadersInit;
  /** Cancels the call, including any wait between retries. */
  signal?: AbortSignal;
  /**
   * The timeout of each attempt, in milliseconds.
   *
   * @default {config.timeoutMs}
   */
  timeoutMs?: number;
  /**
   * How many times a failed attempt is retried.
   *
   * @default {config.maxRetries}
   */
  maxRetries?: number;
  /**
   * The `Idempotency-Key` of a call that creates or changes something with
   * `POST` or `PATCH`, the same on every retry: sending the call again with
   * the same key returns the first answer instead of doing the work twice.
   * Calls that only read, and `PUT` and `DELETE` (idempotent by themselves),
   * send none.
   *
   * @default {crypto.randomUUID(), new for each call}
   */
  idempotencyKey?: string;
}

/** Options for one request of `client.request()`: a call's options, a query and a body. */
export interface RequestOptions extends CallOptions {
  /** Query parameters. */
  query?: QueryParams;
  /** A JSON body. */
  body?: unknown;
}

/**
 * Checks a call's method and path before anything is sent.
 *
 * @param method The HTTP method.
 * @param path The path below the API root.
 * @throws {InvalidArgumentError} Saying what a valid one looks like.
 */
export function checkRequestTarget(method: string, path: string): void {
  if (typeof method !== "string" || !HTTP_TOKEN.test(method)) {
    throw new InvalidArgumentError(
      "Invalid method: expected an HTTP method such as GET or POST, with no spaces",
    );
  }
  if (typeof path !== "string" || !PATH.test(path)) {
    throw new InvalidArgumentError(
      "Invalid path: expected a path below the API root such as /projects, without spaces, control characters, a fragment or a host",
    );
  }
}

/**
 * A JSON body as bytes.
 *
 * @param body Any JSON value.
 * @returns The UTF-8 bytes.
 * @throws {InvalidArgumentError} When the body cannot be serialized.
 */
export function encodeJsonBody(body: unknown): Uint8Array {
  return encoder.encode(serialize(body));
}

function serialize(body: unknown): string {
  try {
    return JSON.stringify(body);
  } catch (cause) {
    throw new InvalidArgumentError(
      "The request body cannot be serialized as JSON: pass plain objects, arrays, strings, numbers, booleans or null",
      { cause },
    );
  }
}

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

/** Options for one request. */
export interface RequestOptions {
  /** Query parameters. */
  query?: QueryParams;
  /** A JSON body. */
  body?: unknown;
  /** Headers for this call; they win over default and extra headers. */
  headers?: HeadersInit;
  /** Cancels the call, including any wait between retries. */
  signal?: AbortSignal;
  /** The timeout of each attempt, instead of `config.timeoutMs`. */
  timeoutMs?: number;
  /** Retries, instead of `config.maxRetries`. */
  maxRetries?: number;
  /**
   * The `Idempotency-Key` of a `POST` or `PATCH`, the same on every retry.
   *
   * @default {crypto.randomUUID()}
   */
  idempotencyKey?: string;
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

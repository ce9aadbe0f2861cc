/**
 * The options of one call through the client, shared by `client.request()`
 * and the resources, which see the client only through `ResourceClient`.
 *
 * @module
 */

import type { QueryParams } from "../transport/transport.ts";

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

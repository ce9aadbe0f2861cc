/**
 * HTTP idempotency: the first response to an `Idempotency-Key` is stored per
 * credential for 24 hours and replayed for a repeat of the same request; the
 * same key on a different request is a 409.
 *
 * @module
 */

import { sha256Hex, toHex } from "./crypto_box.ts";
import { errorBody, HttpError, invalidParameter } from "./http_error.ts";
import type { Store } from "./store.ts";

/** What a handler answers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const TTL_MS = 24 * 60 * 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs handlers under idempotency keys. Requests with the same credential and
 * key run one at a time, so a concurrent repeat waits and then replays.
 */
export class IdempotencyGuard {
  readonly #store: Store;
  readonly #running = new Map<string, Promise<unknown>>();

  /** @param store Where responses are kept. */
  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Answers a request, replaying a stored response when there is one.
   *
   * @param request The request (method, URL and tenant header are fingerprinted).
   * @param body Its body bytes.
   * @param credential Whose key space the key lives in.
   * @param key The `Idempotency-Key` header.
   * @param run Produces the response the first time.
   */
  async run(
    request: Request,
    body: Uint8Array,
    credential: string,
    key: string,
    run: () => Promise<Reply>,
  ): Promise<Reply> {
    if (!KEY_PATTERN.test(key)) {
      throw invalidParameter(
        "Idempotency-Key must be 1 to 255 printable ASCII characters",
      );
    }
    const lockKey = `${credential}\n${key}`;
    while (this.#running.has(lockKey)) {
      await this.#running.get(lockKey)!.catch(() => {});
    }
    const task = this.#answer(request, body, credential, key, run);
    this.#running.set(lockKey, task);
    try {
      return await task;
    } finally {
      this.#running.delete(lockKey);
    }
  }

  async #answer(
    request: Request,
    body: Uint8Array,
    credential: string,
    key: string,
    run: () => Promise<Reply>,
  ): Promise<Reply> {
    const url = new URL(request.url);
    const fingerprint = await sha256Hex(
      [
        request.method,
        url.pathname + url.search,
        request.headers.get("x-runplane-tenant") ?? "",
        toHex(
          new Uint8Array(
            await crypto.subtle.digest(
              "SHA-256",
              body as Uint8Array<ArrayBuffer>,
            ),
          ),
        ),
      ].join("\n"),
    );
    const stored = await this.#store.idempotentResponse(
      credential,
      key,
      Date.now(),
    );
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        throw new HttpError(
          409,
          "idempotency_key_reused",
          "The idempotency key was used for another request",
        );
      }
      return {
        status: stored.status,
        body: stored.body === null ? undefined : JSON.parse(stored.body),
        headers: { "idempotent-replayed": "true" },
      };
    }
    let reply: Reply;
    try {
      reply = await run();
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      reply = errorReply(error);
    }
    if (isStorable(reply.status)) {
      await this.#store.saveIdempotentResponse(
        credential,
        key,
        {
          fingerprint,
          status: reply.status,
          body: reply.body === undefined ? null : JSON.stringify(reply.body),
        },
        Date.now() + TTL_MS,
      );
    }
    return reply;
  }
}

/** The reply for an {@linkcode HttpError}. */
export function errorReply(error: HttpError): Reply {
  return {
    status: error.status,
    body: errorBody(error.code, error.message),
  };
}

function isStorable(status: number): boolean {
  return (status >= 200 && status < 300) ||
    (status >= 400 && status < 500 && status !== 401 && status !== 429);
}

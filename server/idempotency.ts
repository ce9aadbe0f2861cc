/**
 * HTTP idempotency: the first response to an `Idempotency-Key` is stored per
 * credential for 24 hours and replayed for a repeat of the same request; the
 * same key on a different request is a 409.
 *
 * @module
 */

import type { CryptoBox } from "./crypto_box.ts";
import {
  HttpError,
  invalidParameter,
  JSON_CONTENT_TYPE,
} from "./http_error.ts";
import type { Store } from "./store.ts";

/** The JSON text of the answers made by {@linkcode jsonResponse}. */
const texts = new WeakMap<Response, string>();

/**
 * A JSON answer whose text the guard can store as it is: it is serialised
 * once, not read back from the response.
 *
 * @param text The JSON text.
 * @param init The status and headers (the content type is added), and
 * whether the guard stores the answer: only then is its text kept beside it
 * (a weak map entry per answer costs the garbage collector).
 */
export function jsonResponse(
  text: string,
  init: { status: number; headers: Record<string, string>; stored: boolean },
): Response {
  init.headers["content-type"] = JSON_CONTENT_TYPE;
  const response = new Response(text, init);
  if (init.stored) texts.set(response, text);
  return response;
}

/** What a handler answers. */
export interface Reply {
  status: number;
  /** The body, serialised as JSON. */
  body?: unknown;
  /** The body as JSON text already, sent as it is (instead of `body`). */
  json?: string;
  headers?: Record<string, string>;
}

const TTL_MS = 24 * 60 * 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** One request under an idempotency key. */
export interface IdempotentCall {
  /** The request (method, URL and tenant header are fingerprinted). */
  request: Request;
  /** Its body bytes. */
  body: Uint8Array;
  /** Whose key space the key lives in: a credential, or what stands for one. */
  scope: string;
  /** The `Idempotency-Key` header. */
  key: string;
  /**
   * The answer carries new credentials: it is stored encrypted, and replayed
   * for {@linkcode SEALED_TTL_MS} only.
   */
  sealed: boolean;
}

/**
 * How long an answer that carries new credentials can be replayed: long
 * enough for a client's retries after a lost answer, and no longer, since
 * a captured request replays the same credentials until then.
 */
export const SEALED_TTL_MS = 60_000;
const SEALED_PREFIX = "v1:";

/**
 * Runs handlers under idempotency keys. The handler's writes and its stored
 * answer commit in one transaction, which holds the key: a concurrent repeat,
 * on this instance or another sharing the database, waits for that commit
 * and replays the answer, and a crash in between leaves neither.
 */
export class IdempotencyGuard {
  readonly #store: Store;
  readonly #box: CryptoBox;

  /**
   * @param store Where responses are kept.
   * @param box Seals the answers that carry new credentials.
   */
  constructor(store: Store, box: CryptoBox) {
    this.#store = store;
    this.#box = box;
  }

  /**
   * Answers a request, replaying a stored response when there is one.
   *
   * @param call The request, its scope and key, and whether to seal.
   * @param run Produces the response the first time; an {@linkcode HttpError}
   * it throws is answered (and stored) as {@linkcode HttpError.getResponse}
   * makes it.
   */
  async run(
    call: IdempotentCall,
    run: () => Promise<Response>,
  ): Promise<Response> {
    if (!KEY_PATTERN.test(call.key)) {
      throw invalidParameter(
        "Idempotency-Key must be 1 to 255 printable ASCII characters",
      );
    }
    const fingerprint = this.#fingerprint(call);
    return await this.#store.transaction(() =>
      this.#answer(call, fingerprint, run)
    );
  }

  #fingerprint(call: IdempotentCall): string {
    const url = new URL(call.request.url);
    // Keyed: a body may hold a password (POST /users), and a plain hash of it
    // in the database could be reversed by guessing.
    const head = new TextEncoder().encode(
      [
        call.request.method,
        url.pathname + url.search,
        call.request.headers.get("x-runplane-tenant") ?? "",
        "",
      ].join("\n"),
    );
    const bytes = new Uint8Array(head.length + call.body.length);
    bytes.set(head);
    bytes.set(call.body, head.length);
    return this.#box.macSync("idempotency", bytes);
  }

  async #answer(
    call: IdempotentCall,
    fingerprint: string,
    run: () => Promise<Response>,
  ): Promise<Response> {
    const { scope, key } = call;
    const context = `idempotency\n${scope}\n${key}`;
    const stored = await this.#store.idempotentResponse(scope, key, Date.now());
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        throw new HttpError(
          409,
          "idempotency_key_reused",
          "The idempotency key was used for another request",
        );
      }
      const text = stored.body?.startsWith(SEALED_PREFIX)
        ? await this.#box.open(stored.body, context)
        : stored.body;
      return new Response(text, {
        status: stored.status,
        headers: text === null ? { "idempotent-replayed": "true" } : {
          "idempotent-replayed": "true",
          "content-type": JSON_CONTENT_TYPE,
        },
      });
    }
    let response: Response;
    try {
      response = await run();
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      response = error.getResponse();
    }
    if (isStorable(response.status)) {
      // Every answer here is JSON or empty, and small: read it to store it
      // (unless its text is known), then answer the same bytes.
      let text = texts.get(response);
      if (text === undefined) {
        text = response.status === 204 ? "" : await response.text();
        response = new Response(text === "" ? null : text, response);
      }
      await this.#store.saveIdempotentResponse(
        scope,
        key,
        {
          fingerprint,
          status: response.status,
          // JSON never starts with "v1:", so a sealed body is told apart.
          body: text === ""
            ? null
            : call.sealed
            ? await this.#box.seal(text, context)
            : text,
        },
        Date.now() + (call.sealed ? SEALED_TTL_MS : TTL_MS),
      );
    }
    return response;
  }
}

function isStorable(status: number): boolean {
  return (status >= 200 && status < 300) ||
    (status >= 400 && status < 500 && status !== 401 && status !== 429);
}

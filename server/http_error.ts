/**
 * The one error type of the server's HTTP layer: a status, a machine-readable
 * code and a safe message. {@linkcode HttpError.getResponse} turns it into
 * the contract's `{ error: { code, message } }`, in this one place.
 *
 * @module
 */

/** The message of every 401, so a caller never learns which part failed. */
export const AUTHENTICATION_FAILED = "Authentication failed";

/**
 * An HTTP failure to answer with. The message is sent to the caller as is, so
 * it must never hold a secret.
 *
 * @example
 * ```ts
 * import { HttpError } from "./http_error.ts";
 *
 * const error = new HttpError(404, "not_found", "Project not found");
 * console.assert(error.status === 404);
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The snake_case error code. */
  readonly code: string;
  /** Headers to answer with, such as `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * Creates the error.
   *
   * @param status The HTTP status.
   * @param code The snake_case error code.
   * @param message Sentence case, no trailing period, no secrets.
   * @param headers Headers to answer with, such as `Retry-After`.
   */
  constructor(
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  /**
   * The API's answer for this error: its status and headers, and the
   * contract's JSON error body.
   *
   * @returns The response.
   */
  getResponse(): Response {
    return new Response(JSON.stringify(errorBody(this.code, this.message)), {
      status: this.status,
      headers: { ...this.headers, "content-type": JSON_CONTENT_TYPE },
    });
  }
}

/** The content type of every JSON answer. */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** A 400 for a malformed body field. */
export function invalidBody(message: string): HttpError {
  return new HttpError(400, "invalid_body", message);
}

/** A 400 for a malformed query or path parameter. */
export function invalidParameter(message: string): HttpError {
  return new HttpError(400, "invalid_parameter", message);
}

/** The generic 401. */
export function unauthenticated(): HttpError {
  return new HttpError(401, "unauthenticated", AUTHENTICATION_FAILED);
}

/** A 403 for a role that may not do this. */
export function forbidden(
  message = "Your role does not allow this action",
): HttpError {
  return new HttpError(403, "forbidden", message);
}

/**
 * A 405 for a known path and another method; the API answers it as JSON,
 * the web view as a page, both with the same `Allow`.
 *
 * @param allow The methods the path takes.
 */
export function methodNotAllowed(allow: readonly string[]): HttpError {
  const methods = allow.join(", ");
  return new HttpError(
    405,
    "method_not_allowed",
    `Method not allowed: use ${methods}`,
    { allow: methods },
  );
}

/** A 404 for an unknown id, or one of another tenant. */
export function notFound(what: string): HttpError {
  return new HttpError(404, "not_found", `${what} not found`);
}

/**
 * A 429: the caller must wait before trying again.
 *
 * @param message What was limited, and how to go on.
 * @param retryAfterMs How long to wait, sent as `Retry-After` in whole seconds.
 */
export function tooManyRequests(
  message: string,
  retryAfterMs: number,
): HttpError {
  return new HttpError(429, "too_many_requests", message, {
    "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  });
}

/** The JSON body of an error response. */
export function errorBody(
  code: string,
  message: string,
): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

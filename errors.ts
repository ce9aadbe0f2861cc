/**
 * The error hierarchy of the Runplane client. Every error the client throws is
 * a {@linkcode RunplaneError}; HTTP failures are {@linkcode ApiError}s with one
 * subclass per status family, so callers can catch exactly what they handle.
 *
 * @example Catch one kind of failure
 * ```ts
 * import { NotFoundError } from "./errors.ts";
 *
 * try {
 *   throw new NotFoundError({ status: 404, method: "GET", url: "http://127.0.0.1:4200/api/v1/projects/1" });
 * } catch (error) {
 *   if (!(error instanceof NotFoundError)) throw error;
 * }
 * ```
 *
 * @module
 */

/**
 * The root of every error the Runplane client throws.
 *
 * @example
 * ```ts
 * import { RunplaneError } from "./errors.ts";
 *
 * const error = new RunplaneError("Something went wrong");
 * console.assert(error instanceof Error);
 * ```
 */
export class RunplaneError extends Error {
  /**
   * Creates the error.
   *
   * @param message What went wrong, in sentence case without a trailing period.
   * @param options The underlying `cause`, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A caller passed an argument that breaks a documented rule. The message names
 * the rule and how to fix it; it never repeats a secret value.
 *
 * @example
 * ```ts
 * import { InvalidArgumentError } from "./errors.ts";
 *
 * const error = new InvalidArgumentError("Limit must be a whole number of at least 0");
 * console.assert(error.name === "InvalidArgumentError");
 * ```
 */
export class InvalidArgumentError extends RunplaneError {}

/**
 * Configuration could not be read or has an invalid value. The message names
 * the variable or option and what is wrong with it.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 *
 * const error = new ConfigError("Cannot parse RUNPLANE_TIMEOUT_MS: value is not a number");
 * console.assert(error.message.startsWith("Cannot parse"));
 * ```
 */
export class ConfigError extends RunplaneError {}

/** What an {@linkcode ApiError} is built from. */
export interface ApiErrorInit {
  /** The HTTP status of the response. */
  status: number;
  /** The request method, upper case. */
  method: string;
  /** The URL the request was sent to. */
  url: string;
  /** The server's `X-Request-Id`, when it sent one. */
  requestId?: string;
  /** The parsed response body (JSON), or its text when it was not JSON. */
  body?: unknown;
  /** The response headers. */
  headers?: Headers;
  /** A message to use instead of the one derived from the body. */
  message?: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * The server answered with an error status, or with a body the client could
 * not read. Subclasses name the status family.
 *
 * @example
 * ```ts
 * import { ApiError, ConflictError } from "./errors.ts";
 *
 * const error = ApiError.from({ status: 409, method: "POST", url: "http://127.0.0.1:4200/api/v1/flow-runs/1/state" });
 * console.assert(error instanceof ConflictError && error.status === 409);
 * ```
 */
export class ApiError extends RunplaneError {
  /** The HTTP status of the response. */
  readonly status: number;
  /** The request method, upper case. */
  readonly method: string;
  /** The URL the request was sent to. */
  readonly url: string;
  /** The server's `X-Request-Id`, when it sent one. */
  readonly requestId: string | undefined;
  /** The parsed response body (JSON), or its text when it was not JSON. */
  readonly body: unknown;
  /** The machine-readable error code from the body, when the server sent one. */
  readonly code: string | undefined;
  /** The response headers. */
  readonly headers: Headers;

  /**
   * Creates the error. Prefer {@linkcode ApiError.from}, which picks the
   * subclass for the status.
   *
   * @param init The response the error describes.
   */
  constructor(init: ApiErrorInit) {
    const detail = errorDetail(init.body);
    const path = safePath(init.url);
    super(
      init.message ??
        `${init.method} ${path} failed with status ${init.status}${
          detail.message ? `: ${detail.message}` : ""
        }${HINTS[detail.code ?? ""] ?? ""}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    this.requestId = init.requestId;
    this.body = init.body;
    this.code = detail.code;
    this.headers = init.headers ?? new Headers();
  }

  /**
   * Builds the subclass of {@linkcode ApiError} that matches the status.
   *
   * @param init The response the error describes.
   * @returns The error, of the most specific class for `init.status`.
   *
   * @example
   * ```ts
   * import { ApiError, RateLimitError } from "./errors.ts";
   *
   * const error = ApiError.from({ status: 429, method: "GET", url: "http://127.0.0.1:4200/api/v1/projects" });
   * console.assert(error instanceof RateLimitError);
   * ```
   */
  static from(init: ApiErrorInit): ApiError {
    const Class = STATUS_CLASSES.get(init.status) ??
      (init.status >= 500 ? ServerError : ApiError);
    return new Class(init);
  }
}

/**
 * The server rejected the request as malformed (400).
 *
 * @example
 * ```ts
 * import { ApiError, BadRequestError } from "./errors.ts";
 *
 * console.assert(ApiError.from({ status: 400, method: "POST", url: "http://h/api/v1/x" }) instanceof BadRequestError);
 * ```
 */
export class BadRequestError extends ApiError {}

/**
 * The request carried no valid credentials (401).
 *
 * @example
 * ```ts
 * import { ApiError, AuthenticationError } from "./errors.ts";
 *
 * console.assert(ApiError.from({ status: 401, method: "GET", url: "http://h/api/v1/x" }) instanceof AuthenticationError);
 * ```
 */
export class AuthenticationError extends ApiError {}

/**
 * The credentials are valid but their role may not do this (403).
 *
 * @example
 * ```ts
 * import { ApiError, PermissionDeniedError } from "./errors.ts";
 *
 * console.assert(ApiError.from({ status: 403, method: "GET", url: "http://h/api/v1/x" }) instanceof PermissionDeniedError);
 * ```
 */
export class PermissionDeniedError extends ApiError {}

/**
 * The resource does not exist, or belongs to another tenant (404).
 *
 * @example
 * ```ts
 * import { ApiError, NotFoundError } from "./errors.ts";
 *
 * console.assert(ApiError.from({ status: 404, method: "GET", url: "http://h/api/v1/x" }) instanceof NotFoundError);
 * ```
 */
export class NotFoundError extends ApiError {}

/**
 * The request conflicts with the resource's current state (409): a stale
 * version, an impossible transition, or a reused idempotency key.
 *
 * @example
 * ```ts
 * import { ApiError, ConflictError } from "./errors.ts";
 *
 * console.assert(ApiError.from({ status: 409, method: "POST", url: "http://h/api/v1/x" }) instanceof ConflictError);
 * ```
 */
export class ConflictError extends ApiError {}

/**
 * The request was well formed but its content is invalid (422).
 *
 * @example
 * ```ts
 * import { ApiError, UnprocessableEntityError } from "./errors.ts";
 *
 * console.assert(ApiError.from({ status: 422, method: "POST", url: "http://h/api/v1/x" }) instanceof UnprocessableEntityError);
 * ```
 */
export class UnprocessableEntityError extends ApiError {}

/**
 * The server asked the client to slow down (429), and retries ran out.
 *
 * @example
 * ```ts
 * import { ApiError, RateLimitError } from "./errors.ts";
 *
 * console.assert(ApiError.from({ status: 429, method: "GET", url: "http://h/api/v1/x" }) instanceof RateLimitError);
 * ```
 */
export class RateLimitError extends ApiError {}

/**
 * The server failed (5xx), and retries ran out.
 *
 * @example
 * ```ts
 * import { ApiError, ServerError } from "./errors.ts";
 *
 * console.assert(ApiError.from({ status: 503, method: "GET", url: "http://h/api/v1/x" }) instanceof ServerError);
 * ```
 */
export class ServerError extends ApiError {}

/**
 * No response could be had from any endpoint: refused, reset, DNS or TLS
 * failure, or the connection dropped before a response arrived.
 *
 * @example
 * ```ts
 * import { ConnectionError } from "./errors.ts";
 *
 * const error = new ConnectionError("Cannot reach http://127.0.0.1:1: connection refused");
 * console.assert(error.name === "ConnectionError");
 * ```
 */
export class ConnectionError extends RunplaneError {}

/**
 * An attempt took longer than its timeout, and retries ran out.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "./errors.ts";
 *
 * const error = new TimeoutError("GET /api/v1/projects timed out after 30000 ms");
 * console.assert(error.name === "TimeoutError");
 * ```
 */
export class TimeoutError extends RunplaneError {}

/**
 * The caller's `AbortSignal` ended the call. The signal's reason is the cause.
 *
 * @example
 * ```ts
 * import { AbortError } from "./errors.ts";
 *
 * const error = new AbortError("GET /api/v1/projects was aborted by the caller");
 * console.assert(error.name === "AbortError");
 * ```
 */
export class AbortError extends RunplaneError {}

const STATUS_CLASSES = new Map<number, typeof ApiError>([
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [409, ConflictError],
  [422, UnprocessableEntityError],
  [429, RateLimitError],
]);

/** How to fix what an error code reports, where the server cannot know it. */
const HINTS: Readonly<Record<string, string>> = {
  tenant_required:
    "; set tenant in the config, RUNPLANE_TENANT, or the CLI's --tenant",
};

const RETRIABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Tells whether a failed call is worth retrying: connection failures,
 * timeouts, and the statuses 408, 429, 500, 502, 503 and 504. The client's own
 * retry loop uses the same rule.
 *
 * @param error What the call threw.
 * @returns `true` when a retry may succeed.
 *
 * @example
 * ```ts
 * import { ApiError, isRetriableError } from "./errors.ts";
 *
 * const error = ApiError.from({ status: 503, method: "GET", url: "http://h/api/v1/x" });
 * console.assert(isRetriableError(error));
 * ```
 */
export function isRetriableError(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) {
    return true;
  }
  return error instanceof ApiError && isRetriableStatus(error.status);
}

/** Whether a response status is worth retrying. */
export function isRetriableStatus(status: number): boolean {
  return RETRIABLE_STATUSES.has(status);
}

function errorDetail(body: unknown): { code?: string; message?: string } {
  if (typeof body !== "object" || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    code: typeof code === "string" ? code : undefined,
    message: typeof message === "string" ? message : undefined,
  };
}

/** The path of a URL without its query, which may carry values not ours to show. */
function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

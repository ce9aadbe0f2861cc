/**
 * The HTTP transport: one call in, one parsed response or one typed error
 * out. It owns endpoints and failover, the per-attempt timeout, retries with
 * backoff, and reading and parsing the response. It knows nothing of
 * credentials beyond the `authorize` hook it runs on every attempt.
 *
 * @module
 */

import {
  AbortError,
  ApiError,
  ConfigError,
  ConnectionError,
  InvalidArgumentError,
  isRetriableError,
  TimeoutError,
} from "../errors.ts";
import { sleep } from "./_async.ts";
import { backoffDelay, type BackoffOptions, retryAfterMs } from "./retry.ts";
import { type EndpointPool, sharedEndpointPool } from "./endpoint_pool.ts";
import { API_PREFIX } from "../api/mod.ts";
import { redactHeaders } from "./redact.ts";
import { startDeadline } from "./_deadlines.ts";
import { checkWholeNumber } from "../whole_number.ts";
import { type QueryParams, queryString } from "./query_string.ts";
import { hasTrustedLength, parseBody, readBody } from "./response_body.ts";

export type { QueryParams } from "./query_string.ts";

/** One attempt of a request, as it will be sent. */
export interface OutgoingRequest {
  /** The method, upper case. */
  method: string;
  /** The full URL of this attempt, on this attempt's endpoint. */
  url: string;
  /**
   * The headers to send, by lower-case name; the authenticator adds its
   * own. A plain record, because `fetch` sends one markedly faster than a
   * `Headers` object.
   */
  headers: Record<string, string>;
  /** The body bytes, if any. */
  body?: Uint8Array;
}

/** One attempt, as reported to a {@linkcode RequestLogger}. Headers are redacted. */
export interface RequestLogEvent {
  /** The method, upper case. */
  method: string;
  /** The URL of the attempt. */
  url: string;
  /** The attempt number, from 1. */
  attempt: number;
  /** The response status, when one arrived. */
  status?: number;
  /** The error class, when the attempt failed without a status. */
  error?: string;
  /** How long the attempt took. */
  durationMs: number;
  /** The request headers, with `Authorization` and `Cookie` shown as `***`. */
  headers: Record<string, string>;
}

/** Receives one event per attempt. */
export type RequestLogger = (event: RequestLogEvent) => void;

/** How a {@linkcode Transport} sends. */
export interface TransportOptions {
  /** The endpoints, for failover. */
  endpoints: readonly URL[];
  /** The timeout of each attempt. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** The `fetch` to use. */
  fetch?: typeof fetch;
  /** A Deno HTTP client, for a custom CA. */
  httpClient?: Deno.HttpClient;
  /** Waits between attempts. */
  backoff?: BackoffOptions;
  /** Receives one event per attempt. */
  logger?: RequestLogger;
}

/** One call through the transport. */
export interface TransportCall {
  /** The method, upper case. */
  method: string;
  /** The path below the API root, starting with `/`. */
  path: string;
  /** Query parameters. */
  query?: QueryParams;
  /**
   * Headers for every attempt, by lower-case name; `authorize` sets its own
   * on the same record before each attempt.
   */
  headers: Record<string, string>;
  /** The body bytes. */
  body?: Uint8Array;
  /** The caller's signal. */
  signal?: AbortSignal;
  /** Overrides the transport's timeout for this call. */
  timeoutMs?: number;
  /** Overrides the transport's retries for this call. */
  maxRetries?: number;
  /** Adds credentials to each attempt, after every other header. */
  authorize?: (request: OutgoingRequest) => unknown;
}

/** A successful response. */
export interface TransportResponse {
  /** The status, 2xx. */
  status: number;
  /** The response headers. */
  headers: Headers;
  /** The parsed JSON body, or `undefined` when it was empty. */
  body: unknown;
}

/** The connection broke while the body was being read; worth another attempt. */
class BodyCutOffError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly url: string,
    cause: unknown,
  ) {
    super("The response body was cut off", { cause });
  }
}

/** Sends calls with failover, timeouts and retries. */
export class Transport {
  #pool: EndpointPool;
  #bases: readonly string[];
  #options: TransportOptions;
  #fetch: typeof fetch;

  /** @param options Endpoints, timeout, retries, fetch and logger. */
  constructor(options: TransportOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#pool = sharedEndpointPool(options.endpoints);
    this.#bases = this.#pool.apiRoots;
  }

  /**
   * Sends a call and resolves to its parsed body: retries retriable failures
   * with backoff, fails over across endpoints at once on connection
   * failures, and honours the caller's signal throughout.
   *
   * On the common path (one endpoint, first attempt) the only async function
   * between the caller and `fetch` is the attempt itself: each suspended
   * async layer is one more object that lives across the round trip and is
   * copied by every young-generation collection meanwhile, which at many
   * concurrent requests cost more than the layer's own work.
   */
  send(call: TransportCall): Promise<unknown> {
    return this.#start(call, false);
  }

  /** Like {@linkcode Transport.send}, resolving to the status and headers too. */
  sendForResponse(call: TransportCall): Promise<TransportResponse> {
    return this.#start(call, true) as Promise<TransportResponse>;
  }

  #start(call: TransportCall, whole: boolean): Promise<unknown> {
    try {
      checkSetting(
        "maxRetries",
        call.maxRetries ?? this.#options.maxRetries,
        0,
      );
      checkSetting("timeoutMs", call.timeoutMs ?? this.#options.timeoutMs, 1);
      return this.#send(call, queryString(call.query), 0, whole);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** One attempt of a call, on one endpoint or failing over across several. */
  #send(
    call: TransportCall,
    query: string,
    attempt: number,
    whole: boolean,
  ): Promise<unknown> {
    if (call.signal?.aborted) {
      return Promise.reject(aborted(call, call.signal));
    }
    return this.#bases.length === 1
      ? this.#attempt(call, query, this.#bases[0], attempt, whole, true)
      : this.#sendToAnyEndpoint(call, query, attempt, whole);
  }

  /**
   * After a failed attempt: the final error, or the next attempt once the
   * backoff (or the server's `Retry-After`) has passed.
   */
  async #retry(
    call: TransportCall,
    query: string,
    attempt: number,
    whole: boolean,
    error: unknown,
  ): Promise<unknown> {
    // A body cut off mid-way is retried too: the same request may well
    // arrive whole next time.
    const retriable = isRetriableError(error) ||
      error instanceof BodyCutOffError;
    const maxRetries = call.maxRetries ?? this.#options.maxRetries;
    if (!retriable || attempt >= maxRetries) {
      if (error instanceof BodyCutOffError) throw cutOff(call, error);
      throw retriable ? withAttempts(error, attempt + 1) : error;
    }
    const serverWait = error instanceof ApiError
      ? retryAfterMs(error.headers)
      : undefined;
    try {
      await sleep(
        serverWait ?? backoffDelay(attempt, this.#options.backoff),
        call.signal,
      );
    } catch {
      throw aborted(call, call.signal!);
    }
    return await this.#send(call, query, attempt + 1, whole);
  }

  async #sendToAnyEndpoint(
    call: TransportCall,
    query: string,
    attempt: number,
    whole: boolean,
  ): Promise<unknown> {
    const count = this.#bases.length;
    const start = this.#pool.current;
    const failures: string[] = [];
    let lastError: ConnectionError | undefined;
    try {
      for (let i = 0; i < count; i++) {
        const index = (start + i) % count;
        try {
          const answer = await this.#attempt(
            call,
            query,
            this.#bases[index],
            attempt,
            whole,
            false,
          );
          if (i > 0) this.#pool.succeeded(index);
          return answer;
        } catch (error) {
          if (error instanceof TimeoutError) this.#pool.failed(index);
          if (!(error instanceof ConnectionError)) throw error;
          this.#pool.failed(index);
          failures.push(this.#pool.endpoints[index].origin);
          lastError = error;
        }
      }
      if (failures.length === 1) throw lastError!;
      throw new ConnectionError(
        `Cannot reach any endpoint (${failures.join(", ")}) for ${
          target(call)
        }: ${describeFailure(lastError!.cause)}`,
        { cause: lastError },
      );
    } catch (error) {
      return await this.#retry(call, query, attempt, whole, error);
    }
  }

  /**
   * One attempt on one endpoint. With `retrying` (one endpoint), a failure
   * goes on to {@linkcode Transport.#retry} from here, so the common path
   * needs no async layer above this one.
   */
  async #attempt(
    call: TransportCall,
    query: string,
    base: string,
    attempt: number,
    whole: boolean,
    retrying: boolean,
  ): Promise<unknown> {
    const url = base + call.path + query;
    const logger = this.#options.logger;
    const started = logger ? performance.now() : 0;
    const timeoutMs = call.timeoutMs ?? this.#options.timeoutMs;
    const deadline = startDeadline(timeoutMs);
    const timeout = deadline.signal;
    const signal = call.signal
      ? AbortSignal.any([call.signal, timeout])
      : timeout;
    let status: number | undefined;
    let answer: unknown;
    try {
      if (call.authorize !== undefined) {
        // The call's own headers: every attempt sets the same names again,
        // so a copy per attempt would only cost time.
        const authorizing = call.authorize({
          method: call.method,
          url,
          headers: call.headers,
          body: call.body,
        });
        if (authorizing instanceof Promise) await authorizing;
      }
      let response: Response;
      try {
        response = await this.#fetch(url, {
          method: call.method,
          headers: call.headers,
          body: call.body as BodyInit | undefined,
          signal,
          // A redirect would re-send the body and credentials elsewhere, or
          // turn a POST into a GET: it is answered as an error instead.
          redirect: "manual",
          client: this.#options.httpClient,
        } as RequestInit);
      } catch (error) {
        throw failed(call, url, error, timeout, timeoutMs);
      }
      status = response.status;
      if (status >= 300 && status < 400) {
        await response.body?.cancel();
        throw redirected(call.method, url, response);
      }
      let bytes: Uint8Array;
      try {
        // Most answers: an identity body of a declared, allowed length.
        bytes = hasTrustedLength(response)
          ? await response.bytes()
          : await readBody(response, call.method, url);
      } catch (error) {
        if (error instanceof ApiError) throw error;
        const cause = failed(call, url, error, timeout, timeoutMs);
        if (cause instanceof ConfigError) throw cause;
        if (!(cause instanceof ConnectionError)) throw cause;
        throw new BodyCutOffError(
          response.status,
          response.headers,
          url,
          error,
        );
      }
      const body = parseBody(call.method, url, response, bytes);
      answer = whole
        ? { status: response.status, headers: response.headers, body }
        : body;
    } catch (error) {
      deadline.release();
      if (logger) this.#log(call, url, attempt, started, status, error);
      if (!retrying) throw error;
      return await this.#retry(call, query, attempt, whole, error);
    }
    deadline.release();
    if (logger) this.#log(call, url, attempt, started, status, undefined);
    return answer;
  }

  #log(
    call: TransportCall,
    url: string,
    attempt: number,
    started: number,
    status: number | undefined,
    failure: unknown,
  ): void {
    this.#options.logger!({
      method: call.method,
      url,
      attempt: attempt + 1,
      status,
      error: status === undefined && failure instanceof Error
        ? failure.name
        : undefined,
      durationMs: performance.now() - started,
      headers: redactHeaders(call.headers),
    });
  }
}

/**
 * What a failed `fetch` or body read means: abort, timeout, a denied
 * permission (configuration, not worth a retry) or a connection failure.
 */
function failed(
  call: TransportCall,
  url: string,
  error: unknown,
  timeout: AbortSignal,
  timeoutMs: number,
): AbortError | TimeoutError | ConnectionError | ConfigError {
  if (call.signal?.aborted) return aborted(call, call.signal);
  if (timeout.aborted) return timedOut(call, timeoutMs);
  const { host, origin } = new URL(url);
  if (
    error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied
  ) {
    return new ConfigError(
      `Network access to ${host} was denied: run Deno with --allow-net=${host}`,
      { cause: error },
    );
  }
  return new ConnectionError(
    `Cannot reach ${origin} for ${target(call)}: ${describeFailure(error)}`,
    { cause: error },
  );
}

const FAILURE_KINDS: ReadonlyArray<[RegExp, string]> = [
  [/refused/i, "connection refused"],
  [
    /dns|lookup|resolve|name or service|nodename|no such host/i,
    "DNS lookup failed",
  ],
  [/certificate|tls|ssl|handshake/i, "TLS handshake failed"],
  [/reset|broken pipe|closed|incomplete|eof/i, "connection reset"],
];

/**
 * What happened below HTTP, in a few words: the runtime's message with the
 * URL left out (its query may hold values not ours to show).
 */
function describeFailure(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e !== undefined && depth < 5; depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  const text = parts.join(": ").replace(/\(?[a-z]+:\/\/[^\s)]*\)?/gi, "");
  for (const [pattern, kind] of FAILURE_KINDS) {
    if (pattern.test(text)) return kind;
  }
  return text.trim() || "the connection failed";
}

/** The final error of a call, saying how many attempts were made. */
function withAttempts(error: unknown, attempts: number): unknown {
  const count = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
  if (error instanceof ConnectionError) {
    return new ConnectionError(`${error.message} (${count})`, {
      cause: error.cause,
    });
  }
  if (error instanceof TimeoutError) {
    return new TimeoutError(`${error.message} (${count})`);
  }
  return error;
}

/** A bad retry count or timeout would loop forever or never send: fail at once. */
function checkSetting(name: string, value: number, min: number): void {
  checkWholeNumber(value, {
    min,
    max: 2_147_483_647,
    fail: (expected) =>
      new InvalidArgumentError(
        `Invalid ${name}: expected ${expected}, got ${value}`,
      ),
  });
}

/** The call as error messages name it, such as `GET /api/v1/projects`. */
function target(call: TransportCall): string {
  return `${call.method} ${API_PREFIX}${call.path}`;
}

function aborted(call: TransportCall, signal: AbortSignal): AbortError {
  return new AbortError(`${target(call)} was aborted by the caller`, {
    cause: signal.reason,
  });
}

function timedOut(call: TransportCall, timeoutMs: number): TimeoutError {
  return new TimeoutError(`${target(call)} timed out after ${timeoutMs} ms`);
}

function redirected(method: string, url: string, response: Response): ApiError {
  const path = new URL(url).pathname;
  let where = "no Location";
  try {
    where = new URL(response.headers.get("location") ?? "", url).origin;
  } catch {
    where = "an invalid Location";
  }
  if (response.headers.get("location") === null) where = "no Location";
  return new ApiError({
    status: response.status,
    method,
    url,
    requestId: response.headers.get("x-request-id") ?? undefined,
    headers: response.headers,
    message:
      `${method} ${path} was redirected with status ${response.status} to ${where}: the client does not follow redirects; fix the endpoint in the config`,
  });
}

function cutOff(call: TransportCall, error: BodyCutOffError): ApiError {
  // The URL of the endpoint that answered, which failover may have changed.
  return new ApiError({
    status: error.status,
    method: call.method,
    url: error.url,
    headers: error.headers,
    message: `${call.method} ${
      new URL(error.url).pathname
    } answered ${error.status} but the connection broke before the whole body arrived`,
    cause: error.cause,
  });
}

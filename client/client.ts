/**
 * {@linkcode Client}: one user's connection to the Runplane API. A request
 * flows one way: method -> `request()` -> credentials -> transport
 * (endpoint, retry, timeout) -> `fetch`.
 *
 * @example
 * ```ts ignore
 * import { Client, Credentials } from "@runplane/client";
 *
 * await using client = new Client({ credentials: new Credentials({ token: "rp_example" }) });
 * const projects = await client.get("/projects");
 * ```
 *
 * @module
 */

import { API_VERSION } from "../api/mod.ts";
import { InvalidArgumentError, RunplaneError } from "../errors.ts";
import { type Config, isConfig, loadConfig } from "../config/config.ts";
import { Credentials } from "../auth/credentials.ts";
import type { Authenticator, AuthPost } from "../auth/authenticator.ts";
import { CookieLoginAuthenticator } from "../auth/cookie_login.ts";
import { TenantLogin, type TenantRef } from "../auth/tenant_login.ts";
import { Transport, type TransportCall } from "../transport/transport.ts";
import { runInScope } from "./_scope.ts";
import { ApiResources } from "./api_resources.ts";
import { selectAuthenticator } from "../auth/select_authenticator.ts";
import { sendAuthorized } from "../auth/send_authorized.ts";
import { resolveCredentials } from "../config/resolve_credentials.ts";
import { createCaHttpClient } from "../transport/ca_http_client.ts";
import { runCloseHooks } from "./close_hooks.ts";
import {
  checkRequestTarget,
  encodeJsonBody,
  type RequestOptions,
} from "./request_options.ts";
import { mergeHeaders } from "../transport/_headers.ts";
import { JUPYTER_DISPLAY, renderLater } from "../jupyter/display.ts";
import type { MimeBundle } from "../jupyter/render.ts";
import type { UiKind } from "./resources/types.ts";
import { uiUrl } from "./ui_url.ts";
import { checkClientOptions, type ClientOptions } from "./client_options.ts";
import type { Tenant } from "../api/mod.ts";

/**
 * A connection to the Runplane API for one set of credentials. Create one per
 * user or session; clients share nothing but the failover state of identical
 * endpoint lists.
 *
 * @example Token credentials and a raw request
 * ```ts ignore
 * import { Client, Credentials } from "@runplane/client";
 *
 * await using client = new Client({
 *   credentials: new Credentials({ token: "rp_example" }),
 *   config: { endpoints: "http://127.0.0.1:4200", tenant: "acme" },
 * });
 * const run = await client.post("/flow-runs", { flowId: "f1" });
 * ```
 */
export class Client extends ApiResources {
  /** The client's settings. */
  readonly config: Config;
  /** The credentials in use, after `{ useEnv: true }` was resolved. */
  readonly credentials: Credentials;
  #transport: Transport;
  /** Default headers by lower-case name: a plain record, as `fetch` sends one fastest. */
  #defaults: Record<string, string>;
  /** {@linkcode Client.#sharedHeaders}' record, and the authenticator it is for. */
  #shared: { auth: Authenticator; headers: Record<string, string> } | undefined;
  #login: TenantLogin;
  #httpClient: Deno.HttpClient | undefined;
  #closed = false;

  /**
   * Builds the client. Nothing is sent until the first request.
   *
   * @param options Credentials, config, and optionally `fetch`, backoff and logger.
   * @throws {InvalidArgumentError} Without {@linkcode Credentials}.
   * @throws {ConfigError} When the config is invalid, or `{ useEnv: true }`
   * finds no credentials.
   */
  constructor(options: ClientOptions) {
    super();
    if (!(options?.credentials instanceof Credentials)) {
      throw new InvalidArgumentError(
        "Client needs credentials: pass { credentials: new Credentials({ token }) } or { credentials: new Credentials({ useEnv: true }) }",
      );
    }
    checkClientOptions(options);
    this.config = isConfig(options.config)
      ? options.config
      : loadConfig(options.config);
    this.credentials = resolveCredentials(options.credentials, this.config);
    if (this.config.caCertFile !== undefined) {
      this.#httpClient = createCaHttpClient(this.config.caCertFile);
    }
    this.#transport = new Transport({
      endpoints: this.config.endpoints,
      timeoutMs: this.config.timeoutMs,
      maxRetries: this.config.maxRetries,
      fetch: options.fetch,
      httpClient: this.#httpClient,
      backoff: options.retryBackoff,
      logger: options.logger,
    });
    // Only the headers the server needs: `fetch` spends about 1.5 us on each
    // header of each request, a few per cent of a loopback round trip. The
    // answer is JSON whatever `Accept` says, and an absent version header
    // means the version this client is built for.
    this.#defaults = { "user-agent": this.config.userAgent };
    if (this.config.apiVersion !== API_VERSION) {
      this.#defaults["x-runplane-api-version"] = this.config.apiVersion;
    }
    if (this.config.tenant !== undefined) {
      this.#defaults["x-runplane-tenant"] = this.config.tenant;
    }
    Object.assign(this.#defaults, this.credentials.extraHeaders);
    const own = selectAuthenticator(this.credentials, {
      hashType: this.config.hashType,
      cookieLogin: this.config.endpointType === "session",
      post: this.#post,
    });
    this.#login = new TenantLogin(
      own,
      (path, options, auth) => this.#request("POST", path, options, auth),
      this.#post,
    );
  }

  /**
   * Sends a request to the API and parses the JSON answer. `POST` and
   * `PATCH` carry an `Idempotency-Key`, the same on every retry, so a retry
   * never does the work twice.
   *
   * @typeParam T The type of the parsed body.
   * @param method The HTTP method.
   * @param path The path below the API root, such as `/projects`.
   * @param options Query, body, headers, signal, timeout, retries, idempotency key.
   * @returns The parsed body, or `undefined` for an empty one.
   * @throws {ApiError} For an error status; the subclass names the family.
   * @throws {ConnectionError} When no endpoint can be reached.
   * @throws {TimeoutError} When every attempt timed out.
   * @throws {AbortError} When `options.signal` aborts.
   *
   * @example
   * ```ts ignore
   * const page = await client.request("GET", "/flow-runs", { query: { limit: 10 } });
   * ```
   */
  override request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    return this.#request<T>(method, path, options, this.#login.current);
  }

  #request<T>(
    method: string,
    path: string,
    options: RequestOptions,
    auth: Authenticator,
  ): Promise<T> {
    // Not an async function: one suspended layer less per request in
    // flight (see Transport.send), and every error still a rejection.
    try {
      if (this.#closed) {
        throw new RunplaneError("The client is closed: create a new Client");
      }
      checkRequestTarget(method, path);
      const upper = method === "GET" ? method : method.toUpperCase();
      const writes = upper === "POST" || upper === "PATCH";
      const fixed = auth.authorization;
      let headers: Record<string, string>;
      let body: Uint8Array | undefined;
      if (
        fixed !== undefined && !writes && options.body === undefined &&
        options.headers === undefined
      ) {
        // Nothing of this call's own: the client's headers with its fixed
        // credentials, built once and never changed once handed out.
        headers = this.#sharedHeaders(auth, fixed);
      } else {
        headers = { ...this.#defaults };
        if (options.body !== undefined) {
          body = encodeJsonBody(options.body);
          headers["content-type"] = "application/json";
        }
        if (writes) {
          headers["idempotency-key"] = options.idempotencyKey ??
            crypto.randomUUID();
        }
        if (options.headers !== undefined) {
          mergeHeaders(headers, options.headers, "request headers");
        }
        // Set last: Authorization is always the credentials'.
        if (fixed !== undefined) headers.authorization = fixed;
      }
      const call: TransportCall = {
        method: upper,
        path: path.charCodeAt(0) === 47 ? path : `/${path}`,
        query: options.query,
        headers,
        body,
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        maxRetries: options.maxRetries,
      };
      if (fixed !== undefined) return this.#transport.send(call) as Promise<T>;
      return sendAuthorized(auth, (authorize) => {
        call.authorize = authorize;
        return this.#transport.send(call);
      }) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The default headers with `auth`'s fixed `Authorization`, for calls that
   * add nothing of their own; rebuilt when either changes.
   */
  #sharedHeaders(
    auth: Authenticator,
    authorization: string,
  ): Record<string, string> {
    const shared = this.#shared;
    if (shared !== undefined && shared.auth === auth) return shared.headers;
    const headers = { ...this.#defaults, authorization };
    this.#shared = { auth, headers };
    return headers;
  }

  /**
   * `GET` a path.
   */
  get<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>("GET", path, options);
  }

  /**
   * `POST` a JSON body.
   */
  post<T = unknown>(
    path: string,
    body?: unknown,
    options?: RequestOptions,
  ): Promise<T> {
    return this.request<T>("POST", path, { ...options, body });
  }

  /**
   * `PUT` a JSON body.
   */
  put<T = unknown>(
    path: string,
    body?: unknown,
    options?: RequestOptions,
  ): Promise<T> {
    return this.request<T>("PUT", path, { ...options, body });
  }

  /**
   * `PATCH` with a JSON body.
   */
  patch<T = unknown>(
    path: string,
    body?: unknown,
    options?: RequestOptions,
  ): Promise<T> {
    return this.request<T>("PATCH", path, { ...options, body });
  }

  /**
   * `DELETE` a path.
   */
  delete<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>("DELETE", path, options);
  }

  /**
   * Adds default headers to every later request of this client. A per-call
   * header still wins, and `Authorization` is always the credentials'.
   *
   * @param headers The headers to add or replace.
   *
   * @example
   * ```ts ignore
   * client.attachHeaders({ "X-Trace-Id": "abc" });
   * ```
   */
  attachHeaders(headers: HeadersInit): void {
    const merged = { ...this.#defaults };
    mergeHeaders(merged, headers, "attachHeaders");
    this.#defaults = merged;
    this.#shared = undefined;
  }

  /**
   * The bearer token requests carry now: the token credentials' token, or
   * the tenant access token, refreshed first when it expires within 30
   * seconds. `undefined` for basic and keypair credentials.
   *
   * @returns The token, or `undefined`.
   *
   * @example
   * ```ts ignore
   * const token = await client.getAuthToken();
   * ```
   */
  getAuthToken(): Promise<string | undefined> {
    return this.#login.current.token?.() ?? Promise.resolve(undefined);
  }

  /**
   * Exchanges the user's credentials for a short-lived access token in one
   * tenant. Later requests use it, refreshing it by themselves, until
   * {@linkcode Client.logoutFromTenant}.
   *
   * @param tenant The tenant, by slug or id.
   * @param options A signal.
   * @returns The tenant.
   *
   * @example
   * ```ts ignore
   * const tenant = await client.loginToTenant({ slug: "acme" });
   * ```
   */
  loginToTenant(
    tenant: TenantRef,
    options: { signal?: AbortSignal } = {},
  ): Promise<Tenant> {
    return this.#login.login(tenant, options.signal);
  }

  /**
   * Ends the tenant login: revokes the access and refresh tokens and goes
   * back to the client's own credentials.
   *
   * @example
   * ```ts ignore
   * await client.logoutFromTenant();
   * ```
   */
  logoutFromTenant(): Promise<void> {
    return this.#login.logout();
  }

  /** The tenant of the current tenant login, if any. */
  get tenant(): Tenant | undefined {
    return this.#login.tenant;
  }

  /**
   * The server's web page for an object, under the current tenant: the
   * tenant login's, else `config.tenant`.
   *
   * @param kind `"flow-run"`, `"task-run"`, `"flow"` or `"project"`.
   * @param id The object's id.
   * @returns The URL, such as `http://127.0.0.1:4200/ui/acme/flow-runs/<id>`.
   * @throws {InvalidArgumentError} For an unknown kind, an empty id, or
   * when no tenant is known.
   *
   * @example
   * ```ts ignore
   * console.log(client.uiUrl("flow-run", run.id));
   * ```
   */
  uiUrl(kind: UiKind, id: string): string {
    return uiUrl(this.config.endpoints[0], {
      tenant: this.#login.tenant?.slug ?? this.config.tenant,
      kind,
      id,
    });
  }

  /**
   * Ends the cookie login of a `"session"` endpoint client. The next
   * request logs in again.
   *
   * @example
   * ```ts ignore
   * await client.logout();
   * ```
   */
  async logout(): Promise<void> {
    if (this.#login.own instanceof CookieLoginAuthenticator) {
      await this.#login.own.logout();
    }
  }

  /**
   * Runs `fn` with this client active: until `fn` settles,
   * `getActiveClient()` returns this client across every `await`, timer and
   * callback that `fn` starts. Sessions nest, and the outer client is active
   * again afterwards. A timer that fires after `fn` settled sees no active
   * client (the scope has ended), so work that outlives the session should
   * capture the client when it starts.
   *
   * @typeParam R What `fn` returns.
   * @param fn The work to do as this client.
   * @returns What `fn` returns.
   *
   * @example
   * ```ts ignore
   * import { getActiveClient } from "@runplane/client";
   *
   * await client.session(async () => {
   *   console.assert(getActiveClient() === client);
   * });
   * ```
   */
  session<R>(fn: (client: Client) => R | Promise<R>): Promise<R> {
    return runInScope(this, () => fn(this));
  }

  /** Whether {@linkcode Client.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Flushes what the client's background writers buffered, then releases the
   * client. Calling it again does nothing.
   *
   * @example
   * ```ts ignore
   * await client.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await runCloseHooks(this);
    } finally {
      this.#closed = true;
      this.#httpClient?.close();
    }
  }

  /** Closes the client at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The redacted form, for `JSON.stringify()`. */
  toJSON(): Record<string, unknown> {
    return {
      endpoints: this.config.endpoints.map((endpoint) => endpoint.href),
      tenant: this.#login.tenant?.slug ?? this.config.tenant,
      credentials: this.credentials.toJSON(),
      closed: this.#closed,
    };
  }

  /** The redacted form, for `String()`. */
  override toString(): string {
    return `Client(${this.config.endpoints[0].origin}, ${this.credentials})`;
  }

  /**
   * The redacted form, for `Deno.inspect()` and `console.log()`.
   *
   * @ignore
   */
  [Symbol.for("Deno.customInspect")](
    inspect: (value: unknown, options?: unknown) => string,
    options: unknown,
  ): string {
    return `Client ${inspect(this.toJSON(), options)}`;
  }

  /**
   * The redacted form, for `node:util` `inspect()`.
   *
   * @ignore
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /**
   * The redacted form, as a table in Deno's Jupyter kernel.
   *
   * @ignore
   */
  [JUPYTER_DISPLAY](): Promise<MimeBundle> {
    const summary = this.toJSON();
    return renderLater((renderers) => renderers.renderClient(summary));
  }

  #post: AuthPost = async (path, options) => {
    const headers = {
      ...this.#defaults,
      "content-type": "application/json",
      "idempotency-key": crypto.randomUUID(),
    };
    if (options.headers !== undefined) {
      mergeHeaders(headers, options.headers, "login headers");
    }
    const response = await this.#transport.sendForResponse({
      method: "POST",
      path,
      headers,
      body: encodeJsonBody(options.body ?? {}),
    });
    return { body: response.body, headers: response.headers };
  };
}

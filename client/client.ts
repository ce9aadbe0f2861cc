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

import {
  AuthenticationError,
  ConfigError,
  InvalidArgumentError,
  RunplaneError,
} from "../errors.ts";
import {
  type Config,
  deniedSources,
  isConfig,
  loadConfig,
  type LoadConfigOptions,
} from "../config/config.ts";
import {
  CREDENTIALS_FILE_NAME,
  endpointKey,
  loadSavedCredentials,
  savedEndpoints,
} from "../config/credentials_file.ts";
import { Credentials, credentialSecrets } from "../auth/credentials.ts";
import {
  type Authenticator,
  type AuthPost,
  StaticAuthenticator,
} from "../auth/authenticator.ts";
import type { OutgoingRequest } from "../transport/transport.ts";
import { HmacAuthenticator } from "../auth/hmac_authenticator.ts";
import { SessionAuthenticator } from "../auth/session.ts";
import { type TokenGrant, TokenRefresher } from "../auth/token_refresher.ts";
import type { BackoffOptions } from "../transport/retry.ts";
import { type RequestLogger, Transport } from "../transport/transport.ts";
import { runInScope } from "./_scope.ts";
import { runCloseHooks } from "./close_hooks.ts";
import type { RequestOptions } from "./request_options.ts";
import { HTTP_TOKEN, mergeHeaders } from "../transport/_headers.ts";
import {
  JUPYTER_DISPLAY,
  type MimeBundle,
  renderClient,
} from "../jupyter/mod.ts";
import { Tenants } from "./resources/tenants.ts";
import { Users } from "./resources/users.ts";
import { ApiTokens } from "./resources/api_tokens.ts";
import { AccessKeys } from "./resources/access_keys.ts";
import { Projects } from "./resources/projects.ts";
import { Flows } from "./resources/flows.ts";
import { FlowRuns } from "./resources/flow_runs.ts";
import { TaskRuns } from "./resources/task_runs.ts";
import { ConcurrencyLimits } from "./resources/concurrency_limits.ts";
import { Logs } from "./resources/logs.ts";
import { Secrets } from "./resources/secrets.ts";
import { Agents } from "./resources/agents.ts";
import type { UiKind } from "./resources/types.ts";
import type { Tenant } from "../api/mod.ts";

/** Options for {@linkcode Client}. */
export interface ClientOptions {
  /** Who the client is. `{ useEnv: true }` is resolved here. */
  credentials: Credentials;
  /**
   * A {@linkcode Config} from `loadConfig()`, or options for it.
   *
   * @default {loadConfig()}
   */
  config?: Config | LoadConfigOptions;
  /**
   * The `fetch` to send with.
   *
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Waits between retries.
   *
   * @default {{ initialDelayMs: 500, maxDelayMs: 8000 }}
   */
  retryBackoff?: BackoffOptions;
  /** Receives one event per attempt, with credential headers redacted. */
  logger?: RequestLogger;
}

/** Which tenant to log in to: by slug or by id. */
export type TenantRef = { slug: string } | { id: string };

const encoder = new TextEncoder();
/** A path below the API root: no spaces, control characters, fragment or host. */
// deno-lint-ignore no-control-regex -- control characters are what it refuses
const PATH = /^\/?(?!\/)[^\s\x00-\x1f\x7f#\\]*$/;
const UI_FOLDERS: Readonly<Record<UiKind, string>> = {
  "flow-run": "flow-runs",
  "task-run": "task-runs",
  "flow": "flows",
  "project": "projects",
};

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
export class Client {
  /** The client's settings. */
  readonly config: Config;
  /** The credentials in use, after `{ useEnv: true }` was resolved. */
  readonly credentials: Credentials;
  #transport: Transport;
  /** Default headers by lower-case name: a plain record, as `fetch` sends one fastest. */
  #defaults: Record<string, string>;
  #baseAuth: Authenticator;
  #auth: Authenticator;
  #httpClient: Deno.HttpClient | undefined;
  #tenant: Tenant | undefined;
  #closed = false;
  #tenants: Tenants | undefined;
  #users: Users | undefined;
  #apiTokens: ApiTokens | undefined;
  #accessKeys: AccessKeys | undefined;
  #projects: Projects | undefined;
  #flows: Flows | undefined;
  #flowRuns: FlowRuns | undefined;
  #taskRuns: TaskRuns | undefined;
  #concurrencyLimits: ConcurrencyLimits | undefined;
  #logs: Logs | undefined;
  #secrets: Secrets | undefined;
  #agents: Agents | undefined;

  /**
   * Builds the client. Nothing is sent until the first request.
   *
   * @param options Credentials, config, and optionally `fetch`, backoff and logger.
   * @throws {InvalidArgumentError} Without {@linkcode Credentials}.
   * @throws {ConfigError} When the config is invalid, or `{ useEnv: true }`
   * finds no credentials.
   */
  constructor(options: ClientOptions) {
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
      this.#httpClient = createHttpClient(this.config.caCertFile);
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
    this.#defaults = {
      "accept": "application/json",
      "user-agent": this.config.userAgent,
      "x-runplane-api-version": this.config.apiVersion,
    };
    if (this.config.tenant !== undefined) {
      this.#defaults["x-runplane-tenant"] = this.config.tenant;
    }
    Object.assign(this.#defaults, this.credentials.extraHeaders);
    this.#baseAuth = this.#authenticatorFor(this.credentials);
    this.#auth = this.#baseAuth;
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
  request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    return this.#request<T>(method, path, options, this.#auth);
  }

  async #request<T>(
    method: string,
    path: string,
    options: RequestOptions,
    auth: Authenticator,
  ): Promise<T> {
    if (this.#closed) {
      throw new RunplaneError("The client is closed: create a new Client");
    }
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
    const upper = method.toUpperCase();
    const headers = { ...this.#defaults };
    let body: Uint8Array | undefined;
    if (options.body !== undefined) {
      body = encoder.encode(serialize(options.body));
      headers["content-type"] = "application/json";
    }
    if (upper === "POST" || upper === "PATCH") {
      headers["idempotency-key"] = options.idempotencyKey ??
        crypto.randomUUID();
    }
    if (options.headers !== undefined) {
      mergeHeaders(headers, options.headers, "request headers");
    }
    let used: unknown;
    // Set only once the credentials were attached: a 401 from a login or
    // refresh inside authorize() must not trigger a second login.
    let authorized = false;
    const call = {
      method: upper,
      path: path.charCodeAt(0) === 47 ? path : `/${path}`,
      query: options.query,
      headers,
      body,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      authorize: (request: OutgoingRequest) => {
        authorized = false;
        const marker = auth.authorize(request);
        // Static credentials answer at once: no promise on the hot path.
        if (!(marker instanceof Promise)) {
          used = marker;
          authorized = true;
          return;
        }
        return marker.then((value) => {
          used = value;
          authorized = true;
        });
      },
    };
    try {
      return (await this.#transport.send(call)).body as T;
    } catch (error) {
      if (
        !(error instanceof AuthenticationError) || !authorized ||
        !auth.recover || !await auth.recover(used)
      ) {
        throw error;
      }
      return (await this.#transport.send(call)).body as T;
    }
  }

  /**
   * `GET` a path.
   *
   * @example
   * ```ts ignore
   * const projects = await client.get("/projects");
   * ```
   */
  get<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>("GET", path, options);
  }

  /**
   * `POST` a JSON body.
   *
   * @example
   * ```ts ignore
   * const project = await client.post("/projects", { name: "churn" });
   * ```
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
   *
   * @example
   * ```ts ignore
   * await client.put("/secrets/db-password", { value: "..." });
   * ```
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
   *
   * @example
   * ```ts ignore
   * await client.patch("/projects/p1", { description: "v2" });
   * ```
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
   *
   * @example
   * ```ts ignore
   * await client.delete("/projects/p1");
   * ```
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
    return this.#auth.token?.() ?? Promise.resolve(undefined);
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
  async loginToTenant(
    tenant: TenantRef,
    options: { signal?: AbortSignal } = {},
  ): Promise<Tenant> {
    if (
      typeof tenant !== "object" || tenant === null ||
      !(typeof (tenant as { slug?: unknown }).slug === "string" ||
        typeof (tenant as { id?: unknown }).id === "string")
    ) {
      throw new InvalidArgumentError(
        "loginToTenant needs { slug } or { id } of a tenant",
      );
    }
    // Always the user's own credentials: a tenant access token cannot buy
    // a login to another tenant.
    const grant = await this.#request<TokenGrant & { tenant: Tenant }>(
      "POST",
      "/auth/tenant-login",
      { body: tenant, signal: options.signal },
      this.#baseAuth,
    );
    const previous = this.#auth;
    this.#auth = new TokenRefresher(grant, this.#post);
    this.#tenant = grant.tenant;
    if (previous instanceof TokenRefresher) {
      // The old tenant's tokens are of no more use: revoke them, quietly.
      await this.#request("POST", "/auth/tenant-logout", {
        body: { refreshToken: previous.refreshToken },
        maxRetries: 0,
      }, previous).catch(() => {});
    }
    return grant.tenant;
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
  async logoutFromTenant(): Promise<void> {
    const auth = this.#auth;
    if (!(auth instanceof TokenRefresher)) return;
    try {
      await this.request("POST", "/auth/tenant-logout", {
        body: { refreshToken: auth.refreshToken },
      });
    } finally {
      this.#auth = this.#baseAuth;
      this.#tenant = undefined;
    }
  }

  /** The tenant of the current tenant login, if any. */
  get tenant(): Tenant | undefined {
    return this.#tenant;
  }

  /**
   * Tenants: list, create (system admin), and the default tenant.
   *
   * @example
   * ```ts ignore
   * const tenants = await client.tenants.list();
   * ```
   */
  get tenants(): Tenants {
    return this.#tenants ??= new Tenants(this);
  }

  /**
   * Users and their memberships.
   *
   * @example
   * ```ts ignore
   * await admin.users.create({ username: "ada", password: "correct horse", tenant: "acme", role: "member" });
   * ```
   */
  get users(): Users {
    return this.#users ??= new Users(this);
  }

  /**
   * API tokens.
   *
   * @example
   * ```ts ignore
   * const { token } = await admin.apiTokens.create({ name: "ci", scope: "tenant", username: "ada", tenant: "acme" });
   * ```
   */
  get apiTokens(): ApiTokens {
    return this.#apiTokens ??= new ApiTokens(this);
  }

  /**
   * Keypairs for HMAC request signing.
   *
   * @example
   * ```ts ignore
   * const { accessKey, secretKey } = await admin.accessKeys.create({ username: "ada", tenant: "acme" });
   * ```
   */
  get accessKeys(): AccessKeys {
    return this.#accessKeys ??= new AccessKeys(this);
  }

  /**
   * Projects of the current tenant.
   *
   * @example
   * ```ts ignore
   * const project = await client.projects.create({ name: "churn" });
   * ```
   */
  get projects(): Projects {
    return this.#projects ??= new Projects(this);
  }

  /**
   * Flows of the current tenant.
   *
   * @example
   * ```ts ignore
   * const flow = await client.flows.register({ name: "etl", project: project.id });
   * ```
   */
  get flows(): Flows {
    return this.#flows ??= new Flows(this);
  }

  /**
   * Flow runs of the current tenant.
   *
   * @example
   * ```ts ignore
   * const run = await client.flowRuns.create({ flowId: flow.id });
   * ```
   */
  get flowRuns(): FlowRuns {
    return this.#flowRuns ??= new FlowRuns(this);
  }

  /**
   * Task runs of the current tenant.
   *
   * @example
   * ```ts ignore
   * const task = await client.taskRuns.getOrCreate({ flowRunId: run.id, taskId: "extract" });
   * ```
   */
  get taskRuns(): TaskRuns {
    return this.#taskRuns ??= new TaskRuns(this);
  }

  /**
   * Concurrency limits on task-run tags.
   *
   * @example
   * ```ts ignore
   * await client.concurrencyLimits.update("db", 3);
   * ```
   */
  get concurrencyLimits(): ConcurrencyLimits {
    return this.#concurrencyLimits ??= new ConcurrencyLimits(this);
  }

  /**
   * Log lines of runs, and batching log writers.
   *
   * @example
   * ```ts ignore
   * const writer = client.logs.writer({ flowRunId: run.id });
   * ```
   */
  get logs(): Logs {
    return this.#logs ??= new Logs(this);
  }

  /**
   * Secrets of the current tenant.
   *
   * @example
   * ```ts ignore
   * await client.secrets.set("db-password", "hunter2hunter2");
   * ```
   */
  get secrets(): Secrets {
    return this.#secrets ??= new Secrets(this);
  }

  /**
   * Agents of the current tenant.
   *
   * @example
   * ```ts ignore
   * const agent = await client.agents.register({ type: "process" });
   * ```
   */
  get agents(): Agents {
    return this.#agents ??= new Agents(this);
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
    if (typeof kind !== "string" || !Object.hasOwn(UI_FOLDERS, kind)) {
      throw new InvalidArgumentError(
        `kind must be one of ${
          Object.keys(UI_FOLDERS).map((k) => `"${k}"`).join(", ")
        }`,
      );
    }
    if (typeof id !== "string" || id === "") {
      throw new InvalidArgumentError("id must be a non-empty string");
    }
    const slug = this.#tenant?.slug ?? this.config.tenant;
    if (slug === undefined || slug === "") {
      throw new InvalidArgumentError(
        "uiUrl needs a tenant: log in with loginToTenant() or set config.tenant",
      );
    }
    const endpoint = this.config.endpoints[0];
    const base = endpoint.origin + endpoint.pathname.replace(/\/$/, "");
    return `${base}/ui/${encodeURIComponent(slug)}/${UI_FOLDERS[kind]}/${
      encodeURIComponent(id)
    }`;
  }

  /**
   * Ends the cookie session of a `"session"` endpoint client. The next
   * request logs in again.
   *
   * @example
   * ```ts ignore
   * await client.logout();
   * ```
   */
  async logout(): Promise<void> {
    if (this.#baseAuth instanceof SessionAuthenticator) {
      await this.#baseAuth.logout();
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
      tenant: this.#tenant?.slug ?? this.config.tenant,
      credentials: this.credentials.toJSON(),
      closed: this.#closed,
    };
  }

  /** The redacted form, for `String()`. */
  toString(): string {
    return `Client(${this.config.endpoints[0].origin}, ${this.credentials})`;
  }

  /** The redacted form, for `Deno.inspect()` and `console.log()`. */
  [Symbol.for("Deno.customInspect")](
    inspect: (value: unknown, options?: unknown) => string,
    options: unknown,
  ): string {
    return `Client ${inspect(this.toJSON(), options)}`;
  }

  /** The redacted form, for `node:util` `inspect()`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** The redacted form, as a table in Deno's Jupyter kernel. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return renderClient(this.toJSON());
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
    const response = await this.#transport.send({
      method: "POST",
      path,
      headers,
      body: encoder.encode(serialize(options.body ?? {})),
    });
    return { body: response.body, headers: response.headers };
  };

  #authenticatorFor(credentials: Credentials): Authenticator {
    const secret = credentialSecrets(credentials);
    switch (credentials.mode) {
      case "token":
        return StaticAuthenticator.bearer(secret.token!);
      case "keypair":
        return new HmacAuthenticator({
          accessKey: credentials.accessKey!,
          secretKey: secret.secretKey!,
        }, this.config.hashType);
      default:
        return this.config.endpointType === "session"
          ? new SessionAuthenticator(
            credentials.username!,
            secret.password!,
            this.#post,
          )
          : StaticAuthenticator.basic(credentials.username!, secret.password!);
    }
  }
}

function resolveCredentials(
  credentials: Credentials,
  config: Config,
): Credentials {
  if (credentials.mode !== "env") return credentials;
  const found = config.credentials ??
    loadSavedCredentials({ home: config.home, endpoint: config.endpoints });
  if (found === undefined) throw noCredentials(config);
  return Object.keys(credentials.extraHeaders).length === 0
    ? found
    : found.withExtraHeaders(credentials.extraHeaders);
}

/** Why `{ useEnv: true }` found nothing, and what to do about it. */
function noCredentials(config: Config): ConfigError {
  const wanted = config.endpoints.map(endpointKey);
  const saved = savedEndpoints(config.home);
  if (saved !== undefined && saved.length > 0) {
    return new ConfigError(
      `Saved credentials in ${config.home}/${CREDENTIALS_FILE_NAME} are for ${
        saved.join(", ")
      }, not for ${
        wanted.join(", ")
      }: a saved credential is sent only to the endpoint it was saved for; log in to this endpoint, or fix RUNPLANE_ENDPOINT`,
    );
  }
  const denied = deniedSources(config);
  const why = denied.length === 0
    ? ""
    : `; access was denied to ${denied.join(" and ")}`;
  return new ConfigError(
    `No credentials found${why}: set RUNPLANE_TOKEN, or RUNPLANE_USERNAME and RUNPLANE_PASSWORD, or RUNPLANE_ACCESS_KEY and RUNPLANE_SECRET_KEY (in the environment or a .env file), or save credentials with saveCredentials()`,
  );
}

function checkClientOptions(options: ClientOptions): void {
  for (const name of ["fetch", "logger"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new InvalidArgumentError(
        `Client option ${name} must be a function`,
      );
    }
  }
  const backoff = options.retryBackoff;
  if (backoff === undefined) return;
  for (const name of ["initialDelayMs", "maxDelayMs"] as const) {
    const value = backoff[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new InvalidArgumentError(
        `Client option retryBackoff.${name} must be a number of milliseconds of at least 0`,
      );
    }
  }
}

function createHttpClient(caCertFile: string): Deno.HttpClient {
  let pem: string;
  try {
    pem = Deno.readTextFileSync(caCertFile);
  } catch (cause) {
    throw new ConfigError(
      `Cannot read caCertFile ${caCertFile}: check the path and read permission`,
      { cause },
    );
  }
  return Deno.createHttpClient({ caCerts: [pem] });
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

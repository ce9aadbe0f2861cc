/**
 * The Runplane client: a per-session client for the Runplane
 * workflow-orchestration API, for Deno scripts, Deno Deploy services and
 * Jupyter notebooks. It has no dependency beyond the Deno runtime.
 *
 * - {@linkcode Credentials}: exactly one auth mode (token, username and
 *   password, HMAC keypair, or from the environment); secrets never show.
 * - {@linkcode loadConfig}: explicit options, then `RUNPLANE_*` variables,
 *   then a `.env` file, then defaults; several endpoints with failover.
 * - {@linkcode Client}: retries, timeouts, idempotency keys, typed errors.
 * - {@linkcode getActiveClient} and `client.session(fn)`: the active client
 *   per async context, so concurrent users never see each other's client.
 * - {@linkcode flow}, {@linkcode task} and {@linkcode serve}: run flows in
 *   this process while the runner records states, heartbeats, logs, tag
 *   limits, retries and cached results, and run scheduled runs as an agent.
 *
 * @example Run a flow against a server
 * ```ts
 * import { Client, Credentials, flow, task } from "./mod.ts";
 * import { startServer } from "./server/mod.ts";
 *
 * // A throw-away local server; point `endpoints` at yours instead.
 * await using server = await startServer({
 *   port: 0,
 *   databasePath: ":memory:",
 *   adminToken: "admin-example",
 *   quiet: true,
 * });
 * const endpoints = server.url.href;
 * await using admin = new Client({
 *   credentials: new Credentials({ token: "admin-example" }),
 *   config: { endpoints, envFile: false, env: {} },
 * });
 * await admin.tenants.create({ slug: "acme", name: "Acme" });
 *
 * // A client for one tenant; every call is typed.
 * await using client = new Client({
 *   credentials: new Credentials({ token: "admin-example" }),
 *   config: { endpoints, tenant: "acme", envFile: false, env: {} },
 * });
 * const square = task("square", (x: number) => x * x);
 * const sumOfSquares = flow(
 *   "sum-of-squares",
 *   { project: "examples" },
 *   async ({ n }: { n: number }) => {
 *     const squares = await square.map([...Array(n).keys()]);
 *     return squares.reduce((sum, value) => sum + value, 0);
 *   },
 * );
 * const total: number = await sumOfSquares.run({ n: 4 }, { client });
 * console.log(`sum of squares: ${total}`); // sum of squares: 14
 * ```
 *
 * @module
 */

export {
  type BasicCredentialsInit,
  type CredentialMode,
  Credentials,
  type CredentialsInit,
  type EnvCredentialsInit,
  type ExtraHeadersInit,
  type KeypairCredentialsInit,
  type TokenCredentialsInit,
} from "./auth/credentials.ts";
export type { HashType } from "./auth/hmac.ts";
export {
  type Config,
  type EndpointType,
  isConfig,
  loadConfig,
  type LoadConfigOptions,
} from "./config/config.ts";
export { type EnvSource, getEnv, type GetEnvOptions } from "./config/env.ts";
export {
  type CredentialsFileOptions,
  loadSavedCredentials,
  saveCredentials,
} from "./config/credentials_file.ts";
export { Client } from "./client/client.ts";
export { ApiResources } from "./client/api_resources.ts";
export type { TenantRef } from "./auth/tenant_login.ts";
export type { ClientOptions } from "./client/client_options.ts";
export type { CallOptions, RequestOptions } from "./client/request_options.ts";
export type {
  QueryParams,
  RequestLogEvent,
  RequestLogger,
} from "./transport/transport.ts";
export type { BackoffOptions } from "./transport/retry.ts";
export {
  type ClientOption,
  getActiveClient,
  getOrCreateClient,
  injectClient,
  withRequestClient,
  type WithRequestClientOptions,
} from "./client/context.ts";
export {
  AbortError,
  ApiError,
  type ApiErrorInit,
  AuthenticationError,
  BadRequestError,
  ConfigError,
  ConflictError,
  ConnectionError,
  InvalidArgumentError,
  isRetriableError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RunplaneError,
  ServerError,
  TimeoutError,
  UnprocessableEntityError,
} from "./errors.ts";
export { VERSION } from "./version.ts";
export { Resource } from "./client/resources/resource.ts";
export {
  type ListCredentialsOptions,
  type ListOptions,
  type LogEntryInput,
  type ResourceClient,
  type UiKind,
} from "./client/resources/types.ts";
export {
  type AccessKey,
  type AccessKeyInfo,
  type Agent,
  API_PREFIX,
  type ApiToken,
  type ApiTokenInfo,
  type ConcurrencyLimit,
  DEFAULT_PAGE_SIZE,
  type Flow,
  type FlowRun,
  LOG_LEVELS,
  type LogEntry,
  type LogLevel,
  MAX_PAGE_SIZE,
  type Me,
  type Page,
  type Project,
  type Role,
  ROLES,
  type RunTimes,
  type Secret,
  SECRET_NAME_PATTERN,
  SLUG_PATTERN,
  type State,
  STATE_TYPES,
  type StateChange,
  type StateInput,
  type StateType,
  type TaskRun,
  type Tenant,
  TERMINAL_STATE_TYPES,
  type User,
} from "./api/mod.ts";
export {
  type CreateTenantOptions,
  Tenants,
} from "./client/resources/tenants.ts";
export {
  type AddMembershipOptions,
  type CreateUserOptions,
  type RemoveMembershipOptions,
  type SetPasswordOptions,
  Users,
} from "./client/resources/users.ts";
export {
  ApiTokens,
  type CreateApiTokenOptions,
} from "./client/resources/api_tokens.ts";
export {
  AccessKeys,
  type CreateAccessKeyOptions,
} from "./client/resources/access_keys.ts";
export {
  type CreateProjectOptions,
  type ListProjectsOptions,
  Projects,
} from "./client/resources/projects.ts";
export {
  Flows,
  type ListFlowsOptions,
  type RegisterFlowOptions,
} from "./client/resources/flows.ts";
export {
  type CancelFlowRunOptions,
  type CreateFlowRunOptions,
  type FlowRunFields,
  FlowRuns,
  type ListFlowRunsOptions,
  type SetFlowRunStateOptions,
  type WaitForFlowRunOptions,
} from "./client/resources/flow_runs.ts";
export {
  type GetOrCreateTaskRunOptions,
  type LatestCachedStatesOptions,
  type ListTaskRunsOptions,
  type SetTaskRunStateOptions,
  TaskRuns,
} from "./client/resources/task_runs.ts";
export { ConcurrencyLimits } from "./client/resources/concurrency_limits.ts";
export {
  type ListLogsOptions,
  Logs,
  type WriteLogsOptions,
} from "./client/resources/logs.ts";
export {
  LogWriter,
  type LogWriterOptions,
} from "./client/resources/log_writer.ts";
export { Secrets } from "./client/resources/secrets.ts";
export {
  Agents,
  type RegisterAgentOptions,
} from "./client/resources/agents.ts";
export {
  Listing,
  ListPage,
  type ToArrayOptions,
} from "./client/resources/listing.ts";
export {
  flow,
  type FlowDefinition,
  type FlowFunction,
  type FlowOptions,
  type FlowRunOptions,
} from "./runner/flow.ts";
export {
  type RestParameters,
  task,
  type TaskDefinition,
  type TaskOptions,
} from "./runner/task.ts";
export { getRunContext, type RunContext } from "./runner/run_context.ts";
export { getRunLogger, type RunLogger } from "./runner/run_logger.ts";
export { serve, type ServeOptions } from "./runner/serve.ts";
export { MAX_RESULT_BYTES } from "./runner/storable_result.ts";

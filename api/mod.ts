/**
 * The wire contract of the Runplane API: every type and rule that the client
 * and the server both depend on, declared once. It imports nothing, so any
 * layer may import it. `docs/api.md` describes the same contract in prose.
 *
 * @example
 * ```ts
 * import { API_PREFIX, STATE_TYPES } from "./mod.ts";
 *
 * console.assert(API_PREFIX === "/api/v1");
 * console.assert(STATE_TYPES.includes("RUNNING"));
 * ```
 *
 * @module
 */

/**
 * The version of the contract this module declares. A client sends
 * `X-Runplane-Api-Version` only when configured for another version: an
 * absent header means this one.
 */
export const API_VERSION = "1";

/** The path below which every API route lives. */
export const API_PREFIX = "/api/v1";

/**
 * A tenant's slug: lowercase letters, digits and dashes, 2 to 63 characters,
 * not starting with a dash.
 */
export const SLUG_PATTERN: RegExp = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** A secret's name: letters, digits, `_`, `.` and `-`, 1 to 128 characters. */
export const SECRET_NAME_PATTERN: RegExp = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * One page of a listing, the answer of every `GET` of a collection. Paged
 * listings take `limit` (the page size, 1 to {@linkcode MAX_PAGE_SIZE},
 * default {@linkcode DEFAULT_PAGE_SIZE}) and `cursor` (the `nextCursor` of
 * the page before) as query parameters.
 *
 * @typeParam T The items' type.
 */
export interface Page<T> {
  /** The items of this page, at most `limit`. */
  items: T[];
  /** The opaque cursor of the next page, or `null` after the last. */
  nextCursor: string | null;
}

/** The largest page a listing answers. */
export const MAX_PAGE_SIZE = 500;

/** The page size of a listing asked for without `limit`. */
export const DEFAULT_PAGE_SIZE = 100;

/** A tenant. */
export interface Tenant {
  /** The tenant's id. */
  id: string;
  /** The tenant's unique, URL-safe name. */
  slug: string;
  /** The tenant's display name. */
  name: string;
  /** When it was created. */
  createdAt: string;
}

/**
 * Every state type, in no particular order.
 *
 * @example
 * ```ts
 * import { STATE_TYPES } from "./mod.ts";
 *
 * console.assert(STATE_TYPES.includes("RUNNING"));
 * ```
 */
export const STATE_TYPES = [
  "SCHEDULED",
  "PENDING",
  "RUNNING",
  "QUEUED",
  "RETRYING",
  "SUCCESS",
  "FAILED",
  "CANCELLED",
  "CACHED",
] as const;

/**
 * The type of a run's state. `SUCCESS`, `FAILED`, `CANCELLED` and `CACHED` are
 * terminal; `RETRYING` is a task run between a failed attempt and the next.
 */
export type StateType = typeof STATE_TYPES[number];

/**
 * The states that a run never leaves.
 *
 * @example
 * ```ts
 * import { TERMINAL_STATE_TYPES } from "./mod.ts";
 *
 * console.assert(TERMINAL_STATE_TYPES.includes("SUCCESS"));
 * ```
 */
export const TERMINAL_STATE_TYPES: readonly StateType[] = [
  "SUCCESS",
  "FAILED",
  "CANCELLED",
  "CACHED",
];

/** A state to propose: the server adds the timestamp. */
export interface StateInput {
  /** The state type. */
  type: StateType;
  /** A human-readable note. */
  message?: string;
  /** The result, any JSON value. */
  result?: unknown;
  /** The key the state is cached under, with `cacheFor`. */
  cacheKey?: string;
}

/** A run's state as the server stored it. */
export interface State extends StateInput {
  /** When the server stored it. */
  timestamp: string;
}

/** The answer to a state change. */
export interface StateChange {
  /** The state stored; `QUEUED` when a concurrency limit held a task run back. */
  state: State;
  /** The run's new version, for the next change. */
  version: number;
  /** When the state is `QUEUED`: how long to wait before trying again. */
  retryAfterMs?: number;
}

/** A role of a user in a tenant. */
export type Role = "viewer" | "member" | "admin";

/** Every role, weakest first. */
export const ROLES: readonly Role[] = ["viewer", "member", "admin"];

/** A user's membership in a tenant, as `users.create()` answers it. */
export interface User {
  /** The user's id. */
  id: string;
  /** The user's name. */
  username: string;
  /** The tenant's slug. */
  tenant: string;
  /** The user's role in that tenant. */
  role: Role;
}

/** Who a credential acts as, as `GET /me` answers it. */
export interface Me {
  /** `"admin"` for the bootstrap admin token, else `"user"`. */
  kind: "admin" | "user";
  /** The user's name, for a user. */
  username?: string;
  /** The tenant of `X-Runplane-Tenant` or of a tenant-bound credential. */
  tenant?: Tenant;
  /** The user's role in that tenant. */
  role?: Role;
  /** The id of the API token the request used, so that it can revoke itself. */
  tokenId?: string;
}

/** A new API token. */
export interface ApiToken {
  /** The token's id. */
  id: string;
  /** The token's name. */
  name: string;
  /** `"user"`: any of the user's tenants; `"tenant"`: one tenant. */
  scope: "user" | "tenant";
  /** The secret token, shown only once. */
  token: string;
  /** The user the token acts as. */
  username?: string;
  /** The tenant's slug for a `"tenant"` token, else `null`. */
  tenant?: string | null;
  /** When the token stops working, or `null` for never. */
  expiresAt?: string | null;
}

/** An API token as listed: everything but the secret token. */
export interface ApiTokenInfo {
  /** The token's id, for `apiTokens.revoke()`. */
  id: string;
  /** The token's name. */
  name: string;
  /** `"user"`: any of the user's tenants; `"tenant"`: one tenant. */
  scope: "user" | "tenant";
  /** The user the token acts as. */
  username: string;
  /** The tenant's slug for a `"tenant"` token, else `null`. */
  tenant: string | null;
  /** When it was created. */
  createdAt: string;
  /** When it stops working, or `null` for never. */
  expiresAt: string | null;
}

/** A new keypair for HMAC request signing. */
export interface AccessKey {
  /** The public access key id. */
  accessKey: string;
  /** The secret key, shown only once. */
  secretKey: string;
}

/** A keypair as listed: everything but the secret key. */
export interface AccessKeyInfo {
  /** The public access key id, for `accessKeys.revoke()`. */
  accessKey: string;
  /** The user the keypair acts as. */
  username: string;
  /** The tenant's slug. */
  tenant: string;
  /** When it was created. */
  createdAt: string;
}

/** A project. */
export interface Project {
  /** The project's id. */
  id: string;
  /** The project's name, unique in its tenant. */
  name: string;
  /** The description, or `null`. */
  description: string | null;
  /** When it was created. */
  createdAt: string;
}

/** One version of a flow. */
export interface Flow {
  /** The id of this version. */
  id: string;
  /** The flow's name. */
  name: string;
  /** The project's id. */
  projectId: string;
  /** The version number, from 1. */
  version: number;
  /** The id shared by every version of the flow. */
  versionGroupId: string;
  /** Whether a newer version replaced this one. */
  archived: boolean;
  /** The flow's definition, any JSON value. */
  definition: unknown;
  /** Whether the flow's schedule is active. */
  scheduleActive: boolean;
  /** When it was registered. */
  createdAt: string;
}

/** The times that flow runs and task runs both carry. */
export interface RunTimes {
  /** When it was created. */
  createdAt: string;
  /** When it last changed. */
  updatedAt: string;
  /** The last heartbeat, or `null`. */
  heartbeatAt: string | null;
  /** When the run first became `RUNNING`, or `null`. */
  startTime: string | null;
  /** When the run reached a terminal state, or `null`. */
  endTime: string | null;
  /**
   * From `startTime` to `endTime` in milliseconds, or `null` until the run
   * has ended (or when it ended without running, such as a `CACHED` task run).
   */
  durationMs: number | null;
}

/** A run of a flow. */
export interface FlowRun extends RunTimes {
  /** The run's id. */
  id: string;
  /** The id of the flow version it runs. */
  flowId: string;
  /** The run's name. */
  name: string;
  /** The version for optimistic locking, bumped by every state change. */
  version: number;
  /** The current state. */
  state: State;
  /** The run's parameters. */
  parameters: Record<string, unknown>;
  /** The run's context. */
  context: Record<string, unknown>;
  /** When it should start. */
  scheduledStartTime: string;
  /** Every state the run had, oldest first; only from `flowRuns.get()`. */
  history?: State[];
}

/** A run of a task inside a flow run. */
export interface TaskRun extends RunTimes {
  /** The task run's id. */
  id: string;
  /** The flow run's id. */
  flowRunId: string;
  /** The task's id. */
  taskId: string;
  /** The index in a mapped task, `-1` when not mapped. */
  mapIndex: number;
  /** The tags, for concurrency limits. */
  tags: string[];
  /** The version for optimistic locking. */
  version: number;
  /** The current state. */
  state: State;
  /** Every state the task run had, oldest first; only from `taskRuns.get()`. */
  history?: State[];
}

/** A concurrency limit on a tag. */
export interface ConcurrencyLimit {
  /** The limit's id. */
  id: string;
  /** The tag it limits. */
  tag: string;
  /** How many task runs with the tag may be `RUNNING` at once. */
  limit: number;
  /** How many are `RUNNING` now. */
  active: number;
}

/** A log level. Methods accept any case. */
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

/**
 * Every log level.
 *
 * @example
 * ```ts
 * import { LOG_LEVELS } from "./mod.ts";
 *
 * console.assert(LOG_LEVELS.includes("WARNING"));
 * ```
 */
export const LOG_LEVELS: readonly LogLevel[] = [
  "DEBUG",
  "INFO",
  "WARNING",
  "ERROR",
  "CRITICAL",
];

/** A stored log line. */
export interface LogEntry {
  /** The line's id. */
  id: string;
  /** The flow run's id. */
  flowRunId: string;
  /** The task run's id, or `null`. */
  taskRunId: string | null;
  /** The level. */
  level: string;
  /** The message. */
  message: string;
  /** When it happened. */
  timestamp: string;
  /** When the server stored it. */
  createdAt: string;
}

/** A secret's metadata; the value is never listed. */
export interface Secret {
  /** The secret's name. */
  name: string;
  /** When it was created. */
  createdAt: string;
  /** When its value last changed. */
  updatedAt: string;
}

/** An agent that runs work. */
export interface Agent {
  /** The agent's id. */
  id: string;
  /** The agent's type, such as `"process"`. */
  type: string;
  /** The agent's name, or `null`. */
  name: string | null;
  /** The agent's labels. */
  labels: Record<string, string>;
  /** The last heartbeat. */
  lastHeartbeat: string;
}

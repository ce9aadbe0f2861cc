/**
 * The storage interface of the server, and the records it answers. Every
 * method is one atomic operation (one transaction), on SQLite and on
 * PostgreSQL alike: `server/store/` implements it once over the database
 * layer of `server/db/`. {@linkcode Store.transaction} groups several calls
 * into one transaction (an idempotent request's writes and its stored
 * answer).
 *
 * Times are ISO strings in records and epoch milliseconds for expiries.
 *
 * @module
 */

import type {
  AccessKeyInfo,
  Agent,
  ApiTokenInfo,
  ConcurrencyLimit,
  Flow,
  FlowRun,
  LogEntry,
  LogLevel,
  Project,
  Role,
  Secret,
  State,
  StateChange,
  StateInput,
  StateType,
  TaskRun,
  Tenant,
} from "../api/mod.ts";
import { TERMINAL_STATE_TYPES } from "../api/mod.ts";

// The wire contract's records are the store's records too.
export type {
  AccessKeyInfo,
  Agent,
  ApiTokenInfo,
  ConcurrencyLimit,
  Flow,
  FlowRun,
  LogEntry,
  Project,
  Role,
  Secret,
  State,
  StateChange,
  StateInput,
  StateType,
  TaskRun,
  Tenant,
};
export { ROLES, STATE_TYPES } from "../api/mod.ts";

/** The states a run never leaves, for quick look-ups. */
export const TERMINAL_STATES: ReadonlySet<string> = new Set<string>(
  TERMINAL_STATE_TYPES,
);

/** Why a store operation failed; the HTTP layer maps each to a status. */
export type StoreErrorCode =
  | "not_found"
  | "conflict"
  | "stale_version"
  | "invalid_transition";

/** A failure the caller caused: an unknown id, a conflict, a stale version. */
export class StoreError extends Error {
  /** What went wrong. */
  readonly code: StoreErrorCode;

  /**
   * @param code What went wrong.
   * @param message Safe to show to the caller.
   */
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = "StoreError";
    this.code = code;
  }
}

/** A user as stored. */
export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
}

/**
 * Who holds a credential, read with it in one statement: the user's name
 * and, for a credential bound to a tenant, that tenant with the user's role
 * there (`undefined` when the user is no longer a member).
 */
export interface CredentialHolder {
  username: string;
  access?: { tenant: Tenant; role: Role };
}

/** An API token's binding. */
export interface ApiTokenRecord {
  id: string;
  scope: "user" | "tenant";
  userId: string;
  tenantId: string | null;
}

/**
 * Which credentials a listing or a revocation may touch: those of `userId`
 * or of tenants it administers, or, without `managedBy`, any (the system
 * admin). A credential bound to a tenant reaches that tenant's only.
 */
export interface CredentialFilter {
  managedBy?: { userId: string; tenantId: string | null };
  /** Only this user's. */
  userId?: string;
  /** Only those bound to this tenant. */
  tenantId?: string;
}

/** A value sealed under the server key, to check the key against. */
export type SealedSample =
  | { kind: "secret"; tenantId: string; name: string; sealed: string }
  | { kind: "access_key"; accessKey: string; sealed: string };

/** A keypair as stored; the secret is sealed under the server key. */
export interface AccessKeyRecord {
  accessKey: string;
  sealedSecret: string;
  userId: string;
  tenantId: string;
}

/** What a tenant access or refresh token is bound to. */
export interface TenantGrant {
  userId: string;
  tenantId: string;
  familyId: string;
}

/** A new access and refresh token pair, by hash. */
export interface TokenPair {
  accessHash: string;
  accessExpiresAt: number;
  refreshHash: string;
  refreshExpiresAt: number;
}

/** A stored idempotent response. */
export interface IdempotentResponse {
  fingerprint: string;
  status: number;
  body: string | null;
}

/** A flow run with every state it has had, oldest first. */
export interface FlowRunWithHistory extends FlowRun {
  history: State[];
}

/** A task run with every state it has had, oldest first. */
export interface TaskRunWithHistory extends TaskRun {
  history: State[];
}

/** A log line to write. */
export interface LogInput {
  flowRunId: string;
  taskRunId?: string;
  level: string;
  message: string;
  timestamp: string;
}

/** A position in a paged listing: the sort key and id of the last item. */
export interface CursorPosition {
  key: number;
  id: string;
}

/** One page of a listing. */
export interface Page<T> {
  items: T[];
  next: CursorPosition | null;
}

/** What a new flow run is made from. */
export interface FlowRunInput {
  flowId?: string;
  versionGroupId?: string;
  name?: string;
  parameters: Record<string, unknown>;
  context: Record<string, unknown>;
  scheduledStartTime: string;
  idempotencyKey?: string;
  /** When the idempotency key stops returning this run. */
  idempotencyExpiresAt: number;
}

/** Settings of the whole deployment, and the background sweep. */
export interface SettingsStore {
  adminTokenHash(): Promise<string | undefined>;
  setAdminTokenHash(hash: string): Promise<void>;
  /** The MAC that identifies the server key the data is sealed with. */
  serverKeyCheck(): Promise<string | undefined>;
  setServerKeyCheck(check: string): Promise<void>;
  /** Any one sealed value, or `undefined` when nothing is sealed. */
  sealedSample(): Promise<SealedSample | undefined>;
  /** Deletes expired nonces, sessions, tokens (API tokens too), idempotent responses and cached states. */
  sweep(now: number, logRetentionMs: number): Promise<void>;
}

/** Tenants, users and memberships. */
export interface TenantStore {
  createTenant(input: { slug: string; name: string }): Promise<Tenant>;
  tenantBySlug(slug: string): Promise<Tenant | undefined>;
  tenantById(id: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  /**
   * Tenants a page at a time: every tenant, oldest first, or with `userId`
   * the user's, oldest membership first.
   */
  pageTenants(
    filter: { userId?: string; limit: number; after?: CursorPosition },
  ): Promise<Page<Tenant>>;
  /** The user's tenants with the role in each, oldest membership first. */
  userTenants(userId: string): Promise<Array<Tenant & { role: Role }>>;
  userByName(username: string): Promise<UserRecord | undefined>;
  userById(id: string): Promise<UserRecord | undefined>;
  /** Creates a user with one membership; a taken name is a conflict. */
  createUser(
    input: { username: string; passwordHash: string },
    tenantId: string,
    role: Role,
  ): Promise<UserRecord>;
  setMembership(userId: string, tenantId: string, role: Role): Promise<void>;
  /**
   * Ends a membership with the credentials bound to it: the user's tenant
   * API tokens, keypairs, and tenant access and refresh tokens there, so
   * none comes back if the user is added again. `false` when it was none.
   */
  removeMembership(userId: string, tenantId: string): Promise<boolean>;
  /**
   * Replaces a user's password hash and ends its logins: sessions, and
   * tenant access and refresh tokens. API tokens and keypairs stay.
   */
  setPassword(userId: string, passwordHash: string): Promise<void>;
  role(userId: string, tenantId: string): Promise<Role | undefined>;
}

/** API tokens, keypairs, nonces, sessions, tenant tokens, idempotent answers. */
export interface CredentialStore {
  createApiToken(
    input: Omit<ApiTokenRecord, "id"> & {
      name: string;
      tokenHash: string;
      /** Epoch milliseconds, or `null` for never. */
      expiresAt: number | null;
    },
  ): Promise<string>;
  /** An unexpired API token. */
  apiTokenByHash(
    hash: string,
    now: number,
  ): Promise<(ApiTokenRecord & { holder: CredentialHolder }) | undefined>;
  /** API tokens, newest first. */
  listApiTokens(
    filter: CredentialFilter & { limit: number; after?: CursorPosition },
  ): Promise<Page<ApiTokenInfo>>;
  /** Deletes an API token the filter allows; `false` when there is none. */
  revokeApiToken(id: string, filter: CredentialFilter): Promise<boolean>;
  createAccessKey(input: AccessKeyRecord): Promise<void>;
  /** A keypair and its holder. */
  accessKey(
    accessKey: string,
  ): Promise<(AccessKeyRecord & { holder: CredentialHolder }) | undefined>;
  /** Keypairs, newest first. */
  listAccessKeys(
    filter: CredentialFilter & { limit: number; after?: CursorPosition },
  ): Promise<Page<AccessKeyInfo>>;
  /** Deletes a keypair the filter allows; `false` when there is none. */
  revokeAccessKey(
    accessKey: string,
    filter: CredentialFilter,
  ): Promise<boolean>;
  /** Records a nonce; `false` when it was already seen and has not expired. */
  useNonce(
    accessKey: string,
    nonce: string,
    expiresAt: number,
  ): Promise<boolean>;
  createSession(
    idHash: string,
    userId: string,
    expiresAt: number,
  ): Promise<void>;
  sessionUser(idHash: string, now: number): Promise<string | undefined>;
  deleteSession(idHash: string): Promise<void>;
  createTenantTokens(grant: TenantGrant, pair: TokenPair): Promise<void>;
  /** An unexpired tenant access token and its holder. */
  accessToken(
    hash: string,
    now: number,
  ): Promise<(TenantGrant & { holder: CredentialHolder }) | undefined>;
  /**
   * Spends a refresh token and stores its successor, in one transaction. A
   * token used twice revokes its whole family, since one of the two users
   * must be a thief.
   */
  rotateRefreshToken(
    hash: string,
    next: TokenPair,
    now: number,
  ): Promise<TenantGrant | undefined>;
  /** Revokes an access token, and the family of a refresh token of the same user. */
  revokeTenantTokens(
    userId: string,
    accessHash: string | undefined,
    refreshHash: string | undefined,
  ): Promise<void>;
  /**
   * The stored answer to an idempotency key. Inside
   * {@linkcode Store.transaction} it also takes the key until the
   * transaction ends, so a concurrent repeat on any instance waits for the
   * first answer to commit.
   */
  idempotentResponse(
    credential: string,
    key: string,
    now: number,
  ): Promise<IdempotentResponse | undefined>;
  saveIdempotentResponse(
    credential: string,
    key: string,
    response: IdempotentResponse,
    expiresAt: number,
  ): Promise<void>;
}

/** Projects and flow versions. */
export interface FlowStore {
  createProject(
    tenantId: string,
    input: { name: string; description: string | null },
  ): Promise<Project>;
  project(tenantId: string, id: string): Promise<Project | undefined>;
  /** Projects, oldest first, a page at a time, or the one of `name`. */
  pageProjects(
    tenantId: string,
    filter: { name?: string; limit: number; after?: CursorPosition },
  ): Promise<Page<Project>>;
  deleteProject(tenantId: string, id: string): Promise<boolean>;
  /** Registers a flow version; see the versioning rules in docs/api.md. */
  createFlow(
    tenantId: string,
    input: {
      name: string;
      projectId: string;
      definition: unknown;
      versionGroupId?: string;
      scheduleActive: boolean;
    },
  ): Promise<Flow>;
  flow(tenantId: string, id: string): Promise<Flow | undefined>;
  listFlows(tenantId: string, projectId?: string): Promise<Flow[]>;
  /** Flow versions, oldest first, a page at a time, by project and name. */
  pageFlows(
    tenantId: string,
    filter: {
      projectId?: string;
      name?: string;
      limit: number;
      after?: CursorPosition;
    },
  ): Promise<Page<Flow>>;
  archiveFlow(tenantId: string, id: string): Promise<Flow | undefined>;
}

/** Flow runs, task runs, cached states and concurrency limits. */
export interface RunStore {
  /** Creates a run, or returns the one its idempotency key names (`created: false`). */
  createFlowRun(
    tenantId: string,
    input: FlowRunInput,
  ): Promise<{ run: FlowRun; created: boolean }>;
  flowRun(
    tenantId: string,
    id: string,
  ): Promise<FlowRunWithHistory | undefined>;
  /**
   * {@linkcode RunStore.flowRun}'s run as JSON text, as the API answers it:
   * the stored JSON passes through without a parse and a serialisation.
   */
  flowRunJson(tenantId: string, id: string): Promise<string | undefined>;
  /**
   * Flow runs, newest first; `scheduledBefore` keeps the runs whose
   * scheduled start time is at or before it.
   */
  listFlowRuns(
    tenantId: string,
    filter: {
      flowId?: string;
      versionGroupId?: string;
      state?: StateType;
      scheduledBefore?: string;
      /** Only runs of this exact name. */
      name?: string;
      /** Only runs created at or after this ISO time. */
      createdAfter?: string;
      /** Only runs created before this ISO time. */
      createdBefore?: string;
      limit: number;
      after?: CursorPosition;
    },
  ): Promise<Page<FlowRun>>;
  setFlowRunState(
    tenantId: string,
    id: string,
    version: number,
    state: StateInput,
  ): Promise<StateChange>;
  /** Records a heartbeat; `false` for an unknown run, `invalid_transition` for a finished one. */
  heartbeatFlowRun(tenantId: string, id: string): Promise<boolean>;
  createTaskRun(
    tenantId: string,
    input: {
      flowRunId: string;
      taskId: string;
      mapIndex: number;
      tags: string[];
    },
  ): Promise<{ taskRun: TaskRun; created: boolean }>;
  taskRun(
    tenantId: string,
    id: string,
  ): Promise<TaskRunWithHistory | undefined>;
  /**
   * The task runs of a flow run, oldest first (ties by task id, then map
   * index), at most `limit` after skipping `offset`; empty for an unknown
   * run or another tenant's.
   */
  listTaskRuns(
    tenantId: string,
    flowRunId: string,
    limit: number,
    offset?: number,
  ): Promise<TaskRun[]>;
  /** Sets a task run's state; `RUNNING` over a tag's limit stores `QUEUED`. */
  setTaskRunState(
    tenantId: string,
    id: string,
    version: number,
    state: StateInput,
    cacheForMs: number | undefined,
  ): Promise<StateChange>;
  /** Records a heartbeat; `false` for an unknown run, `invalid_transition` for a finished one. */
  heartbeatTaskRun(tenantId: string, id: string): Promise<boolean>;
  cachedStates(
    tenantId: string,
    filter: { taskId?: string; cacheKey?: string; createdAfter?: string },
    now: number,
  ): Promise<State[]>;
  concurrencyLimit(
    tenantId: string,
    tag: string,
  ): Promise<ConcurrencyLimit | undefined>;
  putConcurrencyLimit(
    tenantId: string,
    tag: string,
    limit: number,
  ): Promise<ConcurrencyLimit>;
  deleteConcurrencyLimit(tenantId: string, id: string): Promise<boolean>;
}

/** Log lines. */
export interface LogStore {
  /** Writes log lines; an unknown flow or task run is `not_found`. */
  writeLogs(tenantId: string, entries: LogInput[]): Promise<number>;
  listLogs(
    tenantId: string,
    filter: {
      flowRunId?: string;
      taskRunId?: string;
      limit: number;
      after?: CursorPosition;
    },
  ): Promise<Page<LogEntry>>;
  /**
   * The newest `limit` log lines of a flow run (or one of its task runs)
   * older than `before`, returned oldest first: the tail of what
   * {@linkcode Store.listLogs} pages through, read backwards. `next` is the
   * position of the oldest line returned when older ones exist.
   */
  recentLogs(
    tenantId: string,
    filter: {
      flowRunId: string;
      taskRunId?: string;
      /** Only lines at these levels (every level when absent). */
      levels?: readonly LogLevel[];
      limit: number;
      before?: CursorPosition;
    },
  ): Promise<Page<LogEntry>>;
  /** One log line of the tenant. */
  logLine(tenantId: string, id: string): Promise<LogEntry | undefined>;
}

/** Secret values, sealed under the server key. */
export interface SecretStore {
  putSecret(
    tenantId: string,
    name: string,
    sealedValue: string,
  ): Promise<Secret>;
  sealedSecret(tenantId: string, name: string): Promise<string | undefined>;
  /** Secrets' metadata, by name, a page at a time. */
  pageSecrets(
    tenantId: string,
    filter: { limit: number; after?: CursorPosition },
  ): Promise<Page<Secret>>;
  deleteSecret(tenantId: string, name: string): Promise<boolean>;
}

/** Agents. */
export interface AgentStore {
  createAgent(
    tenantId: string,
    input: {
      type: string;
      name: string | null;
      labels: Record<string, string>;
    },
  ): Promise<Agent>;
  heartbeatAgent(tenantId: string, id: string): Promise<boolean>;
}

/** The storage operations of the server, one interface per resource. */
export interface Store
  extends
    SettingsStore,
    TenantStore,
    CredentialStore,
    FlowStore,
    RunStore,
    LogStore,
    SecretStore,
    AgentStore {
  /**
   * Runs `fn` in one transaction: every store call it makes commits with
   * it, or none does.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Closes the database. */
  close(): Promise<void>;
}

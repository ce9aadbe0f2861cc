/**
 * {@linkcode Store} on SQLite (`node:sqlite`). The driver is synchronous, so
 * each method runs its transaction start to finish without yielding: no other
 * request can interleave, which makes check-then-write rules (versions, tag
 * limits, idempotency keys) race-free.
 *
 * @module
 */

// The Store interface is async for backends with asynchronous drivers; the
// SQLite methods are synchronous inside, which is what keeps them atomic.
// deno-lint-ignore-file require-await

import {
  DatabaseSync,
  type SQLInputValue,
  type StatementSync,
} from "node:sqlite";
import { migrate } from "./migrations.ts";
import { uuidV7 } from "./ids.ts";
import {
  type AccessKeyInfo,
  type AccessKeyRecord,
  type Agent,
  type ApiTokenInfo,
  type ApiTokenRecord,
  type ConcurrencyLimit,
  type CredentialFilter,
  type CursorPosition,
  type Flow,
  type FlowRun,
  type FlowRunInput,
  type FlowRunWithHistory,
  type IdempotentResponse,
  type LogEntry,
  type LogInput,
  type Page,
  type Project,
  type Role,
  type SealedSample,
  type SecretInfo,
  type State,
  type StateChange,
  type StateInput,
  type StateType,
  type Store,
  StoreError,
  type TaskRun,
  type TaskRunWithHistory,
  type Tenant,
  type TenantGrant,
  TERMINAL_STATES,
  type TokenPair,
  type UserRecord,
} from "./store.ts";
import { canonicalJson } from "./validate.ts";

type Row = Record<string, SQLInputValue>;

/** How long a caller told to wait for a tag's slot should wait. */
const QUEUED_RETRY_AFTER_MS = 1_000;
/** The most log lines one sweep removes. */
const MAX_SWEPT_LOGS = 100_000;
/** The most cached states one query answers. */
const CACHED_STATES_LIMIT = 100;

/** A {@linkcode Store} in one SQLite file (or in memory). */
export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  /**
   * Opens (creating if needed) and migrates a database.
   *
   * @param path A file path, or `":memory:"`.
   */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL");
    // NORMAL in WAL mode keeps every commit across a process crash (kill -9);
    // only an OS crash or power loss can drop the last few.
    this.#db.exec("PRAGMA synchronous = NORMAL");
    this.#db.exec("PRAGMA foreign_keys = ON");
    this.#db.exec("PRAGMA busy_timeout = 5000");
    migrate(this.#db);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  // Settings

  async adminTokenHash(): Promise<string | undefined> {
    return this.#setting("admin_token_hash");
  }

  async setAdminTokenHash(hash: string): Promise<void> {
    this.#setSetting("admin_token_hash", hash);
  }

  async serverKeyCheck(): Promise<string | undefined> {
    return this.#setting("server_key_check");
  }

  async setServerKeyCheck(check: string): Promise<void> {
    this.#setSetting("server_key_check", check);
  }

  async sealedSample(): Promise<SealedSample | undefined> {
    const secret = this.#get<
      { tenant_id: string; name: string; sealed_value: string }
    >("SELECT tenant_id, name, sealed_value FROM secrets LIMIT 1");
    if (secret) {
      return {
        kind: "secret",
        tenantId: secret.tenant_id,
        name: secret.name,
        sealed: secret.sealed_value,
      };
    }
    const key = this.#get<{ access_key: string; sealed_secret: string }>(
      "SELECT access_key, sealed_secret FROM access_keys LIMIT 1",
    );
    return key && {
      kind: "access_key",
      accessKey: key.access_key,
      sealed: key.sealed_secret,
    };
  }

  async sweep(now: number, logRetentionMs: number): Promise<void> {
    this.#tx(() => {
      this.#sweepLogs(new Date(now - logRetentionMs).toISOString());
      this.#run("DELETE FROM nonces WHERE expires_at <= ?", now);
      this.#run("DELETE FROM api_tokens WHERE expires_at <= ?", now);
      this.#run("DELETE FROM sessions WHERE expires_at <= ?", now);
      this.#run("DELETE FROM access_tokens WHERE expires_at <= ?", now);
      this.#run("DELETE FROM refresh_tokens WHERE expires_at <= ?", now);
      this.#run("DELETE FROM idempotency WHERE expires_at <= ?", now);
      this.#run("DELETE FROM cached_states WHERE expires_at <= ?", now);
      this.#run(
        `UPDATE flow_runs SET idempotency_key = NULL, idempotency_expires_at = NULL
         WHERE idempotency_expires_at <= ?`,
        now,
      );
    });
  }

  /**
   * Removes log lines written before `cutoff`, oldest first, at most
   * {@linkcode MAX_SWEPT_LOGS} a sweep so one sweep never stalls requests.
   * Lines are found by insertion order (`seq`), whose times only grow, so
   * this reads only the rows it removes and needs no index on the time.
   */
  #sweepLogs(cutoff: string): void {
    const first = this.#get<{ seq: number }>(
      "SELECT seq FROM logs ORDER BY seq LIMIT 1",
    )?.seq;
    if (first === undefined) return;
    const kept = this.#get<{ seq: number }>(
      "SELECT seq FROM logs WHERE seq < ? AND created_at >= ? ORDER BY seq LIMIT 1",
      first + MAX_SWEPT_LOGS,
      cutoff,
    )?.seq ?? first + MAX_SWEPT_LOGS;
    this.#run("DELETE FROM logs WHERE seq < ?", kept);
  }

  // Tenants and users

  async createTenant(input: { slug: string; name: string }): Promise<Tenant> {
    return this.#tx(() => {
      if (this.#get("SELECT 1 FROM tenants WHERE slug = ?", input.slug)) {
        throw new StoreError("conflict", "A tenant with this slug exists");
      }
      const tenant: Tenant = {
        id: uuidV7(),
        slug: input.slug,
        name: input.name,
        createdAt: new Date().toISOString(),
      };
      this.#run(
        "INSERT INTO tenants (id, slug, name, created_at) VALUES (?, ?, ?, ?)",
        tenant.id,
        tenant.slug,
        tenant.name,
        tenant.createdAt,
      );
      return tenant;
    });
  }

  async tenantBySlug(slug: string): Promise<Tenant | undefined> {
    const row = this.#get("SELECT * FROM tenants WHERE slug = ?", slug);
    return row && toTenant(row);
  }

  async tenantById(id: string): Promise<Tenant | undefined> {
    const row = this.#get("SELECT * FROM tenants WHERE id = ?", id);
    return row && toTenant(row);
  }

  async listTenants(): Promise<Tenant[]> {
    return this.#all("SELECT * FROM tenants ORDER BY seq").map(toTenant);
  }

  async userTenants(userId: string): Promise<Array<Tenant & { role: Role }>> {
    return this.#all(
      `SELECT t.*, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id
       WHERE m.user_id = ? ORDER BY m.seq`,
      userId,
    ).map((row) => ({ ...toTenant(row), role: row.role as Role }));
  }

  async userByName(username: string): Promise<UserRecord | undefined> {
    const row = this.#get("SELECT * FROM users WHERE username = ?", username);
    return row && toUser(row);
  }

  async userById(id: string): Promise<UserRecord | undefined> {
    const row = this.#get("SELECT * FROM users WHERE id = ?", id);
    return row && toUser(row);
  }

  async createUser(
    input: { username: string; passwordHash: string },
    tenantId: string,
    role: Role,
  ): Promise<UserRecord> {
    return this.#tx(() => {
      if (this.#get("SELECT 1 FROM users WHERE username = ?", input.username)) {
        throw new StoreError("conflict", "A user with this username exists");
      }
      const user = { id: uuidV7(), ...input };
      this.#run(
        "INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)",
        user.id,
        user.username,
        user.passwordHash,
        new Date().toISOString(),
      );
      this.#run(
        "INSERT INTO memberships (user_id, tenant_id, role) VALUES (?, ?, ?)",
        user.id,
        tenantId,
        role,
      );
      return user;
    });
  }

  async setMembership(
    userId: string,
    tenantId: string,
    role: Role,
  ): Promise<void> {
    this.#run(
      `INSERT INTO memberships (user_id, tenant_id, role) VALUES (?, ?, ?)
       ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = excluded.role`,
      userId,
      tenantId,
      role,
    );
  }

  async removeMembership(userId: string, tenantId: string): Promise<boolean> {
    return this.#tx(() => {
      const removed = this.#run(
        "DELETE FROM memberships WHERE user_id = ? AND tenant_id = ?",
        userId,
        tenantId,
      ).changes === 1;
      if (removed) {
        for (
          const table of [
            "api_tokens",
            "access_keys",
            "access_tokens",
            "refresh_tokens",
          ]
        ) {
          this.#run(
            `DELETE FROM ${table} WHERE user_id = ? AND tenant_id = ?`,
            userId,
            tenantId,
          );
        }
      }
      return removed;
    });
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    this.#tx(() => {
      this.#run(
        "UPDATE users SET password_hash = ? WHERE id = ?",
        passwordHash,
        userId,
      );
      for (const table of ["sessions", "access_tokens", "refresh_tokens"]) {
        this.#run(`DELETE FROM ${table} WHERE user_id = ?`, userId);
      }
    });
  }

  async role(userId: string, tenantId: string): Promise<Role | undefined> {
    return this.#get<{ role: Role }>(
      "SELECT role FROM memberships WHERE user_id = ? AND tenant_id = ?",
      userId,
      tenantId,
    )?.role;
  }

  // Credentials

  async createApiToken(
    input: Omit<ApiTokenRecord, "id"> & {
      name: string;
      tokenHash: string;
      expiresAt: number | null;
    },
  ): Promise<string> {
    const id = uuidV7();
    this.#run(
      `INSERT INTO api_tokens (id, token_hash, name, scope, user_id, tenant_id, created_at,
         expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      input.tokenHash,
      input.name,
      input.scope,
      input.userId,
      input.tenantId,
      new Date().toISOString(),
      input.expiresAt,
    );
    return id;
  }

  async apiTokenByHash(
    hash: string,
    now: number,
  ): Promise<ApiTokenRecord | undefined> {
    const row = this.#get(
      `SELECT id, scope, user_id, tenant_id FROM api_tokens
       WHERE token_hash = ? AND (expires_at IS NULL OR expires_at > ?)`,
      hash,
      now,
    );
    return row && {
      id: row.id as string,
      scope: row.scope as "user" | "tenant",
      userId: row.user_id as string,
      tenantId: row.tenant_id as string | null,
    };
  }

  async createAccessKey(input: AccessKeyRecord): Promise<void> {
    this.#run(
      `INSERT INTO access_keys (access_key, sealed_secret, user_id, tenant_id, created_at)
       VALUES (?, ?, ?, ?, ?)`,
      input.accessKey,
      input.sealedSecret,
      input.userId,
      input.tenantId,
      new Date().toISOString(),
    );
  }

  async listApiTokens(
    filter: CredentialFilter & { limit: number; after?: CursorPosition },
  ): Promise<Page<ApiTokenInfo>> {
    const where = credentialWhere("t", filter);
    const rows = this.#all(
      `SELECT t.rowid AS seq, t.id, t.name, t.scope, t.created_at, t.expires_at,
         u.username, n.slug
       FROM api_tokens t JOIN users u ON u.id = t.user_id
         LEFT JOIN tenants n ON n.id = t.tenant_id
       WHERE ${where.sql} AND (? IS NULL OR t.rowid < ?)
       ORDER BY t.rowid DESC LIMIT ?`,
      ...where.params,
      filter.after?.key ?? null,
      filter.after?.key ?? null,
      filter.limit + 1,
    );
    return toPage(rows, filter.limit, (row) => ({
      id: row.id as string,
      name: row.name as string,
      scope: row.scope as "user" | "tenant",
      username: row.username as string,
      tenant: row.slug as string | null,
      createdAt: row.created_at as string,
      expiresAt: row.expires_at === null
        ? null
        : new Date(row.expires_at as number).toISOString(),
    }));
  }

  async revokeApiToken(id: string, filter: CredentialFilter): Promise<boolean> {
    const where = credentialWhere("t", filter);
    return this.#run(
      `DELETE FROM api_tokens WHERE id IN (
         SELECT t.id FROM api_tokens t WHERE t.id = ? AND ${where.sql})`,
      id,
      ...where.params,
    ).changes === 1;
  }

  async accessKey(accessKey: string): Promise<AccessKeyRecord | undefined> {
    const row = this.#get(
      "SELECT * FROM access_keys WHERE access_key = ?",
      accessKey,
    );
    return row && {
      accessKey: row.access_key as string,
      sealedSecret: row.sealed_secret as string,
      userId: row.user_id as string,
      tenantId: row.tenant_id as string,
    };
  }

  async listAccessKeys(
    filter: CredentialFilter & { limit: number; after?: CursorPosition },
  ): Promise<Page<AccessKeyInfo>> {
    const where = credentialWhere("k", filter);
    const rows = this.#all(
      `SELECT k.rowid AS seq, k.access_key AS id, k.created_at, u.username, n.slug
       FROM access_keys k JOIN users u ON u.id = k.user_id
         JOIN tenants n ON n.id = k.tenant_id
       WHERE ${where.sql} AND (? IS NULL OR k.rowid < ?)
       ORDER BY k.rowid DESC LIMIT ?`,
      ...where.params,
      filter.after?.key ?? null,
      filter.after?.key ?? null,
      filter.limit + 1,
    );
    return toPage(rows, filter.limit, (row) => ({
      accessKey: row.id as string,
      username: row.username as string,
      tenant: row.slug as string,
      createdAt: row.created_at as string,
    }));
  }

  async revokeAccessKey(
    accessKey: string,
    filter: CredentialFilter,
  ): Promise<boolean> {
    const where = credentialWhere("k", filter);
    return this.#run(
      `DELETE FROM access_keys WHERE access_key IN (
         SELECT k.access_key FROM access_keys k WHERE k.access_key = ? AND ${where.sql})`,
      accessKey,
      ...where.params,
    ).changes === 1;
  }

  async useNonce(
    accessKey: string,
    nonce: string,
    expiresAt: number,
  ): Promise<boolean> {
    const result = this.#run(
      `INSERT INTO nonces (access_key, nonce, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (access_key, nonce) DO NOTHING`,
      accessKey,
      nonce,
      expiresAt,
    );
    return result.changes === 1;
  }

  async createSession(
    idHash: string,
    userId: string,
    expiresAt: number,
  ): Promise<void> {
    this.#run(
      "INSERT INTO sessions (id_hash, user_id, expires_at) VALUES (?, ?, ?)",
      idHash,
      userId,
      expiresAt,
    );
  }

  async sessionUser(idHash: string, now: number): Promise<string | undefined> {
    return this.#get<{ user_id: string }>(
      "SELECT user_id FROM sessions WHERE id_hash = ? AND expires_at > ?",
      idHash,
      now,
    )?.user_id;
  }

  async deleteSession(idHash: string): Promise<void> {
    this.#run("DELETE FROM sessions WHERE id_hash = ?", idHash);
  }

  async createTenantTokens(grant: TenantGrant, pair: TokenPair): Promise<void> {
    this.#tx(() => this.#insertPair(grant, pair));
  }

  async accessToken(
    hash: string,
    now: number,
  ): Promise<TenantGrant | undefined> {
    const row = this.#get(
      `SELECT user_id, tenant_id, family_id FROM access_tokens
       WHERE token_hash = ? AND expires_at > ?`,
      hash,
      now,
    );
    return row && toGrant(row);
  }

  async rotateRefreshToken(
    hash: string,
    next: TokenPair,
    now: number,
  ): Promise<TenantGrant | undefined> {
    return this.#tx(() => {
      const row = this.#get(
        "SELECT * FROM refresh_tokens WHERE token_hash = ? AND expires_at > ?",
        hash,
        now,
      );
      if (!row) return undefined;
      const grant = toGrant(row);
      if (row.used) {
        this.#revokeFamily(grant.familyId);
        return undefined;
      }
      if (
        !this.#get(
          "SELECT 1 FROM memberships WHERE user_id = ? AND tenant_id = ?",
          grant.userId,
          grant.tenantId,
        )
      ) {
        return undefined;
      }
      this.#run(
        "UPDATE refresh_tokens SET used = 1 WHERE token_hash = ?",
        hash,
      );
      this.#insertPair(grant, next);
      return grant;
    });
  }

  async revokeTenantTokens(
    userId: string,
    accessHash: string | undefined,
    refreshHash: string | undefined,
  ): Promise<void> {
    this.#tx(() => {
      if (accessHash !== undefined) {
        this.#run("DELETE FROM access_tokens WHERE token_hash = ?", accessHash);
      }
      if (refreshHash !== undefined) {
        const row = this.#get<{ family_id: string }>(
          "SELECT family_id FROM refresh_tokens WHERE token_hash = ? AND user_id = ?",
          refreshHash,
          userId,
        );
        if (row) this.#revokeFamily(row.family_id);
      }
    });
  }

  async idempotentResponse(
    credential: string,
    key: string,
    now: number,
  ): Promise<IdempotentResponse | undefined> {
    const row = this.#get(
      `SELECT fingerprint, status, body FROM idempotency
       WHERE credential = ? AND key = ? AND expires_at > ?`,
      credential,
      key,
      now,
    );
    return row && {
      fingerprint: row.fingerprint as string,
      status: row.status as number,
      body: row.body as string | null,
    };
  }

  async saveIdempotentResponse(
    credential: string,
    key: string,
    response: IdempotentResponse,
    expiresAt: number,
  ): Promise<void> {
    this.#run(
      `INSERT INTO idempotency (credential, key, fingerprint, status, body, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (credential, key) DO UPDATE SET fingerprint = excluded.fingerprint,
         status = excluded.status, body = excluded.body, expires_at = excluded.expires_at`,
      credential,
      key,
      response.fingerprint,
      response.status,
      response.body,
      expiresAt,
    );
  }

  // Projects and flows

  async createProject(
    tenantId: string,
    input: { name: string; description: string | null },
  ): Promise<Project> {
    return this.#tx(() => {
      if (
        this.#get(
          "SELECT 1 FROM projects WHERE tenant_id = ? AND name = ?",
          tenantId,
          input.name,
        )
      ) {
        throw new StoreError("conflict", "A project with this name exists");
      }
      const project: Project = {
        id: uuidV7(),
        name: input.name,
        description: input.description,
        createdAt: new Date().toISOString(),
      };
      this.#run(
        "INSERT INTO projects (id, tenant_id, name, description, created_at) VALUES (?, ?, ?, ?, ?)",
        project.id,
        tenantId,
        project.name,
        project.description,
        project.createdAt,
      );
      return project;
    });
  }

  async project(tenantId: string, id: string): Promise<Project | undefined> {
    const row = this.#get(
      "SELECT * FROM projects WHERE tenant_id = ? AND id = ?",
      tenantId,
      id,
    );
    return row && toProject(row);
  }

  async listProjects(tenantId: string): Promise<Project[]> {
    return this.#all(
      "SELECT * FROM projects WHERE tenant_id = ? ORDER BY created_at, id",
      tenantId,
    ).map(toProject);
  }

  async deleteProject(tenantId: string, id: string): Promise<boolean> {
    return this.#run(
      "DELETE FROM projects WHERE tenant_id = ? AND id = ?",
      tenantId,
      id,
    ).changes === 1;
  }

  async createFlow(
    tenantId: string,
    input: {
      name: string;
      projectId: string;
      definition: unknown;
      versionGroupId?: string;
      scheduleActive: boolean;
    },
  ): Promise<Flow> {
    return this.#tx(() => {
      if (
        !this.#get(
          "SELECT 1 FROM projects WHERE tenant_id = ? AND id = ?",
          tenantId,
          input.projectId,
        )
      ) {
        throw new StoreError("not_found", "Project not found");
      }
      const latest = this.#get<{ version: number; version_group_id: string }>(
        `SELECT version, version_group_id FROM flows
         WHERE tenant_id = ? AND project_id = ? AND name = ?
         ORDER BY version DESC LIMIT 1`,
        tenantId,
        input.projectId,
        input.name,
      );
      let groupId = latest?.version_group_id ?? input.versionGroupId ??
        uuidV7();
      if (input.versionGroupId !== undefined) {
        const owner = this.#get<{ name: string; project_id: string }>(
          "SELECT name, project_id FROM flows WHERE tenant_id = ? AND version_group_id = ? LIMIT 1",
          tenantId,
          input.versionGroupId,
        );
        const sameFlow = owner === undefined
          ? latest === undefined
          : owner.name === input.name &&
            owner.project_id === input.projectId;
        if (!sameFlow) {
          throw new StoreError(
            "conflict",
            "The version group belongs to another flow",
          );
        }
        groupId = input.versionGroupId;
      }
      const flow: Flow = {
        id: uuidV7(),
        name: input.name,
        projectId: input.projectId,
        version: (latest?.version ?? 0) + 1,
        versionGroupId: groupId,
        archived: false,
        definition: input.definition,
        scheduleActive: input.scheduleActive,
        createdAt: new Date().toISOString(),
      };
      this.#run(
        "UPDATE flows SET archived = 1 WHERE tenant_id = ? AND version_group_id = ?",
        tenantId,
        groupId,
      );
      this.#run(
        `INSERT INTO flows (id, tenant_id, project_id, name, version, version_group_id,
           archived, definition, schedule_active, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
        flow.id,
        tenantId,
        flow.projectId,
        flow.name,
        flow.version,
        flow.versionGroupId,
        JSON.stringify(flow.definition),
        flow.scheduleActive ? 1 : 0,
        flow.createdAt,
      );
      return flow;
    });
  }

  async flow(tenantId: string, id: string): Promise<Flow | undefined> {
    const row = this.#get(
      "SELECT * FROM flows WHERE tenant_id = ? AND id = ?",
      tenantId,
      id,
    );
    return row && toFlow(row);
  }

  async listFlows(tenantId: string, projectId?: string): Promise<Flow[]> {
    return this.#all(
      `SELECT * FROM flows WHERE tenant_id = ? AND (? IS NULL OR project_id = ?)
       ORDER BY seq`,
      tenantId,
      projectId ?? null,
      projectId ?? null,
    ).map(toFlow);
  }

  async archiveFlow(tenantId: string, id: string): Promise<Flow | undefined> {
    this.#run(
      "UPDATE flows SET archived = 1 WHERE tenant_id = ? AND id = ?",
      tenantId,
      id,
    );
    return this.flow(tenantId, id);
  }

  // Runs

  async createFlowRun(
    tenantId: string,
    input: FlowRunInput,
  ): Promise<{ run: FlowRun; created: boolean }> {
    return this.#tx(() => {
      const flow = input.flowId !== undefined
        ? this.#get<{ id: string; name: string }>(
          "SELECT id, name FROM flows WHERE tenant_id = ? AND id = ?",
          tenantId,
          input.flowId,
        )
        : this.#get<{ id: string; name: string }>(
          `SELECT id, name FROM flows WHERE tenant_id = ? AND version_group_id = ?
           AND archived = 0 ORDER BY version DESC LIMIT 1`,
          tenantId,
          input.versionGroupId!,
        );
      if (!flow) throw new StoreError("not_found", "Flow not found");
      const parameters = canonicalJson(input.parameters);
      const context = canonicalJson(input.context);
      const now = new Date().toISOString();
      if (input.idempotencyKey !== undefined) {
        const existing = this.#get(
          `SELECT * FROM flow_runs WHERE tenant_id = ? AND idempotency_key = ?
           AND idempotency_expires_at > ?`,
          tenantId,
          input.idempotencyKey,
          Date.now(),
        );
        if (existing) {
          if (
            existing.flow_id !== flow.id ||
            existing.parameters !== parameters ||
            existing.context !== context
          ) {
            throw new StoreError(
              "conflict",
              "The idempotency key was used for a run with other values",
            );
          }
          this.#run(
            "UPDATE flow_runs SET idempotency_expires_at = ? WHERE id = ?",
            input.idempotencyExpiresAt,
            existing.id,
          );
          return { run: toFlowRun(existing), created: false };
        }
        // An expired key may still sit on an old run until the next sweep.
        this.#run(
          `UPDATE flow_runs SET idempotency_key = NULL, idempotency_expires_at = NULL
           WHERE tenant_id = ? AND idempotency_key = ?`,
          tenantId,
          input.idempotencyKey,
        );
      }
      const state: State = { type: "SCHEDULED", timestamp: now };
      const id = uuidV7();
      this.#run(
        `INSERT INTO flow_runs (id, tenant_id, flow_id, name, version, state, state_type,
           parameters, context, scheduled_start_time, created_at, updated_at,
           idempotency_key, idempotency_expires_at)
         VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        tenantId,
        flow.id,
        // The id's last 12 hex digits are random; its first ones are the time,
        // the same for every run created in the same minute.
        input.name ?? `${flow.name}-${id.slice(-12)}`,
        JSON.stringify(state),
        state.type,
        parameters,
        context,
        input.scheduledStartTime,
        now,
        now,
        input.idempotencyKey ?? null,
        input.idempotencyKey === undefined ? null : input.idempotencyExpiresAt,
      );
      this.#run(
        "INSERT INTO flow_run_states (flow_run_id, version, state) VALUES (?, 1, ?)",
        id,
        JSON.stringify(state),
      );
      const row = this.#get("SELECT * FROM flow_runs WHERE id = ?", id)!;
      return { run: toFlowRun(row), created: true };
    });
  }

  async flowRun(
    tenantId: string,
    id: string,
  ): Promise<FlowRunWithHistory | undefined> {
    const row = this.#get(
      "SELECT * FROM flow_runs WHERE tenant_id = ? AND id = ?",
      tenantId,
      id,
    );
    if (!row) return undefined;
    return { ...toFlowRun(row), history: this.#history("flow", id) };
  }

  /** Every state of a flow or task run, oldest first. */
  #history(kind: "flow" | "task", id: string): State[] {
    return this.#all<{ state: string }>(
      `SELECT state FROM ${kind}_run_states WHERE ${kind}_run_id = ? ORDER BY version`,
      id,
    ).map((item) => JSON.parse(item.state) as State);
  }

  async listFlowRuns(
    tenantId: string,
    filter: {
      flowId?: string;
      versionGroupId?: string;
      state?: StateType;
      scheduledBefore?: string;
      limit: number;
      after?: CursorPosition;
    },
  ): Promise<Page<FlowRun>> {
    // Newest first by insertion sequence: rows inserted later sort before
    // every cursor, so paging never skips or repeats one.
    const rows = this.#all(
      `SELECT * FROM flow_runs WHERE tenant_id = ?
         AND (? IS NULL OR flow_id = ?) AND (? IS NULL OR state_type = ?)
         AND (? IS NULL OR flow_id IN (
           SELECT id FROM flows WHERE tenant_id = ? AND version_group_id = ?))
         AND (? IS NULL OR scheduled_start_time <= ?)
         AND (? IS NULL OR seq < ?)
       ORDER BY seq DESC LIMIT ?`,
      tenantId,
      filter.flowId ?? null,
      filter.flowId ?? null,
      filter.state ?? null,
      filter.state ?? null,
      filter.versionGroupId ?? null,
      tenantId,
      filter.versionGroupId ?? null,
      filter.scheduledBefore ?? null,
      filter.scheduledBefore ?? null,
      filter.after?.key ?? null,
      filter.after?.key ?? null,
      filter.limit + 1,
    );
    return toPage(rows, filter.limit, toFlowRun);
  }

  async setFlowRunState(
    tenantId: string,
    id: string,
    version: number,
    input: StateInput,
  ): Promise<StateChange> {
    return this.#tx(() => {
      const row = this.#get<{ version: number; state_type: string }>(
        "SELECT version, state_type FROM flow_runs WHERE tenant_id = ? AND id = ?",
        tenantId,
        id,
      );
      if (!row) throw new StoreError("not_found", "Flow run not found");
      checkTransition(row, version);
      const state: State = { ...input, timestamp: new Date().toISOString() };
      const next = row.version + 1;
      this.#run(
        `UPDATE flow_runs SET state = ?, state_type = ?, version = ?, updated_at = ?,
           ${TIMING_UPDATE} WHERE id = ?`,
        JSON.stringify(state),
        state.type,
        next,
        state.timestamp,
        ...timingParameters(state),
        id,
      );
      this.#run(
        "INSERT INTO flow_run_states (flow_run_id, version, state) VALUES (?, ?, ?)",
        id,
        next,
        JSON.stringify(state),
      );
      return { state, version: next };
    });
  }

  async heartbeatFlowRun(tenantId: string, id: string): Promise<boolean> {
    return this.#heartbeat("flow_runs", tenantId, id);
  }

  async createTaskRun(
    tenantId: string,
    input: {
      flowRunId: string;
      taskId: string;
      mapIndex: number;
      tags: string[];
    },
  ): Promise<{ taskRun: TaskRun; created: boolean }> {
    return this.#tx(() => {
      if (
        !this.#get(
          "SELECT 1 FROM flow_runs WHERE tenant_id = ? AND id = ?",
          tenantId,
          input.flowRunId,
        )
      ) {
        throw new StoreError("not_found", "Flow run not found");
      }
      const existing = this.#get(
        "SELECT * FROM task_runs WHERE flow_run_id = ? AND task_id = ? AND map_index = ?",
        input.flowRunId,
        input.taskId,
        input.mapIndex,
      );
      if (existing) return { taskRun: toTaskRun(existing), created: false };
      const now = new Date().toISOString();
      const state: State = { type: "PENDING", timestamp: now };
      const id = uuidV7();
      this.#run(
        `INSERT INTO task_runs (id, tenant_id, flow_run_id, task_id, map_index, tags,
           version, state, state_type, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
        id,
        tenantId,
        input.flowRunId,
        input.taskId,
        input.mapIndex,
        JSON.stringify(input.tags),
        JSON.stringify(state),
        state.type,
        now,
        now,
      );
      for (const tag of input.tags) {
        this.#run(
          "INSERT INTO task_run_tags (task_run_id, tenant_id, tag) VALUES (?, ?, ?)",
          id,
          tenantId,
          tag,
        );
      }
      this.#run(
        "INSERT INTO task_run_states (task_run_id, version, state) VALUES (?, 1, ?)",
        id,
        JSON.stringify(state),
      );
      const row = this.#get("SELECT * FROM task_runs WHERE id = ?", id)!;
      return { taskRun: toTaskRun(row), created: true };
    });
  }

  async taskRun(
    tenantId: string,
    id: string,
  ): Promise<TaskRunWithHistory | undefined> {
    const row = this.#get(
      "SELECT * FROM task_runs WHERE tenant_id = ? AND id = ?",
      tenantId,
      id,
    );
    if (!row) return undefined;
    return { ...toTaskRun(row), history: this.#history("task", id) };
  }

  async listTaskRuns(
    tenantId: string,
    flowRunId: string,
    limit: number,
  ): Promise<TaskRun[]> {
    return this.#all(
      `SELECT * FROM task_runs WHERE tenant_id = ? AND flow_run_id = ?
       ORDER BY created_at, task_id, map_index LIMIT ?`,
      tenantId,
      flowRunId,
      limit,
    ).map(toTaskRun);
  }

  async setTaskRunState(
    tenantId: string,
    id: string,
    version: number,
    input: StateInput,
    cacheForMs: number | undefined,
  ): Promise<StateChange> {
    return this.#tx(() => {
      const row = this.#get<
        { version: number; state_type: string; task_id: string; tags: string }
      >(
        "SELECT version, state_type, task_id, tags FROM task_runs WHERE tenant_id = ? AND id = ?",
        tenantId,
        id,
      );
      if (!row) throw new StoreError("not_found", "Task run not found");
      checkTransition(row, version);
      const timestamp = new Date().toISOString();
      let state: State = { ...input, timestamp };
      let retryAfterMs: number | undefined;
      // A run already RUNNING holds its slot; only a new start is counted.
      if (input.type === "RUNNING" && row.state_type !== "RUNNING") {
        const tags = JSON.parse(row.tags) as string[];
        if (tags.some((tag) => this.#tagIsFull(tenantId, tag))) {
          state = {
            type: "QUEUED",
            message: "Waiting for a concurrency slot",
            timestamp,
          };
          retryAfterMs = QUEUED_RETRY_AFTER_MS;
        }
      }
      const next = row.version + 1;
      this.#run(
        `UPDATE task_runs SET state = ?, state_type = ?, version = ?, updated_at = ?,
           ${TIMING_UPDATE} WHERE id = ?`,
        JSON.stringify(state),
        state.type,
        next,
        timestamp,
        ...timingParameters(state),
        id,
      );
      this.#run(
        "INSERT INTO task_run_states (task_run_id, version, state) VALUES (?, ?, ?)",
        id,
        next,
        JSON.stringify(state),
      );
      if (cacheForMs !== undefined && retryAfterMs === undefined) {
        this.#run(
          `INSERT INTO cached_states (tenant_id, task_id, cache_key, state, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
          tenantId,
          row.task_id,
          state.cacheKey ?? row.task_id,
          JSON.stringify(state),
          timestamp,
          Date.now() + cacheForMs,
        );
      }
      return retryAfterMs === undefined
        ? { state, version: next }
        : { state, version: next, retryAfterMs };
    });
  }

  async heartbeatTaskRun(tenantId: string, id: string): Promise<boolean> {
    return this.#heartbeat("task_runs", tenantId, id);
  }

  async cachedStates(
    tenantId: string,
    filter: { taskId?: string; cacheKey?: string; createdAfter?: string },
    now: number,
  ): Promise<State[]> {
    return this.#all<{ state: string }>(
      `SELECT state FROM cached_states WHERE tenant_id = ? AND expires_at > ?
         AND (? IS NULL OR task_id = ?) AND (? IS NULL OR cache_key = ?)
         AND (? IS NULL OR created_at > ?)
       ORDER BY seq DESC LIMIT ?`,
      tenantId,
      now,
      filter.taskId ?? null,
      filter.taskId ?? null,
      filter.cacheKey ?? null,
      filter.cacheKey ?? null,
      filter.createdAfter ?? null,
      filter.createdAfter ?? null,
      CACHED_STATES_LIMIT,
    ).map((row) => JSON.parse(row.state) as State);
  }

  async concurrencyLimit(
    tenantId: string,
    tag: string,
  ): Promise<ConcurrencyLimit | undefined> {
    const row = this.#get<{ id: string; max_running: number }>(
      "SELECT id, max_running FROM concurrency_limits WHERE tenant_id = ? AND tag = ?",
      tenantId,
      tag,
    );
    return row && {
      id: row.id,
      tag,
      limit: row.max_running,
      active: this.#activeWithTag(tenantId, tag),
    };
  }

  async putConcurrencyLimit(
    tenantId: string,
    tag: string,
    limit: number,
  ): Promise<ConcurrencyLimit> {
    return this.#tx(() => {
      this.#run(
        `INSERT INTO concurrency_limits (id, tenant_id, tag, max_running) VALUES (?, ?, ?, ?)
         ON CONFLICT (tenant_id, tag) DO UPDATE SET max_running = excluded.max_running`,
        uuidV7(),
        tenantId,
        tag,
        limit,
      );
      const row = this.#get<{ id: string }>(
        "SELECT id FROM concurrency_limits WHERE tenant_id = ? AND tag = ?",
        tenantId,
        tag,
      )!;
      return {
        id: row.id,
        tag,
        limit,
        active: this.#activeWithTag(tenantId, tag),
      };
    });
  }

  async deleteConcurrencyLimit(tenantId: string, id: string): Promise<boolean> {
    return this.#run(
      "DELETE FROM concurrency_limits WHERE tenant_id = ? AND id = ?",
      tenantId,
      id,
    ).changes === 1;
  }

  // Logs, secrets, agents

  async writeLogs(tenantId: string, entries: LogInput[]): Promise<number> {
    return this.#tx(() => {
      const known = new Set<string>();
      for (const entry of entries) {
        const flowKey = `f:${entry.flowRunId}`;
        if (!known.has(flowKey)) {
          if (
            !this.#get(
              "SELECT 1 FROM flow_runs WHERE tenant_id = ? AND id = ?",
              tenantId,
              entry.flowRunId,
            )
          ) {
            throw new StoreError("not_found", "Flow run not found");
          }
          known.add(flowKey);
        }
        const taskKey = `t:${entry.flowRunId}:${entry.taskRunId}`;
        if (entry.taskRunId !== undefined && !known.has(taskKey)) {
          if (
            !this.#get(
              "SELECT 1 FROM task_runs WHERE tenant_id = ? AND id = ? AND flow_run_id = ?",
              tenantId,
              entry.taskRunId,
              entry.flowRunId,
            )
          ) {
            throw new StoreError("not_found", "Task run not found");
          }
          known.add(taskKey);
        }
      }
      const now = new Date().toISOString();
      for (const entry of entries) {
        this.#run(
          `INSERT INTO logs (id, tenant_id, flow_run_id, task_run_id, level, message,
             timestamp, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          uuidV7(),
          tenantId,
          entry.flowRunId,
          entry.taskRunId ?? null,
          entry.level,
          entry.message,
          entry.timestamp,
          now,
        );
      }
      return entries.length;
    });
  }

  async listLogs(
    tenantId: string,
    filter: {
      flowRunId?: string;
      taskRunId?: string;
      limit: number;
      after?: CursorPosition;
    },
  ): Promise<Page<LogEntry>> {
    const rows = this.#all(
      `SELECT * FROM logs WHERE tenant_id = ?
         AND (? IS NULL OR flow_run_id = ?) AND (? IS NULL OR task_run_id = ?)
         AND (? IS NULL OR seq > ?)
       ORDER BY seq LIMIT ?`,
      tenantId,
      filter.flowRunId ?? null,
      filter.flowRunId ?? null,
      filter.taskRunId ?? null,
      filter.taskRunId ?? null,
      filter.after?.key ?? null,
      filter.after?.key ?? null,
      filter.limit + 1,
    );
    return toPage(rows, filter.limit, toLogEntry);
  }

  async recentLogs(
    tenantId: string,
    filter: {
      flowRunId: string;
      taskRunId?: string;
      limit: number;
      before?: CursorPosition;
    },
  ): Promise<Page<LogEntry>> {
    // The newest rows by insertion sequence, flipped back to oldest first.
    const page = toPage(
      this.#all(
        `SELECT * FROM logs WHERE tenant_id = ? AND flow_run_id = ?
           AND (? IS NULL OR task_run_id = ?) AND (? IS NULL OR seq < ?)
         ORDER BY seq DESC LIMIT ?`,
        tenantId,
        filter.flowRunId,
        filter.taskRunId ?? null,
        filter.taskRunId ?? null,
        filter.before?.key ?? null,
        filter.before?.key ?? null,
        filter.limit + 1,
      ),
      filter.limit,
      toLogEntry,
    );
    page.items.reverse();
    return page;
  }

  async logLine(tenantId: string, id: string): Promise<LogEntry | undefined> {
    const row = this.#get<Row>(
      "SELECT * FROM logs WHERE tenant_id = ? AND id = ?",
      tenantId,
      id,
    );
    return row && toLogEntry(row);
  }

  async putSecret(
    tenantId: string,
    name: string,
    sealedValue: string,
  ): Promise<SecretInfo> {
    const now = new Date().toISOString();
    return this.#tx(() => {
      this.#run(
        `INSERT INTO secrets (tenant_id, name, sealed_value, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, name) DO UPDATE SET sealed_value = excluded.sealed_value,
           updated_at = excluded.updated_at`,
        tenantId,
        name,
        sealedValue,
        now,
        now,
      );
      return toSecretInfo(
        this.#get(
          "SELECT * FROM secrets WHERE tenant_id = ? AND name = ?",
          tenantId,
          name,
        )!,
      );
    });
  }

  async sealedSecret(
    tenantId: string,
    name: string,
  ): Promise<string | undefined> {
    return this.#get<{ sealed_value: string }>(
      "SELECT sealed_value FROM secrets WHERE tenant_id = ? AND name = ?",
      tenantId,
      name,
    )?.sealed_value;
  }

  async listSecrets(tenantId: string): Promise<SecretInfo[]> {
    return this.#all(
      "SELECT name, created_at, updated_at FROM secrets WHERE tenant_id = ? ORDER BY name",
      tenantId,
    ).map(toSecretInfo);
  }

  async deleteSecret(tenantId: string, name: string): Promise<boolean> {
    return this.#run(
      "DELETE FROM secrets WHERE tenant_id = ? AND name = ?",
      tenantId,
      name,
    ).changes === 1;
  }

  async createAgent(
    tenantId: string,
    input: {
      type: string;
      name: string | null;
      labels: Record<string, string>;
    },
  ): Promise<Agent> {
    const agent: Agent = {
      id: uuidV7(),
      ...input,
      lastHeartbeat: new Date().toISOString(),
    };
    this.#run(
      `INSERT INTO agents (id, tenant_id, type, name, labels, last_heartbeat, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      agent.id,
      tenantId,
      agent.type,
      agent.name,
      JSON.stringify(agent.labels),
      agent.lastHeartbeat,
      agent.lastHeartbeat,
    );
    return agent;
  }

  async heartbeatAgent(tenantId: string, id: string): Promise<boolean> {
    return this.#run(
      "UPDATE agents SET last_heartbeat = ? WHERE tenant_id = ? AND id = ?",
      new Date().toISOString(),
      tenantId,
      id,
    ).changes === 1;
  }

  // Internals

  #setting(key: string): string | undefined {
    return this.#get<{ value: string }>(
      "SELECT value FROM settings WHERE key = ?",
      key,
    )?.value;
  }

  #setSetting(key: string, value: string): void {
    this.#run(
      `INSERT INTO settings (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      key,
      value,
    );
  }

  /** A heartbeat is a sign of life: a finished run has none to give. */
  #heartbeat(
    table: "flow_runs" | "task_runs",
    tenantId: string,
    id: string,
  ): boolean {
    return this.#tx(() => {
      const row = this.#get<{ state_type: string }>(
        `SELECT state_type FROM ${table} WHERE tenant_id = ? AND id = ?`,
        tenantId,
        id,
      );
      if (!row) return false;
      if (TERMINAL_STATES.has(row.state_type)) {
        throw new StoreError(
          "invalid_transition",
          `The run is in the terminal state ${row.state_type}: it takes no heartbeats`,
        );
      }
      this.#run(
        `UPDATE ${table} SET heartbeat_at = ? WHERE id = ?`,
        new Date().toISOString(),
        id,
      );
      return true;
    });
  }

  #tagIsFull(tenantId: string, tag: string): boolean {
    const limit = this.#get<{ max_running: number }>(
      "SELECT max_running FROM concurrency_limits WHERE tenant_id = ? AND tag = ?",
      tenantId,
      tag,
    );
    return limit !== undefined &&
      this.#activeWithTag(tenantId, tag) >= limit.max_running;
  }

  #activeWithTag(tenantId: string, tag: string): number {
    return this.#get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM task_run_tags g JOIN task_runs r ON r.id = g.task_run_id
       WHERE g.tenant_id = ? AND g.tag = ? AND r.state_type = 'RUNNING'`,
      tenantId,
      tag,
    )!.n;
  }

  #insertPair(grant: TenantGrant, pair: TokenPair): void {
    this.#run(
      `INSERT INTO access_tokens (token_hash, family_id, user_id, tenant_id, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
      pair.accessHash,
      grant.familyId,
      grant.userId,
      grant.tenantId,
      pair.accessExpiresAt,
    );
    this.#run(
      `INSERT INTO refresh_tokens (token_hash, family_id, user_id, tenant_id, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
      pair.refreshHash,
      grant.familyId,
      grant.userId,
      grant.tenantId,
      pair.refreshExpiresAt,
    );
  }

  #revokeFamily(familyId: string): void {
    this.#run("DELETE FROM access_tokens WHERE family_id = ?", familyId);
    this.#run(
      "UPDATE refresh_tokens SET used = 1 WHERE family_id = ?",
      familyId,
    );
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #get<T = Row>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.#statement(sql).get(...params) as T | undefined;
  }

  #all<T = Row>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.#statement(sql).all(...params) as T[];
  }

  #run(sql: string, ...params: SQLInputValue[]): { changes: number } {
    const result = this.#statement(sql).run(...params);
    return { changes: Number(result.changes) };
  }
}

function checkTransition(
  row: { version: number; state_type: string },
  version: number,
): void {
  if (row.version !== version) {
    throw new StoreError(
      "stale_version",
      `Version ${version} is stale: the current version is ${row.version}`,
    );
  }
  if (TERMINAL_STATES.has(row.state_type)) {
    throw new StoreError(
      "invalid_transition",
      `The run is in the terminal state ${row.state_type}`,
    );
  }
}

/**
 * The SQL condition (on table alias `alias`, which has `user_id` and
 * `tenant_id`) of the credentials a filter allows, with its parameters.
 */
function credentialWhere(
  alias: string,
  filter: CredentialFilter,
): { sql: string; params: SQLInputValue[] } {
  const by = filter.managedBy;
  const bound = by?.tenantId ?? null;
  return {
    sql:
      `(? IS NULL OR ${alias}.user_id = ?) AND (? IS NULL OR ${alias}.tenant_id = ?)
      AND (? IS NULL OR (
        (? IS NULL OR ${alias}.tenant_id = ?) AND (${alias}.user_id = ? OR EXISTS (
          SELECT 1 FROM memberships m WHERE m.user_id = ? AND m.tenant_id = ${alias}.tenant_id
            AND m.role = 'admin'))))`,
    params: [
      filter.userId ?? null,
      filter.userId ?? null,
      filter.tenantId ?? null,
      filter.tenantId ?? null,
      by?.userId ?? null,
      bound,
      bound,
      by?.userId ?? null,
      by?.userId ?? null,
    ],
  };
}

function toPage<T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
): Page<T> {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return {
    items: page.map(map),
    next: more && last
      ? { key: last.seq as number, id: last.id as string }
      : null,
  };
}

function toTenant(row: Row): Tenant {
  return {
    id: row.id as string,
    slug: row.slug as string,
    name: row.name as string,
    createdAt: row.created_at as string,
  };
}

function toUser(row: Row): UserRecord {
  return {
    id: row.id as string,
    username: row.username as string,
    passwordHash: row.password_hash as string,
  };
}

function toGrant(row: Row): TenantGrant {
  return {
    userId: row.user_id as string,
    tenantId: row.tenant_id as string,
    familyId: row.family_id as string,
  };
}

function toProject(row: Row): Project {
  return {
    id: row.id as string,
    name: row.name as string,
    description: row.description as string | null,
    createdAt: row.created_at as string,
  };
}

function toFlow(row: Row): Flow {
  return {
    id: row.id as string,
    name: row.name as string,
    projectId: row.project_id as string,
    version: row.version as number,
    versionGroupId: row.version_group_id as string,
    archived: row.archived === 1,
    definition: JSON.parse(row.definition as string),
    scheduleActive: row.schedule_active === 1,
    createdAt: row.created_at as string,
  };
}

/**
 * Keeps a run's timing as its states are written: the first `RUNNING` sets
 * the start, a terminal state the end (a run never leaves one).
 */
const TIMING_UPDATE = "start_time = COALESCE(start_time, ?), end_time = ?";

/** The parameters of {@linkcode TIMING_UPDATE} for a new state. */
function timingParameters(state: State): [string | null, string | null] {
  return [
    state.type === "RUNNING" ? state.timestamp : null,
    TERMINAL_STATES.has(state.type) ? state.timestamp : null,
  ];
}

/** A run's start, end and duration, from its row. */
function timing(
  row: Row,
): {
  startTime: string | null;
  endTime: string | null;
  durationMs: number | null;
} {
  const startTime = row.start_time as string | null;
  const endTime = row.end_time as string | null;
  return {
    startTime,
    endTime,
    durationMs: startTime === null || endTime === null
      ? null
      : Date.parse(endTime) - Date.parse(startTime),
  };
}

function toFlowRun(row: Row): FlowRun {
  return {
    id: row.id as string,
    flowId: row.flow_id as string,
    name: row.name as string,
    version: row.version as number,
    state: JSON.parse(row.state as string),
    parameters: JSON.parse(row.parameters as string),
    context: JSON.parse(row.context as string),
    scheduledStartTime: row.scheduled_start_time as string,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
    heartbeatAt: row.heartbeat_at as string | null,
    ...timing(row),
  };
}

function toTaskRun(row: Row): TaskRun {
  return {
    id: row.id as string,
    flowRunId: row.flow_run_id as string,
    taskId: row.task_id as string,
    mapIndex: row.map_index as number,
    tags: JSON.parse(row.tags as string),
    version: row.version as number,
    state: JSON.parse(row.state as string),
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
    heartbeatAt: row.heartbeat_at as string | null,
    ...timing(row),
  };
}

function toLogEntry(row: Row): LogEntry {
  return {
    id: row.id as string,
    flowRunId: row.flow_run_id as string,
    taskRunId: row.task_run_id as string | null,
    level: row.level as string,
    message: row.message as string,
    timestamp: row.timestamp as string,
    createdAt: row.created_at as string,
  };
}

function toSecretInfo(row: Row): SecretInfo {
  return {
    name: row.name as string,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
  };
}

/**
 * The PostgreSQL schema, as an ordered list of migrations like the SQLite
 * one in `server/migrations.ts`. The two lists stay in step: a schema change
 * is one new version number in both lists, and
 * `tests/cluster/schema_test.ts` checks that both engines end at the
 * same version with the same tables and columns. The first PostgreSQL
 * migration is the whole SQLite schema up to its version 5.
 *
 * Differences on purpose: int8 (`BIGINT`) for epoch milliseconds and
 * sequences; an identity column named `rowid` where SQLite pages or orders by
 * its implicit rowid; and the log `seq` is the id of the writing transaction
 * (`xid8`), so a cursor can wait for the transactions still in flight (see
 * `Database.settled`).
 *
 * @module
 */

import type { Migration } from "../migrations.ts";

/** Every PostgreSQL migration, oldest first. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 5,
    name: "initial schema, as SQLite migrations 1 to 5",
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE tenants (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE memberships (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        UNIQUE (user_id, tenant_id)
      );
      CREATE TABLE api_tokens (
        rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        scope TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at BIGINT
      );
      CREATE INDEX api_tokens_user ON api_tokens (user_id);
      CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id)
        WHERE tenant_id IS NOT NULL;
      CREATE INDEX api_tokens_expiry ON api_tokens (expires_at)
        WHERE expires_at IS NOT NULL;
      CREATE TABLE access_keys (
        rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        access_key TEXT PRIMARY KEY,
        sealed_secret TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL
      );
      CREATE INDEX access_keys_user ON access_keys (user_id);
      CREATE INDEX access_keys_tenant ON access_keys (tenant_id);
      CREATE TABLE nonces (
        access_key TEXT NOT NULL,
        nonce TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (access_key, nonce)
      );
      CREATE INDEX nonces_expiry ON nonces (expires_at);
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE TABLE access_tokens (
        token_hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX access_tokens_family ON access_tokens (family_id);
      CREATE INDEX access_tokens_user ON access_tokens (user_id, tenant_id);
      CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        expires_at BIGINT NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id, tenant_id);
      CREATE TABLE idempotency (
        credential TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        body TEXT,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (credential, key)
      );
      CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (tenant_id, name)
      );
      CREATE TABLE flows (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        version_group_id TEXT NOT NULL,
        archived INTEGER NOT NULL DEFAULT 0,
        definition TEXT NOT NULL,
        schedule_active INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (tenant_id, version_group_id, version)
      );
      CREATE INDEX flows_name ON flows (tenant_id, project_id, name);
      CREATE INDEX flows_project ON flows (project_id);
      CREATE TABLE flow_runs (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        flow_id TEXT NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        state_type TEXT NOT NULL,
        parameters TEXT NOT NULL,
        context TEXT NOT NULL,
        scheduled_start_time TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        heartbeat_at TEXT,
        idempotency_key TEXT,
        idempotency_expires_at BIGINT,
        start_time TEXT,
        end_time TEXT
      );
      CREATE INDEX flow_runs_tenant ON flow_runs (tenant_id, seq);
      CREATE UNIQUE INDEX flow_runs_idempotency
        ON flow_runs (tenant_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
      CREATE INDEX flow_runs_flow ON flow_runs (flow_id, seq);
      CREATE INDEX flow_runs_due
        ON flow_runs (tenant_id, state_type, scheduled_start_time);
      CREATE TABLE flow_run_states (
        flow_run_id TEXT NOT NULL REFERENCES flow_runs(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (flow_run_id, version)
      );
      CREATE TABLE task_runs (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        flow_run_id TEXT NOT NULL REFERENCES flow_runs(id) ON DELETE CASCADE,
        task_id TEXT NOT NULL,
        map_index INTEGER NOT NULL,
        tags TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        state_type TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        heartbeat_at TEXT,
        start_time TEXT,
        end_time TEXT,
        UNIQUE (flow_run_id, task_id, map_index)
      );
      CREATE TABLE task_run_states (
        task_run_id TEXT NOT NULL REFERENCES task_runs(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (task_run_id, version)
      );
      CREATE TABLE task_run_tags (
        task_run_id TEXT NOT NULL REFERENCES task_runs(id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (task_run_id, tag)
      );
      CREATE INDEX task_run_tags_tag ON task_run_tags (tenant_id, tag);
      CREATE TABLE concurrency_limits (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        max_running INTEGER NOT NULL,
        UNIQUE (tenant_id, tag)
      );
      CREATE TABLE cached_states (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        task_id TEXT NOT NULL,
        cache_key TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX cached_states_key ON cached_states (tenant_id, cache_key);
      CREATE TABLE logs (
        seq BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
        rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        flow_run_id TEXT NOT NULL REFERENCES flow_runs(id) ON DELETE CASCADE,
        task_run_id TEXT REFERENCES task_runs(id) ON DELETE CASCADE,
        level TEXT NOT NULL,
        message TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX logs_flow_run ON logs (flow_run_id, seq, rowid);
      CREATE INDEX logs_order ON logs (seq, rowid);
      CREATE INDEX logs_task_run ON logs (task_run_id)
        WHERE task_run_id IS NOT NULL;
      CREATE TABLE secrets (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        sealed_value TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant_id, name)
      );
      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        name TEXT,
        labels TEXT NOT NULL,
        last_heartbeat TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
];

/**
 * The SQLite schema, as an ordered list of migrations. Each one runs once, in
 * its own transaction, and is recorded in `schema_migrations`; add new ones at
 * the end and never edit one that has shipped.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";

/** One schema change. */
export interface Migration {
  /** Increasing from 1; gaps are allowed. */
  version: number;
  /** What it does, for the record. */
  name: string;
  /** The statements to run. */
  sql: string;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE tenants (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        UNIQUE (user_id, tenant_id)
      );
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        scope TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE access_keys (
        access_key TEXT PRIMARY KEY,
        sealed_secret TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE nonces (
        access_key TEXT NOT NULL,
        nonce TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (access_key, nonce)
      );
      CREATE INDEX nonces_expiry ON nonces (expires_at);
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE access_tokens (
        token_hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX access_tokens_family ON access_tokens (family_id);
      CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      CREATE TABLE idempotency (
        credential TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        body TEXT,
        expires_at INTEGER NOT NULL,
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
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
      CREATE TABLE flow_runs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
        idempotency_expires_at INTEGER
      );
      CREATE INDEX flow_runs_tenant ON flow_runs (tenant_id, seq);
      CREATE UNIQUE INDEX flow_runs_idempotency
        ON flow_runs (tenant_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
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
        UNIQUE (flow_run_id, task_id, map_index)
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
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        task_id TEXT NOT NULL,
        cache_key TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX cached_states_key ON cached_states (tenant_id, cache_key);
      CREATE TABLE logs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        flow_run_id TEXT NOT NULL REFERENCES flow_runs(id) ON DELETE CASCADE,
        task_run_id TEXT REFERENCES task_runs(id) ON DELETE CASCADE,
        level TEXT NOT NULL,
        message TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX logs_flow_run ON logs (flow_run_id, seq);
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
  {
    version: 2,
    name: "indexes for cascading deletes and flow filters",
    // Without them, deleting a project, flow or task run scans the child
    // tables whole, and listing the runs of one flow scans every run.
    sql: `
      CREATE INDEX flows_project ON flows (project_id);
      CREATE INDEX flow_runs_flow ON flow_runs (flow_id, seq);
      CREATE INDEX logs_task_run ON logs (task_run_id)
        WHERE task_run_id IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: "revocable credentials: token expiry, indexes by user and tenant",
    // The indexes serve listing and revoking credentials, and ending every
    // login of a user whose password changes. The stored idempotency
    // fingerprints were plain SHA-256 of request bodies, one of which holds a
    // password: they go, and new ones are HMACs under the server key.
    sql: `
      ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
      CREATE INDEX api_tokens_user ON api_tokens (user_id);
      CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id)
        WHERE tenant_id IS NOT NULL;
      CREATE INDEX api_tokens_expiry ON api_tokens (expires_at)
        WHERE expires_at IS NOT NULL;
      CREATE INDEX access_keys_user ON access_keys (user_id);
      CREATE INDEX access_keys_tenant ON access_keys (tenant_id);
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE INDEX access_tokens_user ON access_tokens (user_id, tenant_id);
      CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id, tenant_id);
      DELETE FROM idempotency;
    `,
  },
  {
    version: 5,
    name: "RETRYING, run timing, task run history, due scheduled runs",
    // Start and end are kept as each state is written (first RUNNING, then
    // the terminal state), so listings need no history scan. Task runs had
    // no history before: theirs starts with the state they were in.
    sql: `
      ALTER TABLE flow_runs ADD COLUMN start_time TEXT;
      ALTER TABLE flow_runs ADD COLUMN end_time TEXT;
      ALTER TABLE task_runs ADD COLUMN start_time TEXT;
      ALTER TABLE task_runs ADD COLUMN end_time TEXT;
      CREATE TABLE task_run_states (
        task_run_id TEXT NOT NULL REFERENCES task_runs(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (task_run_id, version)
      );
      INSERT INTO task_run_states (task_run_id, version, state)
        SELECT id, version, state FROM task_runs;
      UPDATE flow_runs SET
        start_time = (
          SELECT json_extract(s.state, '$.timestamp') FROM flow_run_states s
          WHERE s.flow_run_id = flow_runs.id
            AND json_extract(s.state, '$.type') = 'RUNNING'
          ORDER BY s.version LIMIT 1
        ),
        end_time = CASE WHEN state_type IN ('SUCCESS', 'FAILED', 'CANCELLED', 'CACHED')
          THEN json_extract(state, '$.timestamp') END;
      UPDATE task_runs SET
        start_time = CASE WHEN state_type = 'RUNNING'
          THEN json_extract(state, '$.timestamp') END,
        end_time = CASE WHEN state_type IN ('SUCCESS', 'FAILED', 'CANCELLED', 'CACHED')
          THEN json_extract(state, '$.timestamp') END;
      CREATE INDEX flow_runs_due ON flow_runs (tenant_id, state_type, scheduled_start_time);
    `,
  },
];

/**
 * Brings a database up to the newest schema.
 *
 * @param db The open database.
 * @param migrations The list to apply; the default is {@linkcode MIGRATIONS}.
 * @throws {Error} When the database is newer than this server.
 */
export function migrate(
  db: DatabaseSync,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const row = db.prepare(
    "SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations",
  ).get() as { version: number };
  const newest = migrations.at(-1)?.version ?? 0;
  if (row.version > newest) {
    throw new Error(
      `Database schema version ${row.version} is newer than this server supports (${newest})`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= row.version) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migration.sql);
      db.prepare(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
      ).run(migration.version, migration.name, new Date().toISOString());
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
}

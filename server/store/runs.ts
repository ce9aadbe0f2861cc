/**
 * {@linkcode RunStore}: flow runs, task runs, cached states and tag
 * concurrency limits.
 *
 * @module
 */

import type { Database, Row } from "../db/database.ts";
import { uuidV7 } from "../ids.ts";
import {
  type FlowRun,
  type RunStore,
  type State,
  StoreError,
  type TaskRun,
  TERMINAL_STATES,
} from "../store.ts";
import { canonicalJson } from "../validate.ts";
import {
  checkTransition,
  timing,
  TIMING_UPDATE,
  timingParameters,
  toPage,
} from "./rows.ts";

/** How long a caller told to wait for a tag's slot should wait. */
const QUEUED_RETRY_AFTER_MS = 1_000;
/** The most cached states one query answers. */
const CACHED_STATES_LIMIT = 100;

/** The run operations over `db`. */
export function runStore(db: Database): RunStore {
  const historySql = (kind: "flow" | "task") =>
    `SELECT r.*, ${
      db.jsonArray({
        value: "state",
        from: `${kind}_run_states`,
        where: `${kind}_run_id = r.id`,
        orderBy: "version",
      })
    } AS history
     FROM ${kind}_runs r WHERE r.tenant_id = ? AND r.id = ?`;
  // Built once: the statement cache is keyed by the text.
  const historySqls = { flow: historySql("flow"), task: historySql("task") };
  /**
   * A flow or task run of a tenant with every state it had, oldest first,
   * as `history` (JSON text): one statement.
   */
  const withHistory = (kind: "flow" | "task", tenantId: string, id: string) =>
    db.get(historySqls[kind], tenantId, id);

  const activeWithTag = async (tenantId: string, tag: string) =>
    (await db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM task_run_tags g JOIN task_runs r ON r.id = g.task_run_id
       WHERE g.tenant_id = ? AND g.tag = ? AND r.state_type = 'RUNNING'`,
      tenantId,
      tag,
    ))!.n;

  /**
   * Whether any tag is at its limit. Each limit row is locked (in sorted
   * tag order, so two starts never wait on each other) before its runs are
   * counted: starts under one tag take turns across instances.
   */
  const anyTagFull = async (tenantId: string, tags: string[]) => {
    for (const tag of [...new Set(tags)].sort()) {
      const limit = await db.get<{ max_running: number }>(
        `SELECT max_running FROM concurrency_limits WHERE tenant_id = ? AND tag = ?${db.forUpdate}`,
        tenantId,
        tag,
      );
      if (
        limit !== undefined &&
        await activeWithTag(tenantId, tag) >= limit.max_running
      ) {
        return true;
      }
    }
    return false;
  };

  /** A heartbeat is a sign of life: a finished run has none to give. */
  const heartbeat = (
    table: "flow_runs" | "task_runs",
    tenantId: string,
    id: string,
  ) =>
    db.transaction(async () => {
      const row = await db.get<{ state_type: string }>(
        `SELECT state_type FROM ${table} WHERE tenant_id = ? AND id = ?${db.forUpdate}`,
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
      await db.run(
        `UPDATE ${table} SET heartbeat_at = ? WHERE id = ?`,
        new Date().toISOString(),
        id,
      );
      return true;
    });

  return {
    createFlowRun(tenantId, input) {
      return db.transaction(async () => {
        const flow = input.flowId !== undefined
          ? await db.get<{ id: string; name: string }>(
            "SELECT id, name FROM flows WHERE tenant_id = ? AND id = ?",
            tenantId,
            input.flowId,
          )
          : await db.get<{ id: string; name: string }>(
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
          // Creations under one key take turns across instances.
          await db.lock(
            `runplane:flow-run\n${tenantId}\n${input.idempotencyKey}`,
          );
          const existing = await db.get(
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
            await db.run(
              "UPDATE flow_runs SET idempotency_expires_at = ? WHERE id = ?",
              input.idempotencyExpiresAt,
              existing.id as string,
            );
            return { run: toFlowRun(existing), created: false };
          }
          // An expired key may still sit on an old run until the next sweep.
          await db.run(
            `UPDATE flow_runs SET idempotency_key = NULL, idempotency_expires_at = NULL
             WHERE tenant_id = ? AND idempotency_key = ?`,
            tenantId,
            input.idempotencyKey,
          );
        }
        const state: State = { type: "SCHEDULED", timestamp: now };
        const id = uuidV7();
        // The id's last 12 hex digits are random; its first ones are the
        // time, the same for every run created in the same minute.
        const name = input.name ?? `${flow.name}-${id.slice(-12)}`;
        await db.run(
          `INSERT INTO flow_runs (id, tenant_id, flow_id, name, version, state, state_type,
             parameters, context, scheduled_start_time, created_at, updated_at,
             idempotency_key, idempotency_expires_at)
           VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          id,
          tenantId,
          flow.id,
          name,
          JSON.stringify(state),
          state.type,
          parameters,
          context,
          input.scheduledStartTime,
          now,
          now,
          input.idempotencyKey ?? null,
          input.idempotencyKey === undefined
            ? null
            : input.idempotencyExpiresAt,
        );
        await db.run(
          "INSERT INTO flow_run_states (flow_run_id, version, state) VALUES (?, 1, ?)",
          id,
          JSON.stringify(state),
        );
        // The new run as written, without reading it back.
        const run: FlowRun = {
          id,
          flowId: flow.id,
          name,
          version: 1,
          state,
          parameters: JSON.parse(parameters),
          context: JSON.parse(context),
          scheduledStartTime: input.scheduledStartTime,
          createdAt: now,
          updatedAt: now,
          heartbeatAt: null,
          startTime: null,
          endTime: null,
          durationMs: null,
        };
        return { run, created: true };
      });
    },

    async flowRunJson(tenantId, id) {
      const row = await withHistory("flow", tenantId, id);
      return row && flowRunJson(row, row.history as string);
    },

    async flowRun(tenantId, id) {
      const row = await withHistory("flow", tenantId, id);
      return row && JSON.parse(flowRunJson(row, row.history as string));
    },

    async listFlowRuns(tenantId, filter) {
      // Newest first by insertion sequence: rows inserted later sort before
      // every cursor, so paging never repeats one.
      const rows = await db.all(
        `SELECT * FROM flow_runs WHERE tenant_id = ?
           AND (? IS NULL OR flow_id = ?) AND (? IS NULL OR state_type = ?)
           AND (? IS NULL OR flow_id IN (
             SELECT id FROM flows WHERE tenant_id = ? AND version_group_id = ?))
           AND (? IS NULL OR scheduled_start_time <= ?)
           AND (? IS NULL OR name = ?)
           AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?)
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
        filter.name ?? null,
        filter.name ?? null,
        filter.createdAfter ?? null,
        filter.createdAfter ?? null,
        filter.createdBefore ?? null,
        filter.createdBefore ?? null,
        filter.after?.key ?? null,
        filter.after?.key ?? null,
        filter.limit + 1,
      );
      return toPage(rows, filter.limit, toFlowRun);
    },

    setFlowRunState(tenantId, id, version, input) {
      return db.transaction(async () => {
        // Locked, so of two writers at one version exactly one wins.
        const row = await db.get<{ version: number; state_type: string }>(
          `SELECT version, state_type FROM flow_runs WHERE tenant_id = ? AND id = ?${db.forUpdate}`,
          tenantId,
          id,
        );
        if (!row) throw new StoreError("not_found", "Flow run not found");
        checkTransition(row, version);
        const state: State = { ...input, timestamp: new Date().toISOString() };
        const next = row.version + 1;
        await db.run(
          `UPDATE flow_runs SET state = ?, state_type = ?, version = ?, updated_at = ?,
             ${TIMING_UPDATE} WHERE id = ?`,
          JSON.stringify(state),
          state.type,
          next,
          state.timestamp,
          ...timingParameters(state),
          id,
        );
        await db.run(
          "INSERT INTO flow_run_states (flow_run_id, version, state) VALUES (?, ?, ?)",
          id,
          next,
          JSON.stringify(state),
        );
        return { state, version: next };
      });
    },

    heartbeatFlowRun: (tenantId, id) => heartbeat("flow_runs", tenantId, id),

    createTaskRun(tenantId, input) {
      return db.transaction(async () => {
        if (
          !await db.get(
            "SELECT 1 FROM flow_runs WHERE tenant_id = ? AND id = ?",
            tenantId,
            input.flowRunId,
          )
        ) {
          throw new StoreError("not_found", "Flow run not found");
        }
        const now = new Date().toISOString();
        const state: State = { type: "PENDING", timestamp: now };
        const id = uuidV7();
        // ON CONFLICT: a repeat, on any instance, finds the first one.
        const { changes } = await db.run(
          `INSERT INTO task_runs (id, tenant_id, flow_run_id, task_id, map_index, tags,
             version, state, state_type, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
           ON CONFLICT (flow_run_id, task_id, map_index) DO NOTHING`,
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
        if (changes === 0) {
          const existing = await db.get(
            "SELECT * FROM task_runs WHERE flow_run_id = ? AND task_id = ? AND map_index = ?",
            input.flowRunId,
            input.taskId,
            input.mapIndex,
          );
          return { taskRun: toTaskRun(existing!), created: false };
        }
        for (const tag of input.tags) {
          await db.run(
            "INSERT INTO task_run_tags (task_run_id, tenant_id, tag) VALUES (?, ?, ?)",
            id,
            tenantId,
            tag,
          );
        }
        await db.run(
          "INSERT INTO task_run_states (task_run_id, version, state) VALUES (?, 1, ?)",
          id,
          JSON.stringify(state),
        );
        const row = await db.get("SELECT * FROM task_runs WHERE id = ?", id);
        return { taskRun: toTaskRun(row!), created: true };
      });
    },

    async taskRun(tenantId, id) {
      const row = await withHistory("task", tenantId, id);
      if (!row) return undefined;
      return { ...toTaskRun(row), history: JSON.parse(row.history as string) };
    },

    async listTaskRuns(tenantId, flowRunId, limit, offset = 0) {
      return (await db.all(
        `SELECT * FROM task_runs WHERE tenant_id = ? AND flow_run_id = ?
         ORDER BY created_at, task_id, map_index, id LIMIT ? OFFSET ?`,
        tenantId,
        flowRunId,
        limit,
        offset,
      )).map(toTaskRun);
    },

    setTaskRunState(tenantId, id, version, input, cacheForMs) {
      return db.transaction(async () => {
        const row = await db.get<
          { version: number; state_type: string; task_id: string; tags: string }
        >(
          `SELECT version, state_type, task_id, tags FROM task_runs
           WHERE tenant_id = ? AND id = ?${db.forUpdate}`,
          tenantId,
          id,
        );
        if (!row) throw new StoreError("not_found", "Task run not found");
        checkTransition(row, version);
        const timestamp = new Date().toISOString();
        let state: State = { ...input, timestamp };
        let retryAfterMs: number | undefined;
        // A run already RUNNING holds its slot; only a new start is counted.
        if (
          input.type === "RUNNING" && row.state_type !== "RUNNING" &&
          await anyTagFull(tenantId, JSON.parse(row.tags) as string[])
        ) {
          state = {
            type: "QUEUED",
            message: "Waiting for a concurrency slot",
            timestamp,
          };
          retryAfterMs = QUEUED_RETRY_AFTER_MS;
        }
        const next = row.version + 1;
        await db.run(
          `UPDATE task_runs SET state = ?, state_type = ?, version = ?, updated_at = ?,
             ${TIMING_UPDATE} WHERE id = ?`,
          JSON.stringify(state),
          state.type,
          next,
          timestamp,
          ...timingParameters(state),
          id,
        );
        await db.run(
          "INSERT INTO task_run_states (task_run_id, version, state) VALUES (?, ?, ?)",
          id,
          next,
          JSON.stringify(state),
        );
        if (cacheForMs !== undefined && retryAfterMs === undefined) {
          await db.run(
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
    },

    heartbeatTaskRun: (tenantId, id) => heartbeat("task_runs", tenantId, id),

    async cachedStates(tenantId, filter, now) {
      return (await db.all<{ state: string }>(
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
      )).map((row) => JSON.parse(row.state) as State);
    },

    async concurrencyLimit(tenantId, tag) {
      const row = await db.get<{ id: string; max_running: number }>(
        "SELECT id, max_running FROM concurrency_limits WHERE tenant_id = ? AND tag = ?",
        tenantId,
        tag,
      );
      return row && {
        id: row.id,
        tag,
        limit: row.max_running,
        active: await activeWithTag(tenantId, tag),
      };
    },

    putConcurrencyLimit(tenantId, tag, limit) {
      return db.transaction(async () => {
        await db.run(
          `INSERT INTO concurrency_limits (id, tenant_id, tag, max_running) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant_id, tag) DO UPDATE SET max_running = excluded.max_running`,
          uuidV7(),
          tenantId,
          tag,
          limit,
        );
        const row = await db.get<{ id: string }>(
          "SELECT id FROM concurrency_limits WHERE tenant_id = ? AND tag = ?",
          tenantId,
          tag,
        );
        return {
          id: row!.id,
          tag,
          limit,
          active: await activeWithTag(tenantId, tag),
        };
      });
    },

    async deleteConcurrencyLimit(tenantId, id) {
      return (await db.run(
        "DELETE FROM concurrency_limits WHERE tenant_id = ? AND id = ?",
        tenantId,
        id,
      )).changes === 1;
    },
  };
}

/**
 * A flow run's JSON text, from its row (and its states' JSON array, when
 * given): the one mapping of a row to the wire's `FlowRun`. The stored JSON
 * columns (written by this store, from `JSON.stringify`) go in as they are,
 * so a read passes them through without a parse and a serialisation.
 */
function flowRunJson(row: Row, history?: string): string {
  const { startTime, endTime, durationMs } = timing(row);
  const text = JSON.stringify;
  return `{"id":${text(row.id)},"flowId":${text(row.flow_id)},"name":${
    text(row.name)
  },"version":${row.version},"state":${row.state},"parameters":${row.parameters},"context":${row.context},"scheduledStartTime":${
    text(row.scheduled_start_time)
  },"createdAt":${text(row.created_at)},"updatedAt":${
    text(row.updated_at)
  },"heartbeatAt":${text(row.heartbeat_at)},"startTime":${
    text(startTime)
  },"endTime":${text(endTime)},"durationMs":${text(durationMs)}${
    history === undefined ? "" : `,"history":${history}`
  }}`;
}

function toFlowRun(row: Row): FlowRun {
  return JSON.parse(flowRunJson(row));
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

/**
 * {@linkcode LogStore}: log lines.
 *
 * Lines are ordered by `(seq, rowid)`. On SQLite `seq` is the insertion
 * sequence (and the rowid); on PostgreSQL it is the id of the writing
 * transaction, `rowid` an identity column keeping a batch in order, and a
 * listing stops below every transaction still in flight
 * ({@linkcode Database.settled}), so a line whose transaction commits late
 * is still ahead of every cursor handed out: each committed line is listed
 * exactly once across pages.
 *
 * @module
 */

import type { Database, Row, SqlValue } from "../db/database.ts";
import { LOG_LEVELS } from "../../api/mod.ts";
import { uuidV7 } from "../ids.ts";
import { type LogEntry, type LogStore, StoreError } from "../store.ts";
import { toPage } from "./rows.ts";

/**
 * One placeholder per level, so a level filter is one constant statement;
 * the slots a filter leaves unused are `NULL`, which `IN` never matches.
 */
const LEVEL_SLOTS = LOG_LEVELS.map(() => "?").join(", ");

/** The most rows one INSERT writes: 8 parameters each, far under both engines' limits. */
const MAX_ROWS_PER_INSERT = 64;
const insertStatements = new Map<number, string>();

/**
 * The INSERT of `rows` log lines. Rows of one statement get their `seq` and
 * `rowid` in the order listed, on both engines, so a batch stays in order.
 */
function insertLogs(rows: number): string {
  let sql = insertStatements.get(rows);
  if (sql === undefined) {
    sql =
      `INSERT INTO logs (id, tenant_id, flow_run_id, task_run_id, level, message,
      timestamp, created_at) VALUES ${
        Array(rows).fill("(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")
      }`;
    insertStatements.set(rows, sql);
  }
  return sql;
}

/** The log operations over `db`. */
export function logStore(db: Database): LogStore {
  const settled = db.settled("seq");
  return {
    writeLogs(tenantId, entries) {
      return db.transaction(async () => {
        const known = new Set<string>();
        for (const entry of entries) {
          const flowKey = `f:${entry.flowRunId}`;
          if (!known.has(flowKey)) {
            if (
              !await db.get(
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
              !await db.get(
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
        let next = 0;
        while (next < entries.length) {
          // The largest power of two that fits: a handful of statements
          // for the whole batch, of seven shapes only.
          let rows = MAX_ROWS_PER_INSERT;
          while (rows > entries.length - next) rows >>= 1;
          const params: SqlValue[] = [];
          for (const entry of entries.slice(next, next + rows)) {
            params.push(
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
          await db.run(insertLogs(rows), ...params);
          next += rows;
        }
        return entries.length;
      });
    },

    async listLogs(tenantId, filter) {
      const rows = await db.all(
        `SELECT * FROM logs WHERE tenant_id = ?
           AND (? IS NULL OR flow_run_id = ?) AND (? IS NULL OR task_run_id = ?)
           AND (? IS NULL OR seq > ?
             OR (seq = ? AND rowid > (SELECT rowid FROM logs WHERE id = ?)))
           AND ${settled}
         ORDER BY seq, rowid LIMIT ?`,
        tenantId,
        filter.flowRunId ?? null,
        filter.flowRunId ?? null,
        filter.taskRunId ?? null,
        filter.taskRunId ?? null,
        filter.after?.key ?? null,
        filter.after?.key ?? null,
        filter.after?.key ?? null,
        filter.after?.id ?? null,
        filter.limit + 1,
      );
      return toPage(rows, filter.limit, toLogEntry);
    },

    async recentLogs(tenantId, filter) {
      // The newest rows, flipped back to oldest first.
      const page = toPage(
        await db.all(
          `SELECT * FROM logs WHERE tenant_id = ? AND flow_run_id = ?
             AND (? IS NULL OR task_run_id = ?)
             AND level IN (${LEVEL_SLOTS})
             AND (? IS NULL OR seq < ?
               OR (seq = ? AND rowid < (SELECT rowid FROM logs WHERE id = ?)))
           ORDER BY seq DESC, rowid DESC LIMIT ?`,
          tenantId,
          filter.flowRunId,
          filter.taskRunId ?? null,
          filter.taskRunId ?? null,
          ...LOG_LEVELS.map((_, i) => (filter.levels ?? LOG_LEVELS)[i] ?? null),
          filter.before?.key ?? null,
          filter.before?.key ?? null,
          filter.before?.key ?? null,
          filter.before?.id ?? null,
          filter.limit + 1,
        ),
        filter.limit,
        toLogEntry,
      );
      page.items.reverse();
      return page;
    },

    async logLine(tenantId, id) {
      const row = await db.get(
        "SELECT * FROM logs WHERE tenant_id = ? AND id = ?",
        tenantId,
        id,
      );
      return row && toLogEntry(row);
    },
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

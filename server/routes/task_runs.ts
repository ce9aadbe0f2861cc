/**
 * Task runs, their states and the cached states they reuse.
 *
 * @module
 */

import { decodeCursor, encodeCursor } from "../cursor.ts";
import { invalidParameter, notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext, Router } from "../router.ts";
import { DAY_MS, readState, RUN_ID } from "./_run_fields.ts";

/** The longest a state may be cached: ten years. */
const MAX_CACHE_FOR_MS = 3650 * DAY_MS;

/** Registers `/task-runs` and `/cached-states`. */
export function registerTaskRunRoutes(router: Router): void {
  router.post("/task-runs", createTaskRun);
  router.get("/task-runs", listTaskRuns);
  router.get("/task-runs/:id", getTaskRun);
  router.post("/task-runs/:id/state", setTaskRunState);
  router.post("/task-runs/:id/heartbeat", heartbeatTaskRun);
  router.get("/cached-states", listCachedStates);
}

async function createTaskRun(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const fields = ctx.fields();
  const { taskRun, created } = await ctx.services.store.createTaskRun(
    tenant.id,
    {
      flowRunId: fields.string("flowRunId", RUN_ID),
      taskId: fields.string("taskId"),
      mapIndex: fields.optionalWholeNumber("mapIndex", -1, 1_000_000_000) ??
        -1,
      tags: fields.optionalStringArray("tags", 100) ?? [],
    },
  );
  return { status: created ? 201 : 200, body: taskRun };
}

async function listTaskRuns(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  const flowRunId = ctx.query.optionalString("flowRunId", RUN_ID.max);
  if (flowRunId === undefined) {
    throw invalidParameter(
      "flowRunId is required: the id of the flow run whose task runs to list",
    );
  }
  const limit = ctx.query.wholeNumber("limit", 1, 500, 100);
  // A task run has no insertion sequence: the cursor's key is the offset in
  // the run's order, which only grows at its end as tasks start.
  const offset = decodeCursor(ctx.query.optionalString("cursor", 200))?.key ??
    0;
  const rows = await ctx.services.store.listTaskRuns(
    tenant.id,
    flowRunId,
    limit + 1,
    offset,
  );
  const items = rows.slice(0, limit);
  const next = rows.length > limit
    ? { key: offset + limit, id: items.at(-1)!.id }
    : null;
  return { status: 200, body: { items, nextCursor: encodeCursor(next) } };
}

async function getTaskRun(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  const taskRun = await ctx.services.store.taskRun(tenant.id, ctx.param("id"));
  if (!taskRun) throw notFound("Task run");
  return { status: 200, body: taskRun };
}

async function setTaskRunState(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const fields = ctx.fields();
  const change = await ctx.services.store.setTaskRunState(
    tenant.id,
    ctx.param("id"),
    fields.wholeNumber("version", 1, Number.MAX_SAFE_INTEGER),
    readState(fields),
    fields.optionalWholeNumber("cacheFor", 1, MAX_CACHE_FOR_MS),
  );
  return { status: 200, body: change };
}

async function heartbeatTaskRun(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  if (!await ctx.services.store.heartbeatTaskRun(tenant.id, ctx.param("id"))) {
    throw notFound("Task run");
  }
  return { status: 204 };
}

async function listCachedStates(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  const items = await ctx.services.store.cachedStates(tenant.id, {
    taskId: ctx.query.optionalString("taskId"),
    cacheKey: ctx.query.optionalString("cacheKey"),
    createdAfter: ctx.query.optionalIsoDate("createdAfter"),
  }, Date.now());
  return { status: 200, body: { items, nextCursor: null } };
}

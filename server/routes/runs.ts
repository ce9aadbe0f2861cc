/**
 * Flow runs, task runs, their states, cached states and tag concurrency
 * limits.
 *
 * @module
 */

import { decodeCursor, encodeCursor } from "../cursor.ts";
import { invalidBody, notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext, Router } from "../router.ts";
import { STATE_TYPES, type StateInput } from "../../api/mod.ts";
import { type Fields, pathParameter } from "../validate.ts";

const ID = { max: 64 };
const DAY_MS = 24 * 60 * 60_000;
/** The longest a state may be cached: ten years. */
const MAX_CACHE_FOR_MS = 3650 * DAY_MS;

/** Registers `/flow-runs`, `/task-runs`, `/cached-states` and `/concurrency-limits`. */
export function registerRunRoutes(router: Router): void {
  router.post("/flow-runs", createFlowRun);
  router.get("/flow-runs", listFlowRuns);
  router.get("/flow-runs/:id", getFlowRun);
  router.post("/flow-runs/:id/state", setFlowRunState);
  router.post("/flow-runs/:id/heartbeat", heartbeatFlowRun);
  router.post("/task-runs", createTaskRun);
  router.get("/task-runs/:id", getTaskRun);
  router.post("/task-runs/:id/state", setTaskRunState);
  router.post("/task-runs/:id/heartbeat", heartbeatTaskRun);
  router.get("/cached-states", listCachedStates);
  router.get("/concurrency-limits/:tag", getConcurrencyLimit);
  router.put("/concurrency-limits/:tag", putConcurrencyLimit);
  router.delete("/concurrency-limits/:id", deleteConcurrencyLimit);
}

async function createFlowRun(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const fields = ctx.fields();
  const flowId = fields.optionalString("flowId", ID);
  const versionGroupId = fields.optionalString("versionGroupId", {
    max: 128,
  });
  if ((flowId === undefined) === (versionGroupId === undefined)) {
    throw invalidBody(
      "Give exactly one of the fields flowId and versionGroupId",
    );
  }
  const { run, created } = await ctx.services.store.createFlowRun(tenant.id, {
    flowId,
    versionGroupId,
    name: fields.optionalString("name", { max: 200 }),
    parameters: fields.optionalObject("parameters") ?? {},
    context: fields.optionalObject("context") ?? {},
    scheduledStartTime: fields.optionalIsoDate("scheduledStartTime") ??
      new Date().toISOString(),
    idempotencyKey: fields.optionalString("idempotencyKey"),
    idempotencyExpiresAt: Date.now() + DAY_MS,
  });
  return { status: created ? 201 : 200, body: run };
}

async function listFlowRuns(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  const page = await ctx.services.store.listFlowRuns(tenant.id, {
    flowId: ctx.query.optionalString("flowId", 64),
    versionGroupId: ctx.query.optionalString("versionGroupId", 128),
    state: ctx.query.optionalEnum("state", STATE_TYPES),
    scheduledBefore: ctx.query.optionalIsoDate("scheduledBefore"),
    limit: ctx.query.wholeNumber("limit", 1, 500, 100),
    after: decodeCursor(ctx.query.optionalString("cursor", 200)),
  });
  return {
    status: 200,
    body: { items: page.items, nextCursor: encodeCursor(page.next) },
  };
}

async function getFlowRun(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  const run = await ctx.services.store.flowRun(tenant.id, ctx.param("id"));
  if (!run) throw notFound("Flow run");
  return { status: 200, body: run };
}

async function setFlowRunState(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const fields = ctx.fields();
  const change = await ctx.services.store.setFlowRunState(
    tenant.id,
    ctx.param("id"),
    fields.wholeNumber("version", 1, Number.MAX_SAFE_INTEGER),
    readState(fields),
  );
  return { status: 200, body: change };
}

async function heartbeatFlowRun(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  if (!await ctx.services.store.heartbeatFlowRun(tenant.id, ctx.param("id"))) {
    throw notFound("Flow run");
  }
  return { status: 204 };
}

async function createTaskRun(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const fields = ctx.fields();
  const { taskRun, created } = await ctx.services.store.createTaskRun(
    tenant.id,
    {
      flowRunId: fields.string("flowRunId", ID),
      taskId: fields.string("taskId"),
      mapIndex: fields.optionalWholeNumber("mapIndex", -1, 1_000_000_000) ??
        -1,
      tags: fields.optionalStringArray("tags", 100) ?? [],
    },
  );
  return { status: created ? 201 : 200, body: taskRun };
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

async function getConcurrencyLimit(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  const limit = await ctx.services.store.concurrencyLimit(
    tenant.id,
    ctx.param("tag"),
  );
  if (!limit) throw notFound("Concurrency limit");
  return { status: 200, body: limit };
}

async function putConcurrencyLimit(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("admin");
  const tag = ctx.param("tag");
  pathParameter("tag", tag, /^.{1,255}$/s, "1 to 255 characters");
  const limit = await ctx.services.store.putConcurrencyLimit(
    tenant.id,
    tag,
    ctx.fields().wholeNumber("limit", 0, 1_000_000),
  );
  return { status: 200, body: limit };
}

async function deleteConcurrencyLimit(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("admin");
  const deleted = await ctx.services.store.deleteConcurrencyLimit(
    tenant.id,
    ctx.param("id"),
  );
  if (!deleted) throw notFound("Concurrency limit");
  return { status: 204 };
}

/** A state given as a type name, or as `{ type, message?, result?, cacheKey? }`. */
function readState(fields: Fields): StateInput {
  if (typeof fields.any("state") === "string") {
    return { type: fields.enumValue("state", STATE_TYPES) };
  }
  const state = fields.nested("state");
  const input: StateInput = { type: state.enumValue("type", STATE_TYPES) };
  const message = state.optionalString("message", { min: 0, max: 10_000 });
  const cacheKey = state.optionalString("cacheKey");
  const result = state.any("result");
  if (message !== undefined) input.message = message;
  if (cacheKey !== undefined) input.cacheKey = cacheKey;
  if (result !== undefined) input.result = result;
  return input;
}

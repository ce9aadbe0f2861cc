/**
 * Flow runs and their states.
 *
 * @module
 */

import { decodeCursor, encodeCursor } from "../cursor.ts";
import { invalidBody, notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext, Router } from "../router.ts";
import { DAY_MS, readState, RUN_ID } from "./_run_fields.ts";
import { STATE_TYPES } from "../../api/mod.ts";

/** Registers `/flow-runs`. */
export function registerFlowRunRoutes(router: Router): void {
  router.post("/flow-runs", createFlowRun);
  router.get("/flow-runs", listFlowRuns);
  router.get("/flow-runs/:id", getFlowRun);
  router.post("/flow-runs/:id/state", setFlowRunState);
  router.post("/flow-runs/:id/heartbeat", heartbeatFlowRun);
}

async function createFlowRun(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const fields = ctx.fields();
  const flowId = fields.optionalString("flowId", RUN_ID);
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
    name: ctx.query.optionalString("name", 200),
    createdAfter: ctx.query.optionalIsoDate("createdAfter"),
    createdBefore: ctx.query.optionalIsoDate("createdBefore"),
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
  const run = await ctx.services.store.flowRunJson(
    tenant.id,
    ctx.param("id"),
  );
  if (run === undefined) throw notFound("Flow run");
  return { status: 200, json: run };
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

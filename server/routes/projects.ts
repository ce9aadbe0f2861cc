/**
 * Projects and flows (with versioning).
 *
 * @module
 */

import { notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import { pageQuery, pageReply } from "./_page.ts";
import type { RouteContext, Router } from "../router.ts";

const ID = { max: 64 };

/** Registers `/projects` and `/flows`. */
export function registerProjectRoutes(router: Router): void {
  router.post("/projects", createProject);
  router.get("/projects", listProjects);
  router.get("/projects/:id", getProject);
  router.delete("/projects/:id", deleteProject);
  router.post("/flows", createFlow);
  router.get("/flows", listFlows);
  router.get("/flows/:id", getFlow);
  router.post("/flows/:id/archive", archiveFlow);
}

async function createProject(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const fields = ctx.fields();
  const name = fields.string("name", { max: 200 });
  const description = fields.optionalString("description", {
    min: 0,
    max: 2000,
  }) ?? null;
  const project = await ctx.services.store.createProject(tenant.id, {
    name,
    description,
  });
  return { status: 201, body: project };
}

async function listProjects(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  return pageReply(
    await ctx.services.store.pageProjects(tenant.id, {
      name: ctx.query.optionalString("name", 200),
      ...pageQuery(ctx),
    }),
  );
}

async function getProject(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  const project = await ctx.services.store.project(tenant.id, ctx.param("id"));
  if (!project) throw notFound("Project");
  return { status: 200, body: project };
}

async function deleteProject(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  if (!await ctx.services.store.deleteProject(tenant.id, ctx.param("id"))) {
    throw notFound("Project");
  }
  return { status: 204 };
}

async function createFlow(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const fields = ctx.fields();
  const flow = await ctx.services.store.createFlow(tenant.id, {
    name: fields.string("name", { max: 200 }),
    projectId: fields.string("projectId", ID),
    definition: fields.any("definition") ?? null,
    versionGroupId: fields.optionalString("versionGroupId", { max: 128 }),
    scheduleActive: fields.optionalBoolean("setScheduleActive") ?? true,
  });
  return { status: 201, body: flow };
}

async function listFlows(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  return pageReply(
    await ctx.services.store.pageFlows(tenant.id, {
      projectId: ctx.query.optionalString("projectId", 64),
      name: ctx.query.optionalString("name", 200),
      ...pageQuery(ctx),
    }),
  );
}

async function getFlow(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  const flow = await ctx.services.store.flow(tenant.id, ctx.param("id"));
  if (!flow) throw notFound("Flow");
  return { status: 200, body: flow };
}

async function archiveFlow(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const flow = await ctx.services.store.archiveFlow(
    tenant.id,
    ctx.param("id"),
  );
  if (!flow) throw notFound("Flow");
  return { status: 200, body: flow };
}

/**
 * Agents: workers that announce themselves and send heartbeats.
 *
 * @module
 */

import { invalidBody, notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext, Router } from "../router.ts";

/** Registers `/agents`. */
export function registerAgentRoutes(router: Router): void {
  router.post("/agents", createAgent);
  router.post("/agents/:id/heartbeat", heartbeatAgent);
}

async function createAgent(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const fields = ctx.fields();
  const type = fields.string("type", { max: 64 });
  const name = fields.optionalString("name", { max: 200 }) ?? null;
  const labels = fields.optionalObject("labels") ?? {};
  const entries = Object.entries(labels);
  if (
    entries.length > 50 ||
    !entries.every(([key, value]) =>
      key.length >= 1 && key.length <= 128 && typeof value === "string" &&
      value.length <= 256
    )
  ) {
    throw invalidBody(
      "Field labels must be an object of at most 50 string values",
    );
  }
  const agent = await ctx.services.store.createAgent(tenant.id, {
    type,
    name,
    labels: labels as Record<string, string>,
  });
  return { status: 201, body: agent };
}

async function heartbeatAgent(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  if (!await ctx.services.store.heartbeatAgent(tenant.id, ctx.param("id"))) {
    throw notFound("Agent");
  }
  return { status: 204 };
}

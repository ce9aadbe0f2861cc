/**
 * Tag concurrency limits.
 *
 * @module
 */

import { notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext, Router } from "../router.ts";
import { pathParameter } from "../validate.ts";

/** Registers `/concurrency-limits`. */
export function registerConcurrencyLimitRoutes(router: Router): void {
  // One parameter name for the path (see Router): a tag for GET and PUT, a
  // limit's id for DELETE.
  router.get("/concurrency-limits/:key", getConcurrencyLimit);
  router.put("/concurrency-limits/:key", putConcurrencyLimit);
  router.delete("/concurrency-limits/:key", deleteConcurrencyLimit);
}

async function getConcurrencyLimit(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  const limit = await ctx.services.store.concurrencyLimit(
    tenant.id,
    ctx.param("key"),
  );
  if (!limit) throw notFound("Concurrency limit");
  return { status: 200, body: limit };
}

async function putConcurrencyLimit(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("admin");
  const tag = ctx.param("key");
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
    ctx.param("key"),
  );
  if (!deleted) throw notFound("Concurrency limit");
  return { status: 204 };
}

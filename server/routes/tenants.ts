/**
 * Tenants: list them, create one (system admin), and the default tenant of the caller.
 *
 * @module
 */

import { forbidden } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import { pageQuery, pageReply } from "./_page.ts";
import type { RouteContext, Router } from "../router.ts";
import { SLUG } from "./_admin.ts";

/** Registers `/tenants`. */
export function registerTenantRoutes(router: Router): void {
  router.get("/tenants", listTenants);
  router.post("/tenants", createTenant);
  router.get("/tenants/default", defaultTenant);
}

async function listTenants(ctx: RouteContext): Promise<Reply> {
  const principal = ctx.principal;
  const store = ctx.services.store;
  const page = pageQuery(ctx);
  if (principal.kind === "admin") {
    return pageReply(await store.pageTenants(page));
  }
  if (principal.tenantId !== null) {
    // A credential bound to a tenant sees that one: a single, last page.
    const tenant = page.after === undefined
      ? await store.tenantById(principal.tenantId)
      : undefined;
    return pageReply({ items: tenant ? [tenant] : [], next: null });
  }
  return pageReply(
    await store.pageTenants({ ...page, userId: principal.userId }),
  );
}

async function createTenant(ctx: RouteContext): Promise<Reply> {
  if (ctx.principal.kind !== "admin") {
    throw forbidden("Only the system admin can create tenants");
  }
  const fields = ctx.fields();
  const slug = fields.string("slug", SLUG);
  const name = fields.string("name", { max: 200 });
  const tenant = await ctx.services.store.createTenant({ slug, name });
  return { status: 201, body: tenant };
}

async function defaultTenant(ctx: RouteContext): Promise<Reply> {
  const principal = ctx.principal;
  const store = ctx.services.store;
  let slug: string | null = null;
  if (principal.kind === "user") {
    slug = principal.tenantId !== null
      ? (await store.tenantById(principal.tenantId))?.slug ?? null
      : (await store.userTenants(principal.userId))[0]?.slug ?? null;
  }
  return { status: 200, body: { slug } };
}

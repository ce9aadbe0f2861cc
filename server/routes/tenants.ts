/**
 * Tenants: list them, create one (system admin), and the default tenant of the caller.
 *
 * @module
 */

import { forbidden } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext, Router } from "../router.ts";
import type { Tenant } from "../../api/mod.ts";
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
  let items: Tenant[];
  if (principal.kind === "admin") {
    items = await store.listTenants();
  } else if (principal.tenantId !== null) {
    const tenant = await store.tenantById(principal.tenantId);
    items = tenant ? [tenant] : [];
  } else {
    items = (await store.userTenants(principal.userId)).map((
      { role: _role, ...tenant },
    ) => tenant);
  }
  return { status: 200, body: { items, nextCursor: null } };
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

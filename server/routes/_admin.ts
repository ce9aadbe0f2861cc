/**
 * What the tenant, user, API token and access key routes share: the bounds
 * of slugs and usernames, and who may manage which credentials.
 *
 * Who may list and revoke a credential (least privilege): the system admin
 * any; a user its own; a tenant admin those bound to its tenant (tenant
 * tokens and keypairs of any member), never a member's user-scoped token,
 * which reaches the member's other tenants too (removing the membership cuts
 * that token off from the tenant). A credential bound to a tenant reaches
 * only that tenant's credentials.
 *
 * @module
 */

import { resolveTenant, type TenantAccess } from "../authentication.ts";
import { pageQuery, pageReply } from "./_page.ts";
import { forbidden } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext } from "../router.ts";
import type { CredentialFilter, CursorPosition, Page } from "../store.ts";
import { SLUG_PATTERN } from "../../api/mod.ts";

export const SLUG = {
  min: 2,
  max: 63,
  pattern: SLUG_PATTERN,
  patternHint: "a slug of lower-case letters, digits and dashes",
};

export const USERNAME = {
  max: 64,
  pattern: /^[A-Za-z0-9_.@-]+$/,
  patternHint: "letters, digits and _ . @ -",
};

/** The credentials the caller may manage: see the module's notes. */
export function managedBy(ctx: RouteContext): CredentialFilter {
  const principal = ctx.principal;
  return principal.kind === "admin"
    ? {}
    : { managedBy: { userId: principal.userId, tenantId: principal.tenantId } };
}

/**
 * A page of credentials the caller may manage, narrowed by the `tenant` and
 * `username` query parameters.
 */
export async function listCredentials<T>(
  ctx: RouteContext,
  list: (
    filter: CredentialFilter & { limit: number; after?: CursorPosition },
  ) => Promise<Page<T>>,
): Promise<Reply> {
  const filter = managedBy(ctx);
  const slug = ctx.query.optionalString("tenant", 63);
  if (slug !== undefined) {
    // 404 for a tenant the caller cannot use, as everywhere else.
    const access = await resolveTenant(ctx.principal, slug, ctx.services.store);
    filter.tenantId = access.tenant.id;
  }
  const username = ctx.query.optionalString("username", USERNAME.max);
  if (username !== undefined) {
    // An unknown name lists nothing, like a known one with no credentials.
    filter.userId = (await ctx.services.store.userByName(username))?.id ?? "";
  }
  return pageReply(await list({ ...filter, ...pageQuery(ctx) }));
}

/** The tenant named by `slug`, if the caller is its admin (or the system admin). */
export async function adminAccess(
  ctx: RouteContext,
  slug: string | null,
): Promise<TenantAccess> {
  const access = await resolveTenant(ctx.principal, slug, ctx.services.store);
  if (access.role !== "admin") {
    throw forbidden("Only an admin of the tenant can do this");
  }
  return access;
}

export function tenantHeader(ctx: RouteContext): string | null {
  return ctx.request.headers.get("x-runplane-tenant");
}

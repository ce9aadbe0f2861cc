/**
 * API tokens: create, list and revoke them (see `_admin.ts` for who may).
 *
 * @module
 */

import { resolveTenant } from "../authentication.ts";
import { randomToken, sha256Hex } from "../crypto_box.ts";
import { forbidden, invalidBody, notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext, Router } from "../router.ts";
import type { Tenant } from "../../api/mod.ts";
import {
  adminAccess,
  listCredentials,
  managedBy,
  SLUG,
  tenantHeader,
  USERNAME,
} from "./_admin.ts";

/** Registers `/api-tokens`. */
export function registerApiTokenRoutes(router: Router): void {
  // Its answer holds a new secret, which must not be kept for replays.
  router.post("/api-tokens", createApiToken, { idempotent: "sealed" });
  router.get("/api-tokens", listApiTokens);
  router.delete("/api-tokens/:id", revokeApiToken);
}

async function createApiToken(ctx: RouteContext): Promise<Reply> {
  const fields = ctx.fields();
  const name = fields.string("name", { max: 200 });
  const scope = fields.enumValue("scope", ["user", "tenant"] as const);
  const username = fields.optionalString("username", USERNAME);
  const slug = fields.optionalString("tenant", SLUG);
  const expiresAt = fields.optionalIsoDate("expiresAt");
  if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.now()) {
    throw invalidBody("Field expiresAt must be a time in the future");
  }
  const principal = ctx.principal;
  const store = ctx.services.store;
  const forSelf = principal.kind === "user" &&
    (username === undefined || username === principal.username);
  if (!forSelf && username === undefined) {
    throw invalidBody("Field username is required for the admin token");
  }
  let tenant: Tenant | undefined;
  if (scope === "tenant") {
    tenant = forSelf
      ? (await resolveTenant(principal, slug ?? tenantHeader(ctx), store))
        .tenant
      : (await adminAccess(ctx, slug ?? tenantHeader(ctx))).tenant;
  } else if (principal.kind === "user") {
    // A user-scoped token reaches every tenant of the user, so only the user
    // itself, with a credential not bound to one tenant, may make one.
    if (!forSelf || principal.tenantId !== null) {
      throw forbidden("Only the user itself can create a user-scoped token");
    }
  }
  const user = forSelf && principal.kind === "user"
    ? { id: principal.userId, username: principal.username }
    : await store.userByName(username!);
  if (!user || (tenant && !await store.role(user.id, tenant.id))) {
    throw notFound("User");
  }
  const token = randomToken("rp_");
  const id = await store.createApiToken({
    name,
    scope,
    userId: user.id,
    tenantId: tenant?.id ?? null,
    tokenHash: await sha256Hex(token),
    expiresAt: expiresAt === undefined ? null : Date.parse(expiresAt),
  });
  return {
    status: 201,
    body: {
      id,
      name,
      scope,
      token,
      username: user.username,
      tenant: tenant?.slug ?? null,
      expiresAt: expiresAt ?? null,
    },
  };
}

function listApiTokens(ctx: RouteContext): Promise<Reply> {
  return listCredentials(
    ctx,
    (filter) => ctx.services.store.listApiTokens(filter),
  );
}

async function revokeApiToken(ctx: RouteContext): Promise<Reply> {
  const revoked = await ctx.services.store.revokeApiToken(
    ctx.param("id"),
    managedBy(ctx),
  );
  if (!revoked) throw notFound("API token");
  return { status: 204 };
}

/**
 * Tenants, users, API tokens and access keys: what the bootstrap admin and
 * tenant admins manage.
 *
 * @module
 */

import { accessKeyContext, resolveTenant, type TenantAccess } from "../auth.ts";
import { randomToken, sha256Hex } from "../crypto_box.ts";
import { forbidden, HttpError, invalidBody, notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import { hashPassword } from "../passwords.ts";
import type { RouteContext, Router } from "../router.ts";
import { ROLES, type Tenant } from "../store.ts";

const SLUG = {
  min: 2,
  max: 63,
  pattern: /^[a-z0-9][a-z0-9-]{1,62}$/,
  patternHint: "a slug of lower-case letters, digits and dashes",
};
const USERNAME = {
  max: 64,
  pattern: /^[A-Za-z0-9_.@-]+$/,
  patternHint: "letters, digits and _ . @ -",
};

/** Registers `/tenants`, `/users`, `/api-tokens` and `/access-keys`. */
export function registerAdminRoutes(router: Router): void {
  router.get("/tenants", listTenants);
  router.post("/tenants", createTenant);
  router.get("/tenants/default", defaultTenant);
  router.post("/users", createUser);
  // Their answers hold a new secret, which must not be kept for replays.
  router.post("/api-tokens", createApiToken, { idempotent: "sealed" });
  router.post("/access-keys", createAccessKey, { idempotent: "sealed" });
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

async function createUser(ctx: RouteContext): Promise<Reply> {
  const fields = ctx.fields();
  const username = fields.string("username", USERNAME);
  const password = fields.string("password", { min: 8, max: 1024 });
  const slug = fields.string("tenant", SLUG);
  const role = fields.enumValue("role", ROLES);
  const access = await adminAccess(ctx, slug);
  const store = ctx.services.store;
  const existing = await store.userByName(username);
  let userId: string;
  if (existing) {
    const matches = await ctx.services.passwords.check(
      username,
      password,
      existing.passwordHash,
    );
    if (!matches) {
      throw new HttpError(
        409,
        "conflict",
        "A user with this username exists with another password",
      );
    }
    await store.setMembership(existing.id, access.tenant.id, role);
    userId = existing.id;
  } else {
    const passwordHash = await hashPassword(password);
    userId = (await store.createUser(
      { username, passwordHash },
      access.tenant.id,
      role,
    )).id;
  }
  return {
    status: 201,
    body: { id: userId, username, tenant: access.tenant.slug, role },
  };
}

async function createApiToken(ctx: RouteContext): Promise<Reply> {
  const fields = ctx.fields();
  const name = fields.string("name", { max: 200 });
  const scope = fields.enumValue("scope", ["user", "tenant"] as const);
  const username = fields.optionalString("username", USERNAME);
  const slug = fields.optionalString("tenant", SLUG);
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
    },
  };
}

async function createAccessKey(ctx: RouteContext): Promise<Reply> {
  const fields = ctx.fields();
  const username = fields.string("username", USERNAME);
  const slug = fields.string("tenant", SLUG);
  const access = await adminAccess(ctx, slug);
  const store = ctx.services.store;
  const user = await store.userByName(username);
  if (!user || !await store.role(user.id, access.tenant.id)) {
    throw notFound("User");
  }
  const accessKey = randomAccessKey();
  const secretKey = randomToken("rpsk_");
  await store.createAccessKey({
    accessKey,
    sealedSecret: await ctx.services.box.seal(
      secretKey,
      accessKeyContext(accessKey),
    ),
    userId: user.id,
    tenantId: access.tenant.id,
  });
  return { status: 201, body: { accessKey, secretKey } };
}

/** The tenant named by `slug`, if the caller is its admin (or the system admin). */
async function adminAccess(
  ctx: RouteContext,
  slug: string | null,
): Promise<TenantAccess> {
  const access = await resolveTenant(ctx.principal, slug, ctx.services.store);
  if (access.role !== "admin") {
    throw forbidden("Only an admin of the tenant can do this");
  }
  return access;
}

/** `RPAK` and 20 base32 characters: easy to read out, and no secret. */
function randomAccessKey(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return "RPAK" + Array.from(bytes, (byte) => alphabet[byte & 31]).join("");
}

function tenantHeader(ctx: RouteContext): string | null {
  return ctx.request.headers.get("x-runplane-tenant");
}

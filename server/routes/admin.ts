/**
 * Tenants, users, API tokens and access keys: what the bootstrap admin and
 * tenant admins manage.
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

import {
  accessKeyContext,
  checkPassword,
  resolveTenant,
  type TenantAccess,
} from "../authentication.ts";
import { randomToken, sha256Hex } from "../crypto_box.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { forbidden, HttpError, invalidBody, notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import { hashPassword } from "../passwords.ts";
import type { RouteContext, Router } from "../router.ts";
import type { CredentialFilter, CursorPosition, Page } from "../store.ts";
import { ROLES, SLUG_PATTERN, type Tenant } from "../../api/mod.ts";
import { pathParameter } from "../validate.ts";

const SLUG = {
  min: 2,
  max: 63,
  pattern: SLUG_PATTERN,
  patternHint: "a slug of lower-case letters, digits and dashes",
};
const USERNAME = {
  max: 64,
  pattern: /^[A-Za-z0-9_.@-]+$/,
  patternHint: "letters, digits and _ . @ -",
};
const PASSWORD = { min: 8, max: 1024 };
const ACCESS_KEY = /^RPAK[A-Z2-7]{20}$/;

/** Registers `/tenants`, `/users`, `/api-tokens` and `/access-keys`. */
export function registerAdminRoutes(router: Router): void {
  router.get("/tenants", listTenants);
  router.post("/tenants", createTenant);
  router.get("/tenants/default", defaultTenant);
  router.post("/users", createUser);
  router.put("/users/:username/password", setPassword);
  router.delete("/users/:username/memberships/:tenant", removeMembership);
  // Their answers hold a new secret, which must not be kept for replays.
  router.post("/api-tokens", createApiToken, { idempotent: "sealed" });
  router.get("/api-tokens", listApiTokens);
  router.delete("/api-tokens/:id", revokeApiToken);
  router.post("/access-keys", createAccessKey, { idempotent: "sealed" });
  router.get("/access-keys", listAccessKeys);
  router.delete("/access-keys/:accessKey", revokeAccessKey);
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
  const password = fields.optionalString("password", PASSWORD);
  const slug = fields.string("tenant", SLUG);
  const role = fields.enumValue("role", ROLES);
  const access = await adminAccess(ctx, slug);
  const store = ctx.services.store;
  let userId: string;
  if (password === undefined) {
    // An existing user is added without its password: an admin must never
    // get to test guesses of another tenant's user's password.
    const existing = await store.userByName(username);
    if (!existing) {
      throw new HttpError(
        404,
        "not_found",
        "User not found: give a password to create it",
      );
    }
    await store.setMembership(existing.id, access.tenant.id, role);
    userId = existing.id;
  } else {
    if (await store.userByName(username)) {
      throw new HttpError(
        409,
        "conflict",
        "A user with this username exists: leave out the password to add it to the tenant",
      );
    }
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

function listAccessKeys(ctx: RouteContext): Promise<Reply> {
  return listCredentials(
    ctx,
    (filter) => ctx.services.store.listAccessKeys(filter),
  );
}

async function revokeAccessKey(ctx: RouteContext): Promise<Reply> {
  const accessKey = pathParameter(
    "accessKey",
    ctx.param("accessKey"),
    ACCESS_KEY,
    "RPAK and 20 characters of A-Z, 2-7",
  );
  const revoked = await ctx.services.store.revokeAccessKey(
    accessKey,
    managedBy(ctx),
  );
  if (!revoked) throw notFound("Access key");
  return { status: 204 };
}

/** The credentials the caller may manage: see the module's notes. */
function managedBy(ctx: RouteContext): CredentialFilter {
  const principal = ctx.principal;
  return principal.kind === "admin"
    ? {}
    : { managedBy: { userId: principal.userId, tenantId: principal.tenantId } };
}

/**
 * A page of credentials the caller may manage, narrowed by the `tenant` and
 * `username` query parameters.
 */
async function listCredentials<T>(
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
  const page = await list({
    ...filter,
    limit: ctx.query.wholeNumber("limit", 1, 500, 100),
    after: decodeCursor(ctx.query.optionalString("cursor", 200)),
  });
  return {
    status: 200,
    body: { items: page.items, nextCursor: encodeCursor(page.next) },
  };
}

async function setPassword(ctx: RouteContext): Promise<Reply> {
  const username = usernameParameter(ctx);
  const fields = ctx.fields();
  const password = fields.string("password", PASSWORD);
  const current = fields.optionalString("currentPassword", { max: 1024 });
  const principal = ctx.principal;
  const store = ctx.services.store;
  const user = await store.userByName(username);
  if (!user) throw notFound("User");
  if (principal.kind === "user" && principal.userId === user.id) {
    if (current === undefined) {
      throw invalidBody(
        "Field currentPassword is required to change your own password",
      );
    }
    try {
      await checkPassword(
        { username, password: current, request: ctx.request },
        ctx.services,
      );
    } catch (error) {
      // Not a 401: the request's own credential is fine.
      if (error instanceof HttpError && error.status === 401) {
        throw forbidden("Field currentPassword is not your current password");
      }
      throw error;
    }
  } else if (principal.kind === "user") {
    await requireAdminOfEveryTenant(ctx, user.id);
  }
  await store.setPassword(user.id, await hashPassword(password));
  return { status: 204 };
}

/**
 * Throws unless the caller, with the credential it used, is an admin of
 * every tenant of the user: an admin of one tenant must not take over a
 * user who also works in another. 404 when it shares no tenant with the user.
 */
async function requireAdminOfEveryTenant(
  ctx: RouteContext,
  userId: string,
): Promise<void> {
  const principal = ctx.principal;
  if (principal.kind !== "user") return;
  const store = ctx.services.store;
  const theirs = await store.userTenants(userId);
  const mine = new Map(
    (await store.userTenants(principal.userId))
      .filter((tenant) =>
        principal.tenantId === null || principal.tenantId === tenant.id
      )
      .map((tenant) => [tenant.id, tenant.role]),
  );
  if (!theirs.some((tenant) => mine.has(tenant.id))) throw notFound("User");
  if (!theirs.every((tenant) => mine.get(tenant.id) === "admin")) {
    throw forbidden(
      "Only an admin of every tenant of the user, or the system admin, can set its password",
    );
  }
}

async function removeMembership(ctx: RouteContext): Promise<Reply> {
  const username = usernameParameter(ctx);
  const slug = pathParameter(
    "tenant",
    ctx.param("tenant"),
    SLUG.pattern,
    SLUG.patternHint,
  );
  const access = await adminAccess(ctx, slug);
  const store = ctx.services.store;
  const user = await store.userByName(username);
  if (!user || !await store.removeMembership(user.id, access.tenant.id)) {
    throw notFound("Membership");
  }
  return { status: 204 };
}

function usernameParameter(ctx: RouteContext): string {
  return pathParameter(
    "username",
    ctx.param("username"),
    /^[A-Za-z0-9_.@-]{1,64}$/,
    "1 to 64 letters, digits and _ . @ -",
  );
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

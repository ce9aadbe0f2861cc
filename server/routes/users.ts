/**
 * Users: create one, set a password, remove a membership.
 *
 * @module
 */

import { checkPassword } from "../authentication.ts";
import { forbidden, HttpError, invalidBody, notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import { hashPassword } from "../passwords.ts";
import type { RouteContext, Router } from "../router.ts";
import { ROLES } from "../../api/mod.ts";
import { pathParameter } from "../validate.ts";
import { adminAccess, SLUG, USERNAME } from "./_admin.ts";

/** Registers `/users`. */
export function registerUserRoutes(router: Router): void {
  router.post("/users", createUser);
  router.put("/users/:username/password", setPassword);
  router.delete("/users/:username/memberships/:tenant", removeMembership);
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

const PASSWORD = { min: 8, max: 1024 };

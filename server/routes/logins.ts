/**
 * The cookie login and logout, tenant access tokens with rotating refresh
 * tokens, and `/me`.
 *
 * @module
 */

import {
  checkPassword,
  loginCookieName,
  publicOrigin,
  readCookie,
  requireSameOrigin,
  resolveTenant,
} from "../authentication.ts";
import { randomToken, sha256Hex } from "../crypto_box.ts";
import { forbidden, notFound, unauthenticated } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext, Router } from "../router.ts";
import type { TenantGrant, TokenPair } from "../store.ts";
import type { Me, Tenant } from "../../api/mod.ts";

/** How long a session cookie lasts; the web UI's login uses it too. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
const REFRESH_TTL_MS = 30 * 24 * 60 * 60_000;

/** Registers the `/auth/*` routes and `/me`. */
export function registerLoginRoutes(router: Router): void {
  router.post("/auth/login", login, { auth: "none", idempotent: false });
  router.post("/auth/logout", logout, { auth: "none", idempotent: false });
  // A retried refresh must get the grant its lost answer carried, not be
  // taken for a stolen refresh token: these answers are replayed, sealed.
  router.post("/auth/tenant-login", tenantLogin, { idempotent: "sealed" });
  router.post("/auth/refresh", refresh, {
    auth: "none",
    idempotent: "sealed",
    idempotencyScope: async (ctx) =>
      `refresh:${await sha256Hex(refreshTokenOf(ctx))}`,
  });
  router.post("/auth/tenant-logout", tenantLogout, { idempotent: false });
  router.get("/me", me);
}

async function login(ctx: RouteContext): Promise<Reply> {
  // The cookie is a browser's credential: only this origin's pages may set
  // or clear it, as on the web UI's login form.
  requireSameOrigin(ctx.request, publicOrigin(ctx.url, ctx.services));
  const fields = ctx.fields();
  const username = fields.string("username", { max: 128 });
  const password = fields.string("password", { max: 1024 });
  const user = await checkPassword(
    { username, password, request: ctx.request },
    ctx.services,
  );
  const sessionId = randomToken("");
  await ctx.services.store.createSession(
    await sha256Hex(sessionId),
    user.id,
    Date.now() + SESSION_TTL_MS,
  );
  return {
    status: 200,
    body: { user },
    headers: {
      "set-cookie": sessionCookie(ctx, sessionId, SESSION_TTL_MS / 1000),
    },
  };
}

async function logout(ctx: RouteContext): Promise<Reply> {
  const origin = publicOrigin(ctx.url, ctx.services);
  requireSameOrigin(ctx.request, origin);
  const sessionId = readCookie(ctx.request, loginCookieName(origin));
  if (sessionId !== undefined) {
    await ctx.services.store.deleteSession(await sha256Hex(sessionId));
  }
  return {
    status: 204,
    headers: { "set-cookie": sessionCookie(ctx, "", 0) },
  };
}

async function tenantLogin(ctx: RouteContext): Promise<Reply> {
  const principal = ctx.principal;
  // Only a credential that may pick its tenant may mint a tenant's tokens.
  if (principal.kind !== "user" || principal.tenantId !== null) {
    throw forbidden("Tenant login needs a user credential");
  }
  const fields = ctx.fields();
  const slug = fields.optionalString("slug", { max: 63 });
  const id = slug === undefined ? fields.string("id", { max: 64 }) : undefined;
  const store = ctx.services.store;
  const tenant = slug !== undefined
    ? await store.tenantBySlug(slug)
    : await store.tenantById(id!);
  if (!tenant || !await store.role(principal.userId, tenant.id)) {
    throw notFound("Tenant");
  }
  const grant: TenantGrant = {
    userId: principal.userId,
    tenantId: tenant.id,
    familyId: crypto.randomUUID(),
  };
  const tokens = await newTokenPair(ctx.services.accessTokenTtlMs);
  await store.createTenantTokens(grant, tokens.pair);
  return { status: 200, body: tokenBody(tokens, tenant) };
}

function refreshTokenOf(ctx: RouteContext): string {
  return ctx.fields().string("refreshToken", { max: 512 });
}

async function refresh(ctx: RouteContext): Promise<Reply> {
  const refreshToken = refreshTokenOf(ctx);
  const tokens = await newTokenPair(ctx.services.accessTokenTtlMs);
  const grant = await ctx.services.store.rotateRefreshToken(
    await sha256Hex(refreshToken),
    tokens.pair,
    Date.now(),
  );
  const tenant = grant && await ctx.services.store.tenantById(grant.tenantId);
  if (!tenant) throw unauthenticated();
  return { status: 200, body: tokenBody(tokens, tenant) };
}

async function tenantLogout(ctx: RouteContext): Promise<Reply> {
  const principal = ctx.principal;
  const refreshToken = ctx.fields().optionalString("refreshToken", {
    max: 512,
  });
  if (principal.kind === "user") {
    await ctx.services.store.revokeTenantTokens(
      principal.userId,
      principal.accessHash,
      refreshToken === undefined ? undefined : await sha256Hex(refreshToken),
    );
  }
  return { status: 204 };
}

async function me(ctx: RouteContext): Promise<Reply> {
  const principal = ctx.principal;
  const slug = ctx.request.headers.get("x-runplane-tenant");
  const bound = principal.kind === "user" && principal.tenantId !== null;
  const access = slug !== null || bound
    ? await resolveTenant(principal, slug, ctx.services.store)
    : undefined;
  return {
    status: 200,
    body: {
      kind: principal.kind,
      ...(principal.kind === "user" ? { username: principal.username } : {}),
      ...(access ? { tenant: access.tenant, role: access.role } : {}),
      ...(principal.credential.startsWith("token:")
        ? { tokenId: principal.credential.slice("token:".length) }
        : {}),
    } satisfies Me,
  };
}

interface NewTokens {
  accessToken: string;
  refreshToken: string;
  pair: TokenPair;
}

async function newTokenPair(accessTtlMs: number): Promise<NewTokens> {
  const accessToken = randomToken("rpa_");
  const refreshToken = randomToken("rpr_");
  const now = Date.now();
  return {
    accessToken,
    refreshToken,
    pair: {
      accessHash: await sha256Hex(accessToken),
      accessExpiresAt: now + accessTtlMs,
      refreshHash: await sha256Hex(refreshToken),
      refreshExpiresAt: now + REFRESH_TTL_MS,
    },
  };
}

function tokenBody(tokens: NewTokens, tenant: Tenant) {
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: new Date(tokens.pair.accessExpiresAt).toISOString(),
    tenant,
  };
}

function sessionCookie(
  ctx: RouteContext,
  value: string,
  maxAgeSeconds: number,
): string {
  return loginCookieHeader(
    publicOrigin(ctx.url, ctx.services),
    value,
    maxAgeSeconds,
  );
}

/**
 * The `Set-Cookie` value of a session cookie, shared with the web UI's login
 * so both set exactly the same flags.
 *
 * @param origin The origin browsers see; over https the cookie is `Secure`
 * and named with the `__Host-` prefix.
 * @param value The session id, or `""` to clear the cookie.
 * @param maxAgeSeconds The cookie's lifetime; `0` clears it.
 */
export function loginCookieHeader(
  origin: URL,
  value: string,
  maxAgeSeconds: number,
): string {
  const secure = origin.protocol === "https:" ? "; Secure" : "";
  return `${
    loginCookieName(origin)
  }=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure}`;
}

/**
 * The one way tests and benchmarks make tenants, users and tokens: over
 * HTTP, as the admin, on any reference server (in this process or its own).
 *
 * @module
 */

import type { Role } from "../../api/mod.ts";
import { ADMIN_TOKEN } from "./admin_token.ts";

/** The password of seeded users, unless one is given. */
export const PASSWORD = "correct horse battery";

/** What to make besides the tenant. */
export interface SeedOptions<R extends Role> {
  /**
   * One user per role, each with a tenant-scoped API token.
   *
   * @default {["admin", "member", "viewer"]}
   */
  roles?: readonly R[];
  /**
   * Each user's name.
   *
   * @default {(role) => `${slug}-${role}`}
   */
  username?: (role: R) => string;
  /**
   * The users' password.
   *
   * @default {PASSWORD}
   */
  password?: string;
  /** The tenant's display name; `Tenant <slug>` by default. */
  name?: string;
  /** The tokens' name; each role's name by default. */
  tokenName?: string;
}

/** A seeded tenant: its users and their tenant-scoped tokens, by role. */
export interface SeededTenant<R extends Role = "admin" | "member" | "viewer"> {
  /** The tenant's slug. */
  slug: string;
  /** The tenant's id. */
  id: string;
  /** Each role's tenant-scoped API token. */
  tokens: Record<R, string>;
  /** Each role's username. */
  usernames: Record<R, string>;
  /** The users' password. */
  password: string;
}

/**
 * Creates a tenant and one user per role, each with a tenant-scoped API
 * token. Costs one password hash per user.
 *
 * @param server The server, by its origin.
 * @param slug The tenant's slug.
 * @param options The roles, names and password.
 */
export async function seedTenant<
  R extends Role = "admin" | "member" | "viewer",
>(
  server: { url: URL | string },
  slug: string,
  options: SeedOptions<R> = {},
): Promise<SeededTenant<R>> {
  const roles = options.roles ??
    (["admin", "member", "viewer"] as readonly Role[] as readonly R[]);
  const password = options.password ?? PASSWORD;
  const tenant = await adminPost(server, "/tenants", {
    slug,
    name: options.name ?? `Tenant ${slug}`,
  });
  const tokens = {} as Record<R, string>;
  const usernames = {} as Record<R, string>;
  for (const role of roles) {
    const username = options.username?.(role) ?? `${slug}-${role}`;
    await adminPost(server, "/users", {
      username,
      password,
      tenant: slug,
      role,
    });
    const token = await adminPost(server, "/api-tokens", {
      name: options.tokenName ?? role,
      scope: "tenant",
      username,
      tenant: slug,
    });
    tokens[role] = token.token as string;
    usernames[role] = username;
  }
  return { slug, id: tenant.id as string, tokens, usernames, password };
}

async function adminPost(
  server: { url: URL | string },
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(`/api/v1${path}`, server.url), {
    method: "POST",
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 201) {
    throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text);
}

/**
 * {@linkcode Tenants}: list, create and find the default tenant.
 *
 * @module
 */

import { SLUG_PATTERN, type Tenant } from "../../api/mod.ts";
import { InvalidArgumentError } from "../../errors.ts";
import { collect } from "./listing.ts";
import { requireObject, requireString } from "./_validate.ts";
import { Resource } from "./resource.ts";

/** What {@linkcode Tenants.create} needs. */
export interface CreateTenantOptions {
  /** The unique, URL-safe name: `^[a-z0-9][a-z0-9-]{1,62}$`. */
  slug: string;
  /** The display name. */
  name: string;
}

/**
 * The tenants the caller can use. Reach it as `client.tenants`.
 *
 * @example
 * ```ts
 * import type { Client } from "@runplane/client";
 *
 * async function example(client: Client) {
 *   const tenant = await client.tenants.create({ slug: "acme", name: "Acme" });
 *   const all = await client.tenants.list();
 * }
 * ```
 */
export class Tenants extends Resource {
  /**
   * Lists the tenants the caller can use.
   *
   * @returns The tenants.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   for (const tenant of await client.tenants.list()) console.log(tenant.slug);
   * }
   * ```
   */
  list(): Promise<Tenant[]> {
    return collect<Tenant>(this.client, "/tenants");
  }

  /**
   * Creates a tenant; needs the system admin token.
   *
   * @param options The slug and name.
   * @returns The new tenant.
   * @throws {InvalidArgumentError} When the slug or name is invalid.
   * @throws {ConflictError} When the slug exists.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(admin: Client) {
   *   const tenant = await admin.tenants.create({ slug: "acme", name: "Acme Inc" });
   * }
   * ```
   */
  async create(options: CreateTenantOptions): Promise<Tenant> {
    requireObject("options", options);
    if (typeof options.slug !== "string" || !SLUG_PATTERN.test(options.slug)) {
      throw new InvalidArgumentError(
        "slug must be 2 to 63 lower-case letters, digits or dashes, starting with a letter or digit",
      );
    }
    requireString("name", options.name);
    return await this.client.request<Tenant>("POST", "/tenants", {
      body: { slug: options.slug, name: options.name },
    });
  }

  /**
   * The caller's default tenant: the bound tenant, else the user's oldest
   * membership.
   *
   * @returns The tenant's slug, or `null` when there is none.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const slug = await client.tenants.defaultSlug();
   * }
   * ```
   */
  async defaultSlug(): Promise<string | null> {
    const answer = await this.client.request<{ slug: string | null }>(
      "GET",
      "/tenants/default",
    );
    return answer.slug ?? null;
  }
}

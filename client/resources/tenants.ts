/**
 * {@linkcode Tenants}: list, create and find the default tenant.
 *
 * @module
 */

import { SLUG_PATTERN, type Tenant } from "../../api/mod.ts";
import { InvalidArgumentError } from "../../errors.ts";
import { Listing } from "./listing.ts";
import { optionalPageSize, requireObject, requireString } from "./_validate.ts";
import type { ListOptions } from "./types.ts";
import { Resource } from "./resource.ts";
import type { CallOptions } from "../request_options.ts";

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
 *   const all = await client.tenants.list().toArray();
 * }
 * ```
 */
export class Tenants extends Resource {
  /**
   * Lists the tenants the caller can use: every tenant for the system admin,
   * oldest first; the user's, oldest membership first; or the one a
   * credential is bound to. `await` it for the first page, walk every tenant
   * with `for await`, or collect them with `toArray()`.
   *
   * @param options The page size.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The tenants, as a {@linkcode Listing}.
   * @throws {InvalidArgumentError} At once, when an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   for await (const tenant of client.tenants.list()) console.log(tenant.slug);
   * }
   * ```
   */
  list(options: ListOptions = {}, call?: CallOptions): Listing<Tenant> {
    requireObject("options", options);
    return new Listing<Tenant>(this.client, "/tenants", {
      query: { limit: optionalPageSize(options.limit) },
      call,
    });
  }

  /**
   * Creates a tenant; needs the system admin token.
   *
   * @param options The slug and name.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
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
  async create(
    options: CreateTenantOptions,
    call?: CallOptions,
  ): Promise<Tenant> {
    requireObject("options", options);
    if (typeof options.slug !== "string" || !SLUG_PATTERN.test(options.slug)) {
      throw new InvalidArgumentError(
        "slug must be 2 to 63 lower-case letters, digits or dashes, starting with a letter or digit",
      );
    }
    requireString("name", options.name);
    return await this.client.request<Tenant>("POST", "/tenants", {
      ...call,
      body: { slug: options.slug, name: options.name },
    });
  }

  /**
   * The caller's default tenant: the bound tenant, else the user's oldest
   * membership.
   *
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
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
  async defaultSlug(call?: CallOptions): Promise<string | null> {
    const answer = await this.client.request<{ slug: string | null }>(
      "GET",
      "/tenants/default",
      call,
    );
    return answer.slug ?? null;
  }
}

/**
 * {@linkcode ConcurrencyLimits}: read, set and delete tag limits.
 *
 * @module
 */

import { requireWholeNumber, segment } from "./_validate.ts";
import { Resource } from "./resource.ts";
import type { CallOptions } from "../request_options.ts";
import type { ConcurrencyLimit } from "../../api/mod.ts";

/**
 * Concurrency limits on task-run tags. Reach it as `client.concurrencyLimits`.
 *
 * @example
 * ```ts
 * import type { Client } from "@runplane/client";
 *
 * async function example(client: Client) {
 *   const limit = await client.concurrencyLimits.update("db", 3);
 *   console.log(limit.active, "of", limit.limit);
 * }
 * ```
 */
export class ConcurrencyLimits extends Resource {
  /**
   * Reads a tag's limit and how much of it is in use.
   *
   * @param tag The tag.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The limit.
   * @throws {NotFoundError} When the tag has no limit.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const { active } = await client.concurrencyLimits.get("db");
   * }
   * ```
   */
  async get(tag: string, call?: CallOptions): Promise<ConcurrencyLimit> {
    return await this.client.request<ConcurrencyLimit>(
      "GET",
      `/concurrency-limits/${segment("tag", tag)}`,
      call,
    );
  }

  /**
   * Sets a tag's limit, creating it when needed; needs the admin role.
   *
   * @param tag The tag.
   * @param limit How many task runs with the tag may run at once: a whole
   * number of at least 0.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The limit.
   * @throws {InvalidArgumentError} When the tag or limit is invalid, before
   * any request.
   * @throws {PermissionDeniedError} When the caller is not a tenant admin.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   await client.concurrencyLimits.update("gpu", 1);
   * }
   * ```
   */
  async update(
    tag: string,
    limit: number,
    call?: CallOptions,
  ): Promise<ConcurrencyLimit> {
    const path = `/concurrency-limits/${segment("tag", tag)}`;
    requireWholeNumber("limit", limit, 0);
    return await this.client.request<ConcurrencyLimit>("PUT", path, {
      ...call,
      body: { limit },
    });
  }

  /**
   * Deletes a limit; needs the admin role.
   *
   * @param id The limit's id (not its tag).
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @throws {NotFoundError} When there is no such limit in the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const limit = await client.concurrencyLimits.get("gpu");
   *   await client.concurrencyLimits.delete(limit.id);
   * }
   * ```
   */
  async delete(id: string, call?: CallOptions): Promise<void> {
    await this.client.request(
      "DELETE",
      `/concurrency-limits/${segment("id", id)}`,
      call,
    );
  }
}

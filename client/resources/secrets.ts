/**
 * {@linkcode Secrets}: store, read, list and delete secret values.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { Listing } from "./listing.ts";
import { optionalPageSize, requireObject } from "./_validate.ts";
import type { ListOptions } from "./types.ts";
import { Resource } from "./resource.ts";
import type { CallOptions } from "../request_options.ts";
import { type Secret, SECRET_NAME_PATTERN } from "../../api/mod.ts";

function secretPath(name: unknown): string {
  if (typeof name !== "string" || !SECRET_NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(
      "Secret name must be 1 to 128 letters, digits, dots, dashes or underscores",
    );
  }
  return `/secrets/${encodeURIComponent(name)}`;
}

/**
 * Secrets of the current tenant, encrypted at rest by the server. Values
 * never appear in listings or errors. Reach it as `client.secrets`.
 *
 * @example
 * ```ts
 * import type { Client } from "@runplane/client";
 *
 * async function example(client: Client) {
 *   await client.secrets.set("db-password", "hunter2hunter2");
 *   const password = await client.secrets.get("db-password");
 * }
 * ```
 */
export class Secrets extends Resource {
  /**
   * Stores a secret value, replacing any earlier one.
   *
   * @param name The name: `^[A-Za-z0-9_.-]{1,128}$`.
   * @param value The value.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The secret's metadata, without the value.
   * @throws {InvalidArgumentError} When the name or value is invalid.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   await client.secrets.set("api-key", "sk_live_example");
   * }
   * ```
   */
  async set(name: string, value: string, call?: CallOptions): Promise<Secret> {
    const path = secretPath(name);
    if (typeof value !== "string") {
      throw new InvalidArgumentError("Secret value must be a string");
    }
    return await this.client.request<Secret>("PUT", path, {
      ...call,
      body: { value },
    });
  }

  /**
   * Reads a secret's value; needs the member role.
   *
   * @param name The secret's name.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The value.
   * @throws {NotFoundError} When there is no such secret in the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const value = await client.secrets.get("api-key");
   * }
   * ```
   */
  async get(name: string, call?: CallOptions): Promise<string> {
    const answer = await this.client.request<{ value: string }>(
      "GET",
      secretPath(name),
      call,
    );
    return answer.value;
  }

  /**
   * Lists the tenant's secrets by name, never their values: each item is a
   * secret's name and times. `await` it for the first page, walk every
   * secret with `for await`, or collect them with `toArray()`.
   *
   * @param options The page size.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The secrets' metadata, as a {@linkcode Listing}.
   * @throws {InvalidArgumentError} At once, when an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const names = (await client.secrets.list().toArray()).map((s) => s.name);
   * }
   * ```
   */
  list(options: ListOptions = {}, call?: CallOptions): Listing<Secret> {
    requireObject("options", options);
    return new Listing<Secret>(this.client, "/secrets", {
      query: { limit: optionalPageSize(options.limit) },
      call,
    });
  }

  /**
   * Deletes a secret.
   *
   * @param name The secret's name.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @throws {NotFoundError} When there is no such secret in the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   await client.secrets.delete("api-key");
   * }
   * ```
   */
  async delete(name: string, call?: CallOptions): Promise<void> {
    await this.client.request("DELETE", secretPath(name), call);
  }
}

/**
 * {@linkcode Secrets}: store, read, list and delete secret values.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { collect } from "./listing.ts";
import { Resource } from "./resource.ts";
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
  async set(name: string, value: string): Promise<Secret> {
    const path = secretPath(name);
    if (typeof value !== "string") {
      throw new InvalidArgumentError("Secret value must be a string");
    }
    return await this.client.request<Secret>("PUT", path, {
      body: { value },
    });
  }

  /**
   * Reads a secret's value; needs the member role.
   *
   * @param name The secret's name.
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
  async get(name: string): Promise<string> {
    const answer = await this.client.request<{ value: string }>(
      "GET",
      secretPath(name),
    );
    return answer.value;
  }

  /**
   * Lists the names of the tenant's secrets, never their values.
   *
   * @returns The names.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const names = await client.secrets.list();
   * }
   * ```
   */
  async list(): Promise<string[]> {
    const items = await collect<Secret>(this.client, "/secrets");
    return items.map((item) => item.name);
  }

  /**
   * Deletes a secret.
   *
   * @param name The secret's name.
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
  async delete(name: string): Promise<void> {
    await this.client.request("DELETE", secretPath(name));
  }
}

/**
 * {@linkcode ApiTokens}: create API tokens.
 *
 * @module
 */

import {
  optionalString,
  requireChoice,
  requireObject,
  requireString,
} from "./_validate.ts";
import type { ApiToken, ResourceClient } from "./types.ts";

/** What {@linkcode ApiTokens.create} needs. */
export interface CreateApiTokenOptions {
  /** A name for the token. */
  name: string;
  /** `"user"`: the user in any of its tenants; `"tenant"`: one tenant only. */
  scope: "user" | "tenant";
  /**
   * The user the token acts as.
   *
   * @default {the calling user}
   */
  username?: string;
  /** The tenant's slug, for a `"tenant"` token. */
  tenant?: string;
}

/**
 * API tokens. Reach it as `client.apiTokens`.
 *
 * @example
 * ```ts ignore
 * const { token } = await admin.apiTokens.create({ name: "ci", scope: "tenant", username: "ada", tenant: "acme" });
 * ```
 */
export class ApiTokens {
  #client: ResourceClient;

  /**
   * Wraps a client; reach the usual instance through the client's getter.
   *
   * @param client The client to send through.
   */
  constructor(client: ResourceClient) {
    this.#client = client;
  }

  /**
   * Creates an API token. The secret token is in the answer only: keep it.
   *
   * @param options The name, scope, and optionally the user and tenant.
   * @returns The token's id, name, scope and secret token.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {PermissionDeniedError} When the caller may not create it.
   *
   * @example
   * ```ts ignore
   * const { id, token } = await client.apiTokens.create({ name: "laptop", scope: "user" });
   * ```
   */
  async create(options: CreateApiTokenOptions): Promise<ApiToken> {
    requireObject("options", options);
    requireString("name", options.name);
    requireChoice("scope", options.scope, ["user", "tenant"] as const);
    optionalString("username", options.username);
    optionalString("tenant", options.tenant);
    return await this.#client.request<ApiToken>("POST", "/api-tokens", {
      body: {
        name: options.name,
        scope: options.scope,
        username: options.username,
        tenant: options.tenant,
      },
    });
  }
}

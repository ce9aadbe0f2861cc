/**
 * {@linkcode ApiTokens}: create, list and revoke API tokens.
 *
 * @module
 */

import { Listing } from "./listing.ts";
import {
  credentialQuery,
  optionalString,
  requireChoice,
  requireObject,
  requireString,
  requireTime,
  segment,
} from "./_validate.ts";
import type { ListCredentialsOptions } from "./types.ts";
import { Resource } from "./resource.ts";
import type { CallOptions } from "../request_options.ts";
import type { ApiToken, ApiTokenInfo } from "../../api/mod.ts";

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
  /**
   * When the token stops working (a `Date` or an ISO-8601 time in the
   * future); the server rejects it from then on.
   *
   * @default {never}
   */
  expiresAt?: Date | string;
}

/**
 * API tokens. Reach it as `client.apiTokens`.
 *
 * Who may list and revoke a token: the system admin any; a user its own; a
 * tenant admin the tenant-scoped tokens of its tenant. A credential bound to
 * a tenant reaches only that tenant's tokens.
 *
 * @example
 * ```ts
 * import type { Client } from "@runplane/client";
 *
 * async function example(admin: Client) {
 *   const { token } = await admin.apiTokens.create({ name: "ci", scope: "tenant", username: "ada", tenant: "acme" });
 * }
 * ```
 */
export class ApiTokens extends Resource {
  /**
   * Creates an API token. The secret token is in the answer only: keep it.
   *
   * @param options The name, scope, and optionally the user and tenant.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The token's id, name, scope and secret token.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {PermissionDeniedError} When the caller may not create it.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const { id, token } = await client.apiTokens.create({ name: "laptop", scope: "user" });
   * }
   * ```
   */
  async create(
    options: CreateApiTokenOptions,
    call?: CallOptions,
  ): Promise<ApiToken> {
    requireObject("options", options);
    requireString("name", options.name);
    requireChoice("scope", options.scope, ["user", "tenant"] as const);
    optionalString("username", options.username);
    optionalString("tenant", options.tenant);
    const expiresAt = options.expiresAt === undefined
      ? undefined
      : requireTime("expiresAt", options.expiresAt);
    return await this.client.request<ApiToken>("POST", "/api-tokens", {
      ...call,
      body: {
        name: options.name,
        scope: options.scope,
        username: options.username,
        tenant: options.tenant,
        expiresAt,
      },
    });
  }

  /**
   * Lists the API tokens the caller may manage, newest first, never the
   * secret tokens. Pages by itself.
   *
   * @param options Only one tenant's or one user's, and the page size.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The tokens, as an async iterable.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {NotFoundError} For a tenant the caller cannot use.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   for await (const token of client.apiTokens.list({ tenant: "acme" })) console.log(token.name);
   * }
   * ```
   */
  list(
    options: ListCredentialsOptions = {},
    call?: CallOptions,
  ): Listing<ApiTokenInfo> {
    return new Listing<ApiTokenInfo>(this.client, "/api-tokens", {
      query: credentialQuery(options),
      call,
    });
  }

  /**
   * Revokes an API token: it stops working at once.
   *
   * @param id The token's id, from {@linkcode ApiTokens.create} or {@linkcode ApiTokens.list}.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @throws {NotFoundError} When there is no such token the caller may manage.
   *
   * @example
   * ```ts
   * import type { ApiTokenInfo, Client } from "@runplane/client";
   *
   * async function example(client: Client, token: ApiTokenInfo) {
   *   await client.apiTokens.revoke(token.id);
   * }
   * ```
   */
  async revoke(id: string, call?: CallOptions): Promise<void> {
    await this.client.request(
      "DELETE",
      `/api-tokens/${segment("id", id)}`,
      call,
    );
  }
}

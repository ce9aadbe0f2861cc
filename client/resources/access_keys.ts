/**
 * {@linkcode AccessKeys}: create, list and revoke keypairs for HMAC request
 * signing.
 *
 * @module
 */

import { Listing } from "./listing.ts";
import {
  credentialQuery,
  requireObject,
  requireString,
  segment,
} from "./_validate.ts";
import type { ListCredentialsOptions } from "./types.ts";
import { Resource } from "./resource.ts";
import type { CallOptions } from "../request_options.ts";
import type { AccessKey, AccessKeyInfo } from "../../api/mod.ts";

/** What {@linkcode AccessKeys.create} needs. */
export interface CreateAccessKeyOptions {
  /** The user the keypair acts as. */
  username: string;
  /** The tenant's slug. */
  tenant: string;
}

/**
 * Keypairs. Reach it as `client.accessKeys`.
 *
 * Who may list and revoke a keypair: the system admin any; a user its own;
 * a tenant admin those of its tenant. A credential bound to a tenant reaches
 * only that tenant's keypairs.
 *
 * @example
 * ```ts
 * import { Client, Credentials } from "@runplane/client";
 *
 * async function example(admin: Client) {
 *   const { accessKey, secretKey } = await admin.accessKeys.create({ username: "ada", tenant: "acme" });
 *   const ada = new Client({ credentials: new Credentials({ accessKey, secretKey }) });
 * }
 * ```
 */
export class AccessKeys extends Resource {
  /**
   * Creates a keypair bound to one user in one tenant. The secret key is in
   * the answer only: keep it.
   *
   * @param options The username and tenant slug.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The access key and secret key.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {PermissionDeniedError} When the caller is not an admin of the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(admin: Client) {
   *   const keypair = await admin.accessKeys.create({ username: "ada", tenant: "acme" });
   * }
   * ```
   */
  async create(
    options: CreateAccessKeyOptions,
    call?: CallOptions,
  ): Promise<AccessKey> {
    requireObject("options", options);
    requireString("username", options.username);
    requireString("tenant", options.tenant);
    return await this.client.request<AccessKey>("POST", "/access-keys", {
      ...call,
      body: { username: options.username, tenant: options.tenant },
    });
  }

  /**
   * Lists the keypairs the caller may manage, newest first, never the secret
   * keys. Pages by itself.
   *
   * @param options Only one tenant's or one user's, and the page size.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The keypairs, as an async iterable.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {NotFoundError} For a tenant the caller cannot use.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(admin: Client) {
   *   const keys = await admin.accessKeys.list({ username: "ada" }).toArray();
   * }
   * ```
   */
  list(
    options: ListCredentialsOptions = {},
    call?: CallOptions,
  ): Listing<AccessKeyInfo> {
    return new Listing<AccessKeyInfo>(this.client, "/access-keys", {
      query: credentialQuery(options),
      call,
    });
  }

  /**
   * Revokes a keypair: requests signed with it are refused at once.
   *
   * @param accessKey The public access key id.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @throws {NotFoundError} When there is no such keypair the caller may manage.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(admin: Client) {
   *   await admin.accessKeys.revoke("RPAKABCDEFGHIJKLMNOPQRST");
   * }
   * ```
   */
  async revoke(accessKey: string, call?: CallOptions): Promise<void> {
    await this.client.request(
      "DELETE",
      `/access-keys/${segment("accessKey", accessKey)}`,
      call,
    );
  }
}

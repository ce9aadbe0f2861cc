/**
 * {@linkcode AccessKeys}: create keypairs for HMAC request signing.
 *
 * @module
 */

import { requireObject, requireString } from "./_validate.ts";
import type { AccessKey, ResourceClient } from "./types.ts";

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
 * @example
 * ```ts ignore
 * import { Client, Credentials } from "@runplane/client";
 *
 * const { accessKey, secretKey } = await admin.accessKeys.create({ username: "ada", tenant: "acme" });
 * const ada = new Client({ credentials: new Credentials({ accessKey, secretKey }) });
 * ```
 */
export class AccessKeys {
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
   * Creates a keypair bound to one user in one tenant. The secret key is in
   * the answer only: keep it.
   *
   * @param options The username and tenant slug.
   * @returns The access key and secret key.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {PermissionDeniedError} When the caller is not an admin of the tenant.
   *
   * @example
   * ```ts ignore
   * const keypair = await admin.accessKeys.create({ username: "ada", tenant: "acme" });
   * ```
   */
  async create(options: CreateAccessKeyOptions): Promise<AccessKey> {
    requireObject("options", options);
    requireString("username", options.username);
    requireString("tenant", options.tenant);
    return await this.#client.request<AccessKey>("POST", "/access-keys", {
      body: { username: options.username, tenant: options.tenant },
    });
  }
}

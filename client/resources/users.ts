/**
 * {@linkcode Users}: create users and memberships.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { requireChoice, requireObject, requireString } from "./_validate.ts";
import type { ResourceClient, Role, User } from "./types.ts";

/** What {@linkcode Users.create} needs. */
export interface CreateUserOptions {
  /** The user's name. */
  username: string;
  /** The password, 8 characters or more; it must match for an existing user. */
  password: string;
  /** The tenant's slug. */
  tenant: string;
  /** The user's role in the tenant. */
  role: Role;
}

const ROLES: readonly Role[] = ["viewer", "member", "admin"];

/**
 * Users and their tenant memberships. Reach it as `client.users`.
 *
 * @example
 * ```ts ignore
 * await admin.users.create({ username: "ada", password: "correct horse", tenant: "acme", role: "member" });
 * ```
 */
export class Users {
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
   * Creates a user with a role in a tenant, or adds or changes the role of an
   * existing user (whose password must then match).
   *
   * @param options The username, password, tenant slug and role.
   * @returns The membership.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {ConflictError} When the user exists with another password.
   *
   * @example
   * ```ts ignore
   * const user = await admin.users.create({ username: "ada", password: "correct horse", tenant: "acme", role: "viewer" });
   * ```
   */
  async create(options: CreateUserOptions): Promise<User> {
    requireObject("options", options);
    requireString("username", options.username);
    if (typeof options.password !== "string" || options.password.length < 8) {
      throw new InvalidArgumentError(
        "password must be a string of at least 8 characters",
      );
    }
    requireString("tenant", options.tenant);
    requireChoice("role", options.role, ROLES);
    return await this.#client.request<User>("POST", "/users", {
      body: {
        username: options.username,
        password: options.password,
        tenant: options.tenant,
        role: options.role,
      },
    });
  }
}

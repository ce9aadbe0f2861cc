/**
 * {@linkcode Users}: create users, change passwords, add and remove
 * memberships.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import {
  optionalString,
  requireChoice,
  requireObject,
  requireString,
  segment,
} from "./_validate.ts";
import { Resource } from "./resource.ts";
import type { CallOptions } from "../request_options.ts";
import type { Me, Role, User } from "../../api/mod.ts";

/** What {@linkcode Users.create} needs. */
export interface CreateUserOptions {
  /** The new user's name; a taken one is a conflict. */
  username: string;
  /** The password, 8 characters or more. */
  password: string;
  /** The tenant's slug. */
  tenant: string;
  /** The user's role in the tenant. */
  role: Role;
}

/** What {@linkcode Users.addMembership} needs. */
export interface AddMembershipOptions {
  /** An existing user's name. */
  username: string;
  /** The tenant's slug. */
  tenant: string;
  /** The user's role in the tenant. */
  role: Role;
}

/** What {@linkcode Users.removeMembership} needs. */
export interface RemoveMembershipOptions {
  /** The user's name. */
  username: string;
  /** The tenant's slug. */
  tenant: string;
}

/** What {@linkcode Users.setPassword} needs. */
export interface SetPasswordOptions {
  /** The new password, 8 characters or more. */
  password: string;
  /**
   * The current password: required when users change their own, and not
   * used when an admin sets another user's.
   */
  currentPassword?: string;
}

const ROLES: readonly Role[] = ["viewer", "member", "admin"];

function requirePassword(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length < 8) {
    throw new InvalidArgumentError(
      `${name} must be a string of at least 8 characters`,
    );
  }
  return value;
}

/**
 * Users and their tenant memberships. Reach it as `client.users`.
 *
 * @example
 * ```ts
 * import type { Client } from "@runplane/client";
 *
 * async function example(admin: Client) {
 *   await admin.users.create({ username: "ada", password: "correct horse", tenant: "acme", role: "member" });
 * }
 * ```
 */
export class Users extends Resource {
  /**
   * Who the client's credential acts as: the user, the tenant and role of
   * the client's tenant, and the API token's id when it is one.
   *
   * @returns The caller, as `GET /me` answers.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const me = await client.users.me();
   *   console.log(me.username, me.tenant?.slug, me.role);
   * }
   * ```
   */
  async me(): Promise<Me> {
    return await this.client.request<Me>("GET", "/me");
  }

  /**
   * Creates a user with a role in a tenant. To give an existing user a role
   * in a tenant, use {@linkcode Users.addMembership}.
   *
   * @param options The username, password, tenant slug and role.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The membership.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {ConflictError} When the username is taken.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(admin: Client) {
   *   const user = await admin.users.create({ username: "ada", password: "correct horse", tenant: "acme", role: "viewer" });
   * }
   * ```
   */
  async create(options: CreateUserOptions, call?: CallOptions): Promise<User> {
    requireObject("options", options);
    requireString("username", options.username);
    requirePassword("password", options.password);
    requireString("tenant", options.tenant);
    requireChoice("role", options.role, ROLES);
    return await this.client.request<User>("POST", "/users", {
      ...call,
      body: {
        username: options.username,
        password: options.password,
        tenant: options.tenant,
        role: options.role,
      },
    });
  }

  /**
   * Adds an existing user to a tenant, or changes its role there. Needs an
   * admin of the tenant; the user's password is neither needed nor checked.
   *
   * @param options The username, tenant slug and role.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The membership.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {NotFoundError} When there is no such user.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(admin: Client) {
   *   await admin.users.addMembership({ username: "ada", tenant: "globex", role: "viewer" });
   * }
   * ```
   */
  async addMembership(
    options: AddMembershipOptions,
    call?: CallOptions,
  ): Promise<User> {
    requireObject("options", options);
    requireString("username", options.username);
    requireString("tenant", options.tenant);
    requireChoice("role", options.role, ROLES);
    return await this.client.request<User>("POST", "/users", {
      ...call,
      body: {
        username: options.username,
        tenant: options.tenant,
        role: options.role,
      },
    });
  }

  /**
   * Removes a user from a tenant, revoking the credentials bound to that
   * membership: the user's tenant API tokens, keypairs and tenant logins
   * there. Needs an admin of the tenant.
   *
   * @param options The username and tenant slug.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {NotFoundError} When the user is not a member of the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(admin: Client) {
   *   await admin.users.removeMembership({ username: "ada", tenant: "acme" });
   * }
   * ```
   */
  async removeMembership(
    options: RemoveMembershipOptions,
    call?: CallOptions,
  ): Promise<void> {
    requireObject("options", options);
    await this.client.request(
      "DELETE",
      `/users/${segment("username", options.username)}/memberships/${
        segment("tenant", options.tenant)
      }`,
      call,
    );
  }

  /**
   * Sets a user's password, and ends its logins at once: sessions (cookies)
   * and tenant access and refresh tokens. API tokens and keypairs stay; list
   * and revoke them apart. Users change their own with the current password;
   * an admin of every tenant of the user, or the system admin, sets anyone's.
   *
   * @param username The user's name.
   * @param options The new password, and the current one for your own.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {PermissionDeniedError} When the current password is wrong, or
   * the caller is not an admin of every tenant of the user.
   * @throws {NotFoundError} When there is no such user the caller can see.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   await client.users.setPassword("ada", { currentPassword: "correct horse", password: "battery staple" });
   * }
   * ```
   */
  async setPassword(
    username: string,
    options: SetPasswordOptions,
    call?: CallOptions,
  ): Promise<void> {
    const path = `/users/${segment("username", username)}/password`;
    requireObject("options", options);
    requirePassword("password", options.password);
    optionalString("currentPassword", options.currentPassword);
    await this.client.request("PUT", path, {
      ...call,
      body: {
        password: options.password,
        currentPassword: options.currentPassword,
      },
    });
  }
}

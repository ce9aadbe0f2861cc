/**
 * {@linkcode TenantLogin}: which authenticator a client's requests use, its
 * own credentials' or, after a login to one tenant, a refreshing tenant
 * access token; and the login and logout that switch between them.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { Tenant } from "../api/mod.ts";
import type { Authenticator, AuthPost } from "./authenticator.ts";
import { type TokenGrant, TokenRefresher } from "./token_refresher.ts";

/** Which tenant to log in to: by slug or by id. */
export type TenantRef = { slug: string } | { id: string };

/** Sends a `POST` through the client's request pipeline as `auth`. */
export type PostAs = (
  path: string,
  options: { body: unknown; signal?: AbortSignal; maxRetries?: number },
  auth: Authenticator,
) => Promise<unknown>;

/** The authenticator in use, and the tenant login that replaced it. */
export class TenantLogin {
  /** The authenticator of the client's own credentials. */
  readonly own: Authenticator;
  #current: Authenticator;
  #tenant: Tenant | undefined;
  #postAs: PostAs;
  #post: AuthPost;

  /**
   * @param own The authenticator of the client's own credentials.
   * @param postAs Sends API calls through the client (with its retries).
   * @param post Sends the token refresher's unauthenticated `POST`s.
   */
  constructor(own: Authenticator, postAs: PostAs, post: AuthPost) {
    this.own = own;
    this.#current = own;
    this.#postAs = postAs;
    this.#post = post;
  }

  /** The authenticator requests use now. */
  get current(): Authenticator {
    return this.#current;
  }

  /** The tenant of the current tenant login, if any. */
  get tenant(): Tenant | undefined {
    return this.#tenant;
  }

  /**
   * Logs in to `tenant` with the client's own credentials, then revokes the
   * previous tenant login's tokens, if any.
   *
   * @param tenant The tenant, by slug or id.
   * @param signal Cancels the login.
   * @returns The tenant.
   */
  async login(tenant: TenantRef, signal?: AbortSignal): Promise<Tenant> {
    if (
      typeof tenant !== "object" || tenant === null ||
      !(typeof (tenant as { slug?: unknown }).slug === "string" ||
        typeof (tenant as { id?: unknown }).id === "string")
    ) {
      throw new InvalidArgumentError(
        "loginToTenant needs { slug } or { id } of a tenant",
      );
    }
    // Always the user's own credentials: a tenant access token cannot buy
    // a login to another tenant.
    const grant = await this.#postAs(
      "/auth/tenant-login",
      { body: tenant, signal },
      this.own,
    ) as TokenGrant & { tenant: Tenant };
    const previous = this.#current;
    this.#current = new TokenRefresher(grant, this.#post);
    this.#tenant = grant.tenant;
    if (previous instanceof TokenRefresher) {
      // The old tenant's tokens are of no more use: revoke them, quietly.
      await this.#postAs("/auth/tenant-logout", {
        body: { refreshToken: previous.refreshToken },
        maxRetries: 0,
      }, previous).catch(() => {});
    }
    return grant.tenant;
  }

  /** Revokes the tenant login's tokens and goes back to the own credentials. */
  async logout(): Promise<void> {
    const auth = this.#current;
    if (!(auth instanceof TokenRefresher)) return;
    try {
      await this.#postAs("/auth/tenant-logout", {
        body: { refreshToken: auth.refreshToken },
      }, auth);
    } finally {
      this.#current = this.own;
      this.#tenant = undefined;
    }
  }
}

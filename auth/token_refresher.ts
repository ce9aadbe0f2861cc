/**
 * Access tokens that renew themselves. The server hands out a short-lived
 * access token with its expiry and a refresh token; before a request, a token
 * that expires within 30 seconds is refreshed first (`POST /auth/refresh`).
 * Concurrent callers share one refresh, so a thousand requests at expiry make
 * exactly one refresh call.
 *
 * @example
 * ```ts ignore
 * import { TokenRefresher } from "./token_refresher.ts";
 *
 * const auth = new TokenRefresher({ accessToken, refreshToken, expiresAt }, post);
 * const token = await auth.token();
 * ```
 *
 * @module
 */

import { AuthenticationError } from "../errors.ts";
import { checkHeaderValue } from "../transport/_headers.ts";
import type { Authenticator, AuthPost } from "./authenticator.ts";
import type { OutgoingRequest } from "../transport/transport.ts";

/** An access token, when it expires, and the token that renews it. */
export interface TokenGrant {
  /** The bearer token. */
  accessToken: string;
  /** The single-use token that buys the next grant. */
  refreshToken: string;
  /** When the access token expires (ISO time or epoch milliseconds). */
  expiresAt: string | number | Date;
}

/** Refresh when the access token has less than this left. */
export const REFRESH_MARGIN_MS = 30_000;

/** Sends a refreshing access token with every request. */
export class TokenRefresher implements Authenticator {
  #accessToken = "";
  #refreshToken = "";
  #expiresAt = 0;
  #post: AuthPost;
  #refreshing: Promise<string> | undefined;

  /**
   * @param grant The first grant.
   * @param post Sends requests without credentials.
   */
  constructor(grant: TokenGrant, post: AuthPost) {
    this.#post = post;
    this.#accept(grant);
  }

  /** The access token, refreshed first when it expires within 30 seconds. */
  token(): Promise<string> {
    if (this.#expiresAt - Date.now() > REFRESH_MARGIN_MS) {
      return Promise.resolve(this.#accessToken);
    }
    return this.#refreshOnce();
  }

  /** Sets `Authorization: Bearer <access token>`. */
  async authorize(request: OutgoingRequest): Promise<string> {
    const token = await this.token();
    request.headers.authorization = `Bearer ${token}`;
    return token;
  }

  /** After a 401: refreshes, unless another call already replaced the token. */
  async recover(used: unknown): Promise<boolean> {
    if (used === this.#accessToken) await this.#refreshOnce();
    return true;
  }

  /** The refresh token, for logging out. */
  get refreshToken(): string {
    return this.#refreshToken;
  }

  #refreshOnce(): Promise<string> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<string> {
    const { body } = await this.#post("/auth/refresh", {
      body: { refreshToken: this.#refreshToken },
    });
    this.#accept(body as TokenGrant);
    return this.#accessToken;
  }

  #accept(grant: TokenGrant): void {
    const expiresAt = new Date(grant?.expiresAt).getTime();
    if (
      typeof grant?.accessToken !== "string" ||
      typeof grant.refreshToken !== "string" || Number.isNaN(expiresAt)
    ) {
      throw new AuthenticationError({
        status: 401,
        method: "POST",
        url: "/auth",
        message:
          "The server's token grant is malformed: it needs accessToken, refreshToken and expiresAt",
      });
    }
    checkHeaderValue(
      "Authorization",
      grant.accessToken,
      "the server's access token",
    );
    this.#accessToken = grant.accessToken;
    this.#refreshToken = grant.refreshToken;
    this.#expiresAt = expiresAt;
  }
}

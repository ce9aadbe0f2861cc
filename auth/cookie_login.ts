/**
 * The cookie login for username and password credentials on `"session"`
 * endpoints. The first request logs in (`POST /auth/login`); the cookie is
 * kept in memory by this one authenticator, so it is never on disk and never
 * shared between clients. A 401 on an expired cookie logs in again, once,
 * and concurrent requests share that one login.
 *
 * @example
 * ```ts ignore
 * import { CookieLoginAuthenticator } from "./cookie_login.ts";
 *
 * const auth = new CookieLoginAuthenticator("alice", "pw", post);
 * await auth.logout();
 * ```
 *
 * @module
 */

import { AuthenticationError } from "../errors.ts";
import type { Authenticator, AuthPost } from "./authenticator.ts";
import type { OutgoingRequest } from "../transport/transport.ts";

/** Logs in for a cookie and sends it with every request. */
export class CookieLoginAuthenticator implements Authenticator {
  #username: string;
  #password: string;
  #post: AuthPost;
  #cookie: string | undefined;
  #login: Promise<string> | undefined;

  /**
   * @param username The user's name.
   * @param password The user's password; sent only to the login route.
   * @param post Sends requests without credentials.
   */
  constructor(username: string, password: string, post: AuthPost) {
    this.#username = username;
    this.#password = password;
    this.#post = post;
  }

  /** Logs in first when there is no cookie, then sets `Cookie`. */
  async authorize(request: OutgoingRequest): Promise<string> {
    const cookie = this.#cookie ?? await this.#loginOnce();
    request.headers.cookie = cookie;
    return cookie;
  }

  /** After a 401: drops the cookie the request used and logs in again. */
  async recover(used: unknown): Promise<boolean> {
    if (this.#cookie === used) this.#cookie = undefined;
    await (this.#cookie ?? this.#loginOnce());
    return true;
  }

  /** Ends the cookie login on the server and forgets the cookie. */
  async logout(): Promise<void> {
    const cookie = this.#cookie;
    this.#cookie = undefined;
    if (cookie !== undefined) {
      await this.#post("/auth/logout", { headers: { cookie } });
    }
  }

  #loginOnce(): Promise<string> {
    this.#login ??= this.#logIn().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  async #logIn(): Promise<string> {
    const { headers } = await this.#post("/auth/login", {
      body: { username: this.#username, password: this.#password },
    });
    const cookie = headers.getSetCookie()
      .map((line) => line.split(";", 1)[0].trim())
      .filter((pair) => pair.includes("="))
      .join("; ");
    if (cookie === "") {
      throw new AuthenticationError({
        status: 401,
        method: "POST",
        url: "/api/v1/auth/login",
        message:
          "POST /api/v1/auth/login answered without a session cookie: the server sent no Set-Cookie; check that the endpoint is a session endpoint",
      });
    }
    this.#cookie = cookie;
    return cookie;
  }
}

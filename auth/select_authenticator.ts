/**
 * {@linkcode selectAuthenticator}: the authenticator that fits a set of
 * credentials, so the client never branches on the auth mode itself.
 *
 * @example
 * ```ts
 * import { Credentials } from "./credentials.ts";
 * import { selectAuthenticator } from "./select_authenticator.ts";
 *
 * const auth = selectAuthenticator(new Credentials({ token: "rp_example" }), {
 *   hashType: "sha256",
 *   cookieLogin: false,
 *   post: () => Promise.reject(new Error("no login for a token")),
 * });
 * const headers: Record<string, string> = {};
 * auth.authorize({ method: "GET", url: "http://127.0.0.1:4200/", headers });
 * console.assert(headers.authorization === "Bearer rp_example");
 * ```
 *
 * @module
 */

import {
  type Authenticator,
  type AuthPost,
  StaticAuthenticator,
} from "./authenticator.ts";
import { type Credentials, credentialSecrets } from "./credentials.ts";
import type { HashType } from "./hmac.ts";
import { HmacAuthenticator } from "./hmac_authenticator.ts";
import { CookieLoginAuthenticator } from "./cookie_login.ts";

/** How {@linkcode selectAuthenticator} sets up the modes that need it. */
export interface SelectAuthenticatorOptions {
  /** The hash that HMAC keypairs sign with. */
  hashType: HashType;
  /**
   * Username and password log in once for a cookie (`endpointType:
   * "session"`) instead of sending HTTP Basic with every request.
   */
  cookieLogin: boolean;
  /** Sends the cookie login's `POST`. */
  post: AuthPost;
}

/**
 * The authenticator for `credentials`: a bearer token, an HMAC signature,
 * a cookie login, or HTTP Basic.
 *
 * @param credentials Resolved credentials (not `{ useEnv: true }`).
 * @param options The hash type, whether to log in for a cookie, and how.
 * @returns The authenticator.
 */
export function selectAuthenticator(
  credentials: Credentials,
  options: SelectAuthenticatorOptions,
): Authenticator {
  const secret = credentialSecrets(credentials);
  switch (credentials.mode) {
    case "token":
      return StaticAuthenticator.bearer(secret.token!);
    case "keypair":
      return new HmacAuthenticator({
        accessKey: credentials.accessKey!,
        secretKey: secret.secretKey!,
      }, options.hashType);
    default:
      return options.cookieLogin
        ? new CookieLoginAuthenticator(
          credentials.username!,
          secret.password!,
          options.post,
        )
        : StaticAuthenticator.basic(credentials.username!, secret.password!);
  }
}

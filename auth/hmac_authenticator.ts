/**
 * Signs every attempt of every request with a keypair, using the scheme of
 * `hmac.ts`. Derived keys are cached per day and host, so a request costs one
 * body digest and one HMAC, both synchronous.
 *
 * @example
 * ```ts
 * import { HmacAuthenticator } from "./hmac_authenticator.ts";
 *
 * const auth = new HmacAuthenticator({ accessKey: "AK1", secretKey: "s3cret" }, "sha256");
 * const headers: Record<string, string> = {};
 * auth.authorize({ method: "GET", url: "http://127.0.0.1:4200/api/v1/projects", headers });
 * console.assert(headers.authorization.includes(", Nonce="));
 * ```
 *
 * @module
 */

import type { Authenticator } from "./authenticator.ts";
import type { OutgoingRequest } from "../transport/transport.ts";
import {
  type HashType,
  type SigningKey,
  SigningKeyCache,
  signRequestSync,
} from "./hmac_sign.ts";

/** Signs requests with one keypair. */
export class HmacAuthenticator implements Authenticator {
  #key: SigningKey;
  #hashType: HashType;
  #cache = new SigningKeyCache();

  /**
   * @param key The access key and secret key.
   * @param hashType The hash of the scheme.
   */
  constructor(key: SigningKey, hashType: HashType) {
    this.#key = key;
    this.#hashType = hashType;
  }

  /**
   * Sets `Authorization`, which carries the date and nonce too, at once:
   * signing is synchronous, so a signed request costs no extra async hop.
   */
  authorize(request: OutgoingRequest): void {
    request.headers.authorization = signRequestSync(request, this.#key, {
      hashType: this.#hashType,
      cache: this.#cache,
    }).headers.authorization;
  }
}

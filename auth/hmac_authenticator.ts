/**
 * Signs every attempt of every request with a keypair, using the scheme of
 * `hmac.ts`. Derived keys are cached per day and host, so a request costs one
 * body digest and one HMAC, both synchronous. The signing code (SHA-2, the
 * string to sign) is loaded by the first request, not with the client: most
 * programs that import the client sign nothing, and each module adds to
 * every cold start.
 *
 * @example
 * ```ts
 * import { HmacAuthenticator } from "./hmac_authenticator.ts";
 *
 * const auth = new HmacAuthenticator({ accessKey: "AK1", secretKey: "s3cret" }, "sha256");
 * const headers: Record<string, string> = {};
 * await auth.authorize({ method: "GET", url: "http://127.0.0.1:4200/api/v1/projects", headers });
 * console.assert(headers.authorization.includes(", Nonce="));
 * ```
 *
 * @module
 */

import type { Authenticator } from "./authenticator.ts";
import type { OutgoingRequest } from "../transport/transport.ts";
import type { HashType, SigningKey, SigningKeyCache } from "./hmac_sign.ts";

type Signing = typeof import("./hmac_sign.ts");

let signing: Signing | undefined;
let loading: Promise<Signing> | undefined;

/** Loads the signing code once per process. */
function loadSigning(): Promise<Signing> {
  loading ??= import("./hmac_sign.ts").then((module) => signing = module);
  return loading;
}

/** Signs requests with one keypair. */
export class HmacAuthenticator implements Authenticator {
  #key: SigningKey;
  #hashType: HashType;
  #cache: SigningKeyCache | undefined;

  /**
   * @param key The access key and secret key.
   * @param hashType The hash of the scheme.
   */
  constructor(key: SigningKey, hashType: HashType) {
    this.#key = key;
    this.#hashType = hashType;
  }

  /**
   * Sets `Authorization`, which carries the date and nonce too. Signing is
   * synchronous: only the process's first signed request waits, for the
   * signing code to load.
   */
  authorize(request: OutgoingRequest): void | Promise<void> {
    if (signing === undefined) {
      return loadSigning().then(() => this.authorize(request) as void);
    }
    this.#cache ??= new signing.SigningKeyCache();
    request.headers.authorization = signing.signRequestSync(
      request,
      this.#key,
      { hashType: this.#hashType, cache: this.#cache },
    ).headers.authorization;
  }
}

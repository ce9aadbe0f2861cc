/**
 * HMAC request signing for keypair credentials. The scheme signs the method,
 * the path with its query, a date, a single-use nonce, the host, the content
 * type and a digest of the body, with a key derived per day and per host.
 *
 * String to sign, lines joined by `\n`:
 *
 * ```text
 * POST
 * /api/v1/flow-runs?x=1
 * 2026-11-22T14:43:04Z
 * 6f1c2a9e-0d0e-4a57-9b8c-1b5e4f3f7c11
 * host:127.0.0.1:4200
 * content-type:application/json
 * <hex digest of the body>
 * ```
 *
 * Signing key: `HMAC(HMAC(secretKey, "YYYYMMDD"), host)`; signature: hex
 * `HMAC(key, stringToSign)`; all with the same hash. The request carries one
 * header, with the date and the nonce that were signed:
 *
 * ```text
 * Authorization: RUNPLANE-HMAC-SHA256 Credential=<accessKey>, Date=2026-11-22T14:43:04Z, Nonce=<nonce>, Signature=<hex>
 * ```
 *
 * The parameters come in this order, each once, after `, `; the signature is
 * lower-case hex of the hash's length. An access key or nonce is 1 to 128
 * visible ASCII characters without a comma. A header in any other form is
 * refused as malformed.
 *
 * @example Sign, then verify
 * ```ts
 * import { signRequest, verifySignature } from "./hmac.ts";
 *
 * const key = { accessKey: "AK1", secretKey: "s3cret" };
 * const request = { method: "GET", url: "http://127.0.0.1:4200/api/v1/projects" };
 * const signed = await signRequest(request, key);
 * const headers = new Headers(signed.headers);
 * const result = await verifySignature({ ...request, headers }, { secretKey: key.secretKey });
 * console.assert(result.ok);
 * ```
 *
 * Every hash and HMAC is computed synchronously by `sha2.ts` (no Web Crypto
 * round trip per request); the promise-returning functions are kept for
 * callers that await them, and the `...Sync` ones are what the client and
 * the reference server call.
 *
 * @module
 */

export {
  buildStringToSign,
  formatSigningDate,
  type HashType,
  type SignableRequest,
  type SignedRequest,
  type SigningKey,
  SigningKeyCache,
  signRequest,
  type SignRequestOptions,
  signRequestSync,
} from "./hmac_sign.ts";
export {
  type HmacAuthorization,
  parseHmacAuthorization,
  type SignatureFailure,
  timingSafeEqual,
  type VerifyResult,
  verifySignature,
  type VerifySignatureOptions,
  verifySignatureSync,
} from "./hmac_verify.ts";

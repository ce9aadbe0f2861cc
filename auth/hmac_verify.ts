/**
 * The verification half of the HMAC scheme that `hmac.ts` describes: parsing
 * the `Authorization` header, checking the date window and the signature in
 * constant time. The reference server calls it, with the same hashing code
 * the client signs with.
 *
 * @module
 */

import {
  type HashType,
  headerValue,
  linesSignature,
  PARAMETER_VALUE,
  type SignableRequest,
  signedLines,
  signingKey,
  type SigningKeyCache,
} from "./hmac_sign.ts";
import { urlParts } from "./url_parts.ts";

/** A parsed `RUNPLANE-HMAC-*` authorization header. */
export interface HmacAuthorization {
  /** The hash the client used. */
  hashType: HashType;
  /** The access key id. */
  accessKey: string;
  /** The signing time as sent, for example `2026-11-22T14:43:04Z`. */
  date: string;
  /** The single-use nonce. */
  nonce: string;
  /** The hex signature: as long as the hash's digest. */
  signature: string;
}

/**
 * The whole header, anchored, in one order, one space after each comma.
 * Linear on any input: no two neighbouring parts can match the same
 * character (a value never holds a comma or a space), so a failed match
 * gives back each character at most once; the server's header size limit
 * bounds the input anyway.
 */
const AUTHORIZATION_PATTERN = new RegExp(
  "^RUNPLANE-HMAC-(SHA256|SHA384|SHA512) " +
    `Credential=(${PARAMETER_VALUE}), ` +
    "Date=(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z), " +
    `Nonce=(${PARAMETER_VALUE}), ` +
    "Signature=([0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$",
);

/** The hex digits of each hash's signature. */
const SIGNATURE_LENGTHS: Readonly<Record<HashType, number>> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/**
 * Parses an `Authorization` header of the scheme:
 * `RUNPLANE-HMAC-SHA256 Credential=<accessKey>, Date=<date>, Nonce=<nonce>, Signature=<hex>`,
 * exactly so (the parameters in this order, each once).
 *
 * @param header The header value.
 * @returns The parts, or `undefined` when the header is not of the scheme, a
 * parameter is missing, repeated or out of order, the date is not of the form
 * `YYYY-MM-DDTHH:MM:SSZ`, or the signature is not the hash's length in
 * lower-case hex.
 *
 * @example
 * ```ts
 * import { parseHmacAuthorization } from "./hmac.ts";
 *
 * const parsed = parseHmacAuthorization(
 *   `RUNPLANE-HMAC-SHA256 Credential=AK1, Date=2026-11-22T14:43:04Z, Nonce=n1, Signature=${"0f".repeat(32)}`,
 * );
 * console.assert(parsed?.accessKey === "AK1" && parsed.nonce === "n1");
 * ```
 */
export function parseHmacAuthorization(
  header: string,
): HmacAuthorization | undefined {
  const match = AUTHORIZATION_PATTERN.exec(header);
  if (!match) return undefined;
  const hashType = match[1].toLowerCase() as HashType;
  if (match[5].length !== SIGNATURE_LENGTHS[hashType]) return undefined;
  return {
    hashType,
    accessKey: match[2],
    date: match[3],
    nonce: match[4],
    signature: match[5],
  };
}

/** Why a signature was rejected. */
export type SignatureFailure =
  | "malformed"
  | "stale-date"
  | "bad-signature";

/** The outcome of {@linkcode verifySignature}. */
export type VerifyResult =
  | { ok: true; accessKey: string; nonce: string; date: Date }
  | { ok: false; reason: SignatureFailure };

/** Options for {@linkcode verifySignature}. */
export interface VerifySignatureOptions {
  /** The secret key of the access key named in the request. */
  secretKey: string;
  /**
   * The current time, to check the date against.
   *
   * @default {new Date()}
   */
  now?: Date;
  /**
   * How far the date may be from `now`, either way.
   *
   * @default {300_000}
   */
  maxSkewMs?: number;
  /**
   * Keeps the signing keys derived from `secretKey` (per day and host), so a
   * check costs one HMAC rather than three. Use one cache per secret key.
   */
  cache?: SigningKeyCache;
}

/**
 * Verifies a signed request. It checks the form, the date window and the
 * signature in constant time; remembering nonces to refuse replays is the
 * caller's job, since only the caller knows its storage.
 *
 * @param request The request as received, with its headers and body bytes.
 * @param options The secret key and the allowed clock skew.
 * @returns `{ ok: true, nonce, ... }` or `{ ok: false, reason }`.
 *
 * @example
 * ```ts
 * import { signRequest, verifySignature } from "./hmac.ts";
 *
 * const request = { method: "DELETE", url: "http://127.0.0.1:4200/api/v1/projects/7" };
 * const signed = await signRequest(request, { accessKey: "AK1", secretKey: "s3cret" });
 * const wrong = await verifySignature({ ...request, headers: signed.headers }, { secretKey: "other" });
 * console.assert(!wrong.ok);
 * ```
 */
export function verifySignature(
  request: SignableRequest,
  options: VerifySignatureOptions,
): Promise<VerifyResult> {
  return Promise.resolve(verifySignatureSync(request, options));
}

/**
 * {@linkcode verifySignature}, without the promise: what the reference
 * server calls, with the same hashing code the client signs with.
 *
 * @param request The request as received, with its headers and body bytes.
 * @param options The secret key and the allowed clock skew.
 * @returns `{ ok: true, nonce, ... }` or `{ ok: false, reason }`.
 *
 * @example
 * ```ts
 * import { signRequestSync, verifySignatureSync } from "./hmac.ts";
 *
 * const request = { method: "GET", url: "http://127.0.0.1:4200/api/v1/projects" };
 * const signed = signRequestSync(request, { accessKey: "AK1", secretKey: "s3cret" });
 * console.assert(verifySignatureSync({ ...request, headers: signed.headers }, { secretKey: "s3cret" }).ok);
 * ```
 */
export function verifySignatureSync(
  request: SignableRequest,
  options: VerifySignatureOptions,
): VerifyResult {
  const parsed = parseHmacAuthorization(
    headerValue(request.headers, "authorization") ?? "",
  );
  if (!parsed) return { ok: false, reason: "malformed" };
  const { date, nonce } = parsed;
  const signedAt = new Date(date);
  const now = (options.now ?? new Date()).getTime();
  if (
    Number.isNaN(signedAt.getTime()) ||
    Math.abs(now - signedAt.getTime()) > (options.maxSkewMs ?? 300_000)
  ) {
    return { ok: false, reason: "stale-date" };
  }
  const { host, target } = urlParts(request.url);
  const key = signingKey(
    options.secretKey,
    { date, host, hashType: parsed.hashType },
    options.cache,
  );
  const expected = linesSignature(
    key,
    signedLines(request, host, target, date, nonce, parsed.hashType),
  );
  if (!timingSafeEqual(ascii(expected), ascii(parsed.signature))) {
    return { ok: false, reason: "bad-signature" };
  }
  return { ok: true, accessKey: parsed.accessKey, nonce, date: signedAt };
}

/**
 * Compares two byte strings in time that depends only on their lengths.
 *
 * @param a One value.
 * @param b The other value.
 * @returns `true` when they are equal.
 *
 * @example
 * ```ts
 * import { timingSafeEqual } from "./hmac.ts";
 *
 * const bytes = (text: string) => new TextEncoder().encode(text);
 * console.assert(timingSafeEqual(bytes("abc"), bytes("abc")));
 * console.assert(!timingSafeEqual(bytes("abc"), bytes("abd")));
 * ```
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) {
    difference |= a[i] ^ (b[i] ?? 0);
  }
  return difference === 0;
}

/** The bytes of an ASCII string, such as hex. */
function ascii(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

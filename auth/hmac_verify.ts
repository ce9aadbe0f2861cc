/**
 * The verification half of the HMAC scheme that `hmac.ts` describes: parsing
 * the `Authorization` header, checking the date window and the signature in
 * constant time. The reference server calls it, with the same hashing code
 * the client signs with.
 *
 * @module
 */

import {
  DATE_HEADER,
  type HashType,
  NONCE_HEADER,
  type SignableRequest,
  signedLines,
  signingKey,
  type SigningKeyCache,
  urlParts,
  utf8,
} from "./hmac_sign.ts";

/** A parsed `RUNPLANE-HMAC-*` authorization header. */
export interface HmacAuthorization {
  /** The hash the client used. */
  hashType: HashType;
  /** The access key id. */
  accessKey: string;
  /** The hex signature. */
  signature: string;
}

const AUTHORIZATION_PATTERN =
  /^RUNPLANE-HMAC-(SHA256|SHA384|SHA512) Credential=([^,\s]+), Signature=([0-9a-f]+)$/;

/**
 * Parses an `Authorization` header of the scheme.
 *
 * @param header The header value.
 * @returns The parts, or `undefined` when the header is not of the scheme.
 *
 * @example
 * ```ts
 * import { parseHmacAuthorization } from "./hmac.ts";
 *
 * const parsed = parseHmacAuthorization("RUNPLANE-HMAC-SHA256 Credential=AK1, Signature=00ff");
 * console.assert(parsed?.accessKey === "AK1" && parsed.hashType === "sha256");
 * ```
 */
export function parseHmacAuthorization(
  header: string,
): HmacAuthorization | undefined {
  const match = AUTHORIZATION_PATTERN.exec(header);
  if (!match) return undefined;
  return {
    hashType: match[1].toLowerCase() as HashType,
    accessKey: match[2],
    signature: match[3],
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
  const headers = new Headers(request.headers);
  const parsed = parseHmacAuthorization(headers.get("authorization") ?? "");
  const date = headers.get(DATE_HEADER) ?? "";
  const nonce = headers.get(NONCE_HEADER) ?? "";
  if (
    !parsed || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date) ||
    nonce.length === 0 || nonce.length > 128
  ) {
    return { ok: false, reason: "malformed" };
  }
  const signedAt = new Date(date);
  const now = (options.now ?? new Date()).getTime();
  if (
    Number.isNaN(signedAt.getTime()) ||
    Math.abs(now - signedAt.getTime()) > (options.maxSkewMs ?? 300_000)
  ) {
    return { ok: false, reason: "stale-date" };
  }
  const { host, target } = urlParts(request.url);
  const text = signedLines(
    { ...request, headers },
    host,
    target,
    date,
    nonce,
    parsed.hashType,
  );
  const key = signingKey(
    options.secretKey,
    { date, host, hashType: parsed.hashType },
    options.cache,
  );
  const expected = key.sign(utf8(text));
  if (!timingSafeEqual(expected, fromHex(parsed.signature))) {
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

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  return bytes;
}

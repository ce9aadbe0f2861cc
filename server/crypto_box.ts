/**
 * Encryption at rest (AES-256-GCM under the server key) and the small hashing
 * and random helpers the server builds its tokens from.
 *
 * @module
 */

import { createHash, createHmac, hkdfSync } from "node:crypto";
import { HmacKey, toHex } from "../auth/sha2.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Inputs up to this long are MACed in JavaScript (measured: 9 us against 28 us at 100 bytes; even near 500). */
const SHORT_MAC_BYTES = 512;

/**
 * Seals and opens short values with AES-256-GCM, and computes keyed hashes
 * (HMAC-SHA256), both under the server key. Each sealed value is bound to a
 * context string (for example its tenant and name), so a ciphertext copied to
 * another row does not open.
 *
 * @example
 * ```ts
 * import { CryptoBox } from "./crypto_box.ts";
 *
 * const box = await CryptoBox.fromKeyBytes(crypto.getRandomValues(new Uint8Array(32)));
 * const sealed = await box.seal("s3cret", "secret:t1:db");
 * console.assert(await box.open(sealed, "secret:t1:db") === "s3cret");
 * ```
 */
export class CryptoBox {
  readonly #key: CryptoKey;
  readonly #macKey: Uint8Array;
  /** The same key with its pads hashed once, for short inputs. */
  readonly #shortMac: HmacKey;

  private constructor(key: CryptoKey, macKey: Uint8Array) {
    this.#key = key;
    this.#macKey = macKey;
    this.#shortMac = new HmacKey("sha256", macKey);
  }

  /** Imports a 32-byte AES key; the HMAC key is derived from it with HKDF. */
  static async fromKeyBytes(bytes: Uint8Array): Promise<CryptoBox> {
    if (bytes.length !== 32) {
      throw new RangeError("Server key must be 32 bytes");
    }
    const raw = bytes as Uint8Array<ArrayBuffer>;
    const key = await crypto.subtle.importKey(
      "raw",
      raw,
      "AES-GCM",
      false,
      ["encrypt", "decrypt"],
    );
    // A separate key for MACs, so no value is ever both encrypted and MACed
    // under one key: HKDF-SHA256, empty salt, 32 bytes (what Web Crypto's
    // HKDF to a 256-bit HMAC key gives, so stored MACs still match).
    const macKey = new Uint8Array(
      hkdfSync("sha256", raw, new Uint8Array(0), "runplane mac v1", 32),
    );
    return new CryptoBox(key, macKey);
  }

  /** Encrypts `plaintext`; the result is `v1:` then base64 of nonce and ciphertext. */
  async seal(plaintext: string, context: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
        this.#key,
        encoder.encode(plaintext),
      ),
    );
    const out = new Uint8Array(iv.length + sealed.length);
    out.set(iv);
    out.set(sealed, iv.length);
    return "v1:" + toBase64(out);
  }

  /** Decrypts what {@linkcode CryptoBox.seal} made under the same context. */
  async open(sealed: string, context: string): Promise<string> {
    if (!sealed.startsWith("v1:")) throw new Error("Unknown sealed format");
    const bytes = fromBase64(sealed.slice(3));
    const plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: bytes.subarray(0, 12),
        additionalData: encoder.encode(context),
      },
      this.#key,
      bytes.subarray(12),
    );
    return decoder.decode(plain);
  }

  /**
   * Hex HMAC-SHA256 of `data` under the server key, for values that must not
   * be guessable from the database alone (a fast hash of a body holding a
   * password is). `purpose` keeps the MACs of different uses apart.
   *
   * @param purpose What the MAC is for, such as `"idempotency"`.
   * @param data The bytes or text to MAC.
   */
  mac(purpose: string, data: string | Uint8Array): Promise<string> {
    return Promise.resolve(this.macSync(purpose, data));
  }

  /**
   * {@linkcode CryptoBox.mac}, without the promise: for the request path,
   * where `crypto.subtle` would cost a hop to Deno's blocking pool.
   *
   * @param purpose What the MAC is for, such as `"idempotency"`.
   * @param data The bytes or text to MAC.
   */
  macSync(purpose: string, data: string | Uint8Array): string {
    const head = encoder.encode(purpose + "\0");
    const tail = typeof data === "string" ? encoder.encode(data) : data;
    // Short inputs (a request's fingerprint, most bodies) are cheaper in
    // JavaScript than the cost of setting up `createHmac`, long ones not.
    if (head.length + tail.length > SHORT_MAC_BYTES) {
      return createHmac("sha256", this.#macKey).update(head).update(tail)
        .digest("hex");
    }
    const bytes = new Uint8Array(head.length + tail.length);
    bytes.set(head);
    bytes.set(tail, head.length);
    return toHex(this.#shortMac.sign(bytes));
  }
}

/**
 * Hex SHA-256 of a string: how tokens, session ids and fingerprints are
 * stored. Synchronous (`node:crypto`): it is on every request's path, where
 * `crypto.subtle.digest` costs some 20 times the CPU and a hop to Deno's
 * blocking pool.
 */
export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A new random token: `prefix` then 32 random bytes in base64url. */
export function randomToken(prefix: string): string {
  return prefix + toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Lower-case hex of bytes (the table-driven one of the signing code). */
export { toHex };

/** Standard base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Bytes of standard base64; throws on bad input. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** Unpadded base64url of bytes. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}

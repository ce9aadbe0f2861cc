/**
 * Encryption at rest (AES-256-GCM under the server key) and the small hashing
 * and random helpers the server builds its tokens from.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Seals and opens short values with AES-256-GCM. Each value is bound to a
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

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /** Imports a 32-byte AES key. */
  static async fromKeyBytes(bytes: Uint8Array): Promise<CryptoBox> {
    if (bytes.length !== 32) {
      throw new RangeError("Server key must be 32 bytes");
    }
    const key = await crypto.subtle.importKey(
      "raw",
      bytes as Uint8Array<ArrayBuffer>,
      "AES-GCM",
      false,
      ["encrypt", "decrypt"],
    );
    return new CryptoBox(key);
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
}

/**
 * Loads the server key: the given base64 value, else the key file (created
 * with mode 0600 on first use), else, for a throw-away database, a random key.
 *
 * @param secretKey Base64 of 32 bytes, or `undefined`.
 * @param keyFile The key file's path, or `undefined` for an ephemeral key.
 */
export async function loadServerKey(
  secretKey: string | undefined,
  keyFile: string | undefined,
): Promise<CryptoBox> {
  if (secretKey !== undefined) {
    return CryptoBox.fromKeyBytes(decodeKey(secretKey, "secretKey"));
  }
  if (keyFile === undefined) {
    return CryptoBox.fromKeyBytes(crypto.getRandomValues(new Uint8Array(32)));
  }
  try {
    const text = (await Deno.readTextFile(keyFile)).trim();
    return CryptoBox.fromKeyBytes(decodeKey(text, keyFile));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  // createNew: two servers starting at once must not overwrite each other's key.
  await Deno.writeTextFile(keyFile, toBase64(bytes) + "\n", {
    mode: 0o600,
    createNew: true,
  });
  return CryptoBox.fromKeyBytes(bytes);
}

function decodeKey(text: string, where: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(text);
  } catch {
    throw new TypeError(`Cannot read the server key from ${where}: not base64`);
  }
  if (bytes.length !== 32) {
    throw new TypeError(
      `Cannot read the server key from ${where}: expected 32 bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}

/** Hex SHA-256 of a string: how tokens, session ids and fingerprints are stored. */
export async function sha256Hex(text: string | Uint8Array): Promise<string> {
  const bytes = typeof text === "string" ? encoder.encode(text) : text;
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return toHex(new Uint8Array(digest));
}

/** A new random token: `prefix` then 32 random bytes in base64url. */
export function randomToken(prefix: string): string {
  return prefix + toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );
}

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

/**
 * Password hashing with PBKDF2-SHA256 (600,000 iterations, 16-byte random
 * salt), and a short-lived cache of successful checks so HTTP Basic callers do
 * not pay the full cost on every request.
 *
 * @module
 */

import { timingSafeEqual } from "../auth/hmac.ts";
import { fromBase64, sha256Hex, toBase64 } from "./crypto_box.ts";

const ITERATIONS = 600_000;
const encoder = new TextEncoder();

/**
 * Hashes a password for storage.
 *
 * @param password The plain password.
 * @returns `pbkdf2-sha256$<iterations>$<salt>$<hash>`, base64 parts.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, ITERATIONS);
  return `pbkdf2-sha256$${ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

/**
 * Checks a password against a stored hash in constant time.
 *
 * @param password The plain password.
 * @param stored What {@linkcode hashPassword} returned.
 * @returns `true` when they match.
 */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split("$");
  if (scheme !== "pbkdf2-sha256" || !hash) return false;
  const actual = await derive(password, fromBase64(salt), Number(iterations));
  return timingSafeEqual(actual, fromBase64(hash));
}

/** A hash of no real password, checked against for unknown users so they cost the same time. */
let dummyHash: Promise<string> | undefined;

/**
 * Verifies username and password pairs, remembering successes for up to five
 * minutes. Entries are keyed by a hash of the username and hold a hash of the
 * pair, compared in constant time; plain passwords are never kept.
 */
export class PasswordChecker {
  readonly #entries = new Map<string, { pair: Uint8Array; until: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  /**
   * @param ttlMs How long a success is remembered.
   * @param maxEntries The most entries kept; the oldest go first.
   */
  constructor(ttlMs = 300_000, maxEntries = 1_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  /**
   * Checks a password for a user record.
   *
   * @param username The name the caller gave.
   * @param password The password the caller gave.
   * @param storedHash The user's stored hash, or `undefined` for an unknown user.
   */
  async check(
    username: string,
    password: string,
    storedHash: string | undefined,
  ): Promise<boolean> {
    const userKey = await sha256Hex("user\0" + username);
    // Bound to the stored hash: a changed password drops the old success.
    const pair = encoder.encode(
      await sha256Hex(`${username}\0${password}\0${storedHash ?? ""}`),
    );
    const cached = this.#entries.get(userKey);
    if (
      storedHash !== undefined && cached && cached.until > Date.now() &&
      timingSafeEqual(cached.pair, pair)
    ) {
      return true;
    }
    const ok = await verifyPassword(
      password,
      storedHash ??
        await (dummyHash ??= hashPassword(crypto.randomUUID())),
    );
    if (!ok || storedHash === undefined) return false;
    this.#entries.delete(userKey);
    if (this.#entries.size >= this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(userKey, { pair, until: Date.now() + this.#ttlMs });
    return true;
  }
}

async function derive(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    {
      name: "PBKDF2",
      hash: "SHA-256",
      salt: salt as Uint8Array<ArrayBuffer>,
      iterations,
    },
    key,
    256,
  );
  return new Uint8Array(bits);
}

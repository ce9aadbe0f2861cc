/**
 * Password hashing with PBKDF2-SHA256 (600,000 iterations, 16-byte random
 * salt), and a checker that bounds how much of it runs: a short-lived record
 * of verified credentials, a bounded queue, and failed-login throttling.
 *
 * @module
 */

import { timingSafeEqual } from "../auth/hmac.ts";
import { fromBase64, toBase64, toHex } from "./crypto_box.ts";
import { HttpError, tooManyRequests } from "./http_error.ts";

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

/** One login attempt. */
export interface PasswordAttempt {
  /** The name the caller gave. */
  username: string;
  /** The password the caller gave. */
  password: string;
  /** The user's stored hash, or `undefined` for an unknown user. */
  storedHash: string | undefined;
  /** The client's address, throttled apart from the username. */
  address?: string;
}

/** Limits of a {@linkcode PasswordChecker}. */
export interface PasswordCheckerOptions {
  /**
   * Keys the record of a verified login (a MAC of the username and password,
   * never the password itself). The server passes an HMAC under its server
   * key.
   *
   * @default {"an HMAC-SHA256 under a random key of this process"}
   */
  mac?: (data: string) => Promise<string>;
  /**
   * How many PBKDF2 verifications run at once.
   *
   * @default {"one less than the cores, at least one"}
   */
  concurrency?: number;
  /**
   * How many verifications may wait; one more is answered 429 at once.
   *
   * @default {32}
   */
  maxQueued?: number;
  /**
   * How long a verified credential is remembered, in milliseconds.
   *
   * @default {300000}
   */
  ttlMs?: number;
  /**
   * The window failures are counted in, and the first wait once throttled,
   * in milliseconds.
   *
   * @default {60000}
   */
  failureWindowMs?: number;
  /**
   * How long a failed or throttled login waits for its answer, in
   * milliseconds, so that a client waiting for each answer cannot turn
   * guessing into a flood of cheap requests.
   *
   * @default {1000}
   */
  failureDelayMs?: number;
}

/** Failures allowed in a window, per username and per client address. */
const FAILURES_PER_USERNAME = 5;
const FAILURES_PER_ADDRESS = 20;
/** The longest a throttled username or address waits. */
const MAX_BLOCK_MS = 15 * 60_000;
/** The most remembered credentials and throttle records; the oldest go first. */
const MAX_ENTRIES = 10_000;

/** Failed logins of one username or address. */
interface Failures {
  windowStart: number;
  count: number;
  /** How many times it was throttled: each doubles the next wait. */
  strikes: number;
  blockedUntil: number;
}

/**
 * Verifies passwords without letting password hashing take the server down:
 *
 * - a correct credential is remembered for a few minutes, so an HTTP Basic
 *   caller pays PBKDF2 once. The record is keyed by an HMAC of the pair under
 *   a random key of this process (never the password or a plain hash of
 *   it), and holds the stored hash it was checked against, so it stops
 *   matching as soon as the password changes;
 * - at most `concurrency` PBKDF2 runs at once, and at most `maxQueued` wait;
 *   one more is refused with 429 at once rather than queued for ever;
 * - 5 failures in a minute for one username, or 20 for one client address,
 *   throttle it: 429 with `Retry-After`, one minute at first, doubling with
 *   each repeat up to 15 minutes. A remembered correct credential is not
 *   throttled, so guessing at a user's password does not lock out the user's
 *   running clients;
 * - a failed or throttled login is answered after a second, so 64 clients
 *   guessing in a loop send 64 requests a second, not thousands. A full
 *   queue is answered at once, but counts against the client's address
 *   like a failure, so a client looping on those is soon throttled too.
 */
export class PasswordChecker {
  readonly #verified = new Map<string, { storedHash: string; until: number }>();
  readonly #failures = new Map<string, Failures>();
  readonly #mac: (data: string) => Promise<string>;
  readonly #ttlMs: number;
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #windowMs: number;
  readonly #failureDelayMs: number;
  readonly #waiting: Array<() => void> = [];
  #running = 0;

  /** @param options The limits. */
  constructor(options: PasswordCheckerOptions = {}) {
    this.#mac = options.mac ?? randomKeyMac();
    this.#ttlMs = options.ttlMs ?? 300_000;
    this.#concurrency = options.concurrency ??
      Math.max(1, (navigator.hardwareConcurrency ?? 2) - 1);
    this.#maxQueued = options.maxQueued ?? 32;
    this.#windowMs = options.failureWindowMs ?? 60_000;
    this.#failureDelayMs = options.failureDelayMs ?? 1_000;
  }

  /**
   * Checks a password for a user record, with no client address.
   *
   * @param username The name the caller gave.
   * @param password The password the caller gave.
   * @param storedHash The user's stored hash, or `undefined` for an unknown user.
   * @throws {HttpError} 429 when throttled or too busy.
   */
  check(
    username: string,
    password: string,
    storedHash: string | undefined,
  ): Promise<boolean> {
    return this.verify({ username, password, storedHash });
  }

  /**
   * Checks a login attempt.
   *
   * @param attempt The username, password, stored hash and client address.
   * @returns Whether the password is right.
   * @throws {HttpError} 429 with `Retry-After` when the username or address
   * is throttled, or when too many verifications are waiting.
   */
  async verify(attempt: PasswordAttempt): Promise<boolean> {
    const { username, password, storedHash } = attempt;
    const now = Date.now();
    const pairKey = await this.#mac(`${username}\0${password}`);
    const known = this.#verified.get(pairKey);
    if (
      storedHash !== undefined && known?.storedHash === storedHash &&
      known.until > now
    ) {
      return true;
    }
    const keys = [`user:${username}`];
    if (attempt.address !== undefined) keys.push(`addr:${attempt.address}`);
    for (const key of keys) {
      const blockedUntil = this.#failures.get(key)?.blockedUntil ?? 0;
      if (blockedUntil > now) {
        await this.#pause();
        throw tooManyRequests(
          "Too many failed logins: wait before trying again",
          blockedUntil - now,
        );
      }
    }
    const ok = await this.#bounded(async () =>
      await verifyPassword(
        password,
        storedHash ?? await (dummyHash ??= hashPassword(crypto.randomUUID())),
      )
    ).catch((error) => {
      if (!(error instanceof HttpError)) throw error;
      // Finding the queue full counts against the address as a failure
      // does: a client that ignores Retry-After is soon throttled, and its
      // answers slowed, instead of looping on instant refusals.
      if (keys[1] !== undefined) this.#fail(keys[1], FAILURES_PER_ADDRESS);
      throw error;
    });
    if (!ok || storedHash === undefined) {
      this.#fail(keys[0], FAILURES_PER_USERNAME);
      if (keys[1] !== undefined) this.#fail(keys[1], FAILURES_PER_ADDRESS);
      await this.#pause();
      return false;
    }
    this.#failures.delete(keys[0]);
    remember(this.#verified, pairKey, {
      storedHash,
      until: Date.now() + this.#ttlMs,
    });
    return true;
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.#failureDelayMs));
  }

  /** Runs `work` once fewer than `concurrency` others run; 429 when the queue is full. */
  async #bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) {
      if (this.#waiting.length >= this.#maxQueued) {
        throw tooManyRequests(
          "Too many logins in progress: retry shortly",
          1_000,
        );
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, or is given back.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  #fail(key: string, allowed: number): void {
    const now = Date.now();
    let record = this.#failures.get(key);
    if (!record || now - record.windowStart > this.#windowMs) {
      record = {
        windowStart: now,
        count: 0,
        // A quiet spell forgives earlier throttling.
        strikes: record && now - record.windowStart < 2 * MAX_BLOCK_MS
          ? record.strikes
          : 0,
        blockedUntil: 0,
      };
    }
    record.count++;
    if (record.count >= allowed) {
      record.blockedUntil = now +
        Math.min(this.#windowMs * 2 ** record.strikes, MAX_BLOCK_MS);
      record.strikes++;
      record.count = 0;
      record.windowStart = now;
    }
    remember(this.#failures, key, record);
  }
}

/** Sets an entry as the newest, dropping the oldest when the map is full. */
function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  map.set(key, value);
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

/** An HMAC-SHA256 under a key made for this process alone. */
function randomKeyMac(): (data: string) => Promise<string> {
  const key = crypto.subtle.generateKey(
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return async function mac(data: string): Promise<string> {
    return toHex(
      new Uint8Array(
        await crypto.subtle.sign("HMAC", await key, encoder.encode(data)),
      ),
    );
  };
}

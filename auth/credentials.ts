/**
 * {@linkcode Credentials}: how a client proves who it is, in exactly one of
 * four modes. Secrets are held in private fields and never appear in any
 * string form of the object.
 *
 * @example
 * ```ts
 * import { Credentials } from "./credentials.ts";
 *
 * const credentials = new Credentials({ token: "rp_example" });
 * console.assert(credentials.mode === "token");
 * console.assert(!JSON.stringify(credentials).includes("rp_example"));
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { mergeHeaders } from "../transport/_headers.ts";

import { REDACTED } from "../transport/redact.ts";

/** The auth mode a {@linkcode Credentials} object holds. */
export type CredentialMode = "token" | "basic" | "keypair" | "env";

/** Default headers a client sends with every request made with these credentials. */
export interface ExtraHeadersInit {
  /**
   * Default headers for that client's requests. A per-call header and the
   * `Authorization` header always win over these.
   *
   * @default {}
   */
  extraHeaders?: HeadersInit;
}

/** A bearer token, sent as `Authorization: Bearer <token>`. */
export interface TokenCredentialsInit extends ExtraHeadersInit {
  /** The API token or access token. */
  token: string;
}

/** A username and password: HTTP Basic, or a cookie login on session endpoints. */
export interface BasicCredentialsInit extends ExtraHeadersInit {
  /** The user's name. */
  username: string;
  /** The user's password. */
  password: string;
}

/** An access key and secret key that HMAC-sign every request. */
export interface KeypairCredentialsInit extends ExtraHeadersInit {
  /** The public access key id. */
  accessKey: string;
  /** The secret key; it signs requests and is never sent. */
  secretKey: string;
}

/** Credentials read from configuration, the environment, then the saved-credentials file. */
export interface EnvCredentialsInit extends ExtraHeadersInit {
  /** Must be `true`. */
  useEnv: true;
}

/** Exactly one auth mode, plus optional default headers. */
export type CredentialsInit =
  | TokenCredentialsInit
  | BasicCredentialsInit
  | KeypairCredentialsInit
  | EnvCredentialsInit;

interface Secrets {
  token?: string;
  password?: string;
  secretKey?: string;
}

const MODE_FIELDS: ReadonlyArray<[CredentialMode, string[]]> = [
  ["token", ["token"]],
  ["basic", ["username", "password"]],
  ["keypair", ["accessKey", "secretKey"]],
  ["env", ["useEnv"]],
];

const secrets = new WeakMap<Credentials, Secrets>();
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * Who a client is, in exactly one auth mode: `"token"`, `"basic"`,
 * `"keypair"` or `"env"`. The object is frozen, and its secrets show as
 * `"***"` in `String()`, `JSON.stringify()`, `Deno.inspect()` and
 * `console.log()`.
 *
 * @example Each mode
 * ```ts
 * import { Credentials } from "./credentials.ts";
 *
 * new Credentials({ token: "rp_example" });
 * new Credentials({ username: "alice", password: "correct horse" });
 * new Credentials({ accessKey: "AK1", secretKey: "s3cret" });
 * new Credentials({ useEnv: true, extraHeaders: { "X-Team": "ml" } });
 * ```
 *
 * @example A broken rule throws at once
 * ```ts
 * import { Credentials } from "./credentials.ts";
 * import { InvalidArgumentError } from "../errors.ts";
 *
 * try {
 *   new Credentials({ username: "alice" } as never);
 * } catch (error) {
 *   console.assert(error instanceof InvalidArgumentError);
 * }
 * ```
 */
export class Credentials {
  /** The auth mode. */
  readonly mode: CredentialMode;
  /** The username, in `"basic"` mode. */
  readonly username: string | undefined;
  /** The public access key, in `"keypair"` mode. */
  readonly accessKey: string | undefined;
  /** Default headers for every request, lower-case names. */
  readonly extraHeaders: Readonly<Record<string, string>>;

  /**
   * Checks and freezes the credentials.
   *
   * @param init Exactly one auth mode, plus optional `extraHeaders`.
   * @throws {InvalidArgumentError} When no mode or several modes are given, a
   * pair is incomplete, or a required value is empty.
   */
  constructor(init: CredentialsInit) {
    if (typeof init !== "object" || init === null) {
      throw new InvalidArgumentError(
        "Credentials need an object with exactly one auth mode: { token }, { username, password }, { accessKey, secretKey } or { useEnv: true }",
      );
    }
    const fields = init as unknown as Record<string, unknown>;
    const given = MODE_FIELDS.filter(([, names]) =>
      names.some((name) => fields[name] !== undefined)
    );
    if (given.length === 0) {
      throw new InvalidArgumentError(
        "Credentials need exactly one auth mode, and none was given: pass { token }, { username, password }, { accessKey, secretKey } or { useEnv: true }",
      );
    }
    if (given.length > 1) {
      throw new InvalidArgumentError(
        `Credentials need exactly one auth mode, but ${given.length} were given (${
          given.map(([mode]) => mode).join(", ")
        }): keep one`,
      );
    }
    const [mode, names] = given[0];
    for (const name of names) {
      if (mode === "env") {
        if (fields.useEnv !== true) {
          throw new InvalidArgumentError(
            "Credentials useEnv must be true: pass { useEnv: true } to read credentials from the environment",
          );
        }
        continue;
      }
      const value = fields[name];
      if (value === undefined) {
        const other = names.find((n) => n !== name);
        throw new InvalidArgumentError(
          `Credentials with a ${other} need a ${name} too`,
        );
      }
      if (typeof value !== "string" || value.length === 0) {
        throw new InvalidArgumentError(
          `Credentials ${name} must be a non-empty string`,
        );
      }
      if (name === "token" && !PRINTABLE_ASCII.test(value)) {
        // Checked here: the runtime's header error would quote the token.
        throw new InvalidArgumentError(
          "Credentials token must be one line of printable ASCII characters: it is sent in the Authorization header",
        );
      }
      if (name === "username" && value.includes(":")) {
        // HTTP Basic joins the pair with a colon (RFC 7617).
        throw new InvalidArgumentError(
          "Credentials username must not contain a colon",
        );
      }
    }
    this.mode = mode;
    this.username = mode === "basic" ? fields.username as string : undefined;
    this.accessKey = mode === "keypair"
      ? fields.accessKey as string
      : undefined;
    this.extraHeaders = Object.freeze(headerRecord(init.extraHeaders));
    secrets.set(this, {
      token: fields.token as string | undefined,
      password: fields.password as string | undefined,
      secretKey: fields.secretKey as string | undefined,
    });
    Object.freeze(this);
  }

  /**
   * Compares the auth mode and its values; `extraHeaders` are ignored.
   *
   * @param other The credentials to compare with.
   * @returns `true` when both authenticate the same way as the same principal.
   *
   * @example
   * ```ts
   * import { Credentials } from "./credentials.ts";
   *
   * const a = new Credentials({ token: "t1", extraHeaders: { "X-A": "1" } });
   * console.assert(a.equals(new Credentials({ token: "t1" })));
   * console.assert(!a.equals(new Credentials({ token: "t2" })));
   * ```
   */
  equals(other: Credentials): boolean {
    if (!(other instanceof Credentials) || other.mode !== this.mode) {
      return false;
    }
    const mine = secrets.get(this)!;
    const theirs = secrets.get(other)!;
    return this.username === other.username &&
      this.accessKey === other.accessKey &&
      mine.token === theirs.token &&
      mine.password === theirs.password &&
      mine.secretKey === theirs.secretKey;
  }

  /**
   * A copy of these credentials with other default headers.
   *
   * @param extraHeaders The new default headers.
   * @returns New credentials with the same mode and values.
   *
   * @example
   * ```ts
   * import { Credentials } from "./credentials.ts";
   *
   * const base = new Credentials({ token: "t1" });
   * const tagged = base.withExtraHeaders({ "X-Team": "ml" });
   * console.assert(tagged.equals(base) && tagged.extraHeaders["x-team"] === "ml");
   * ```
   */
  withExtraHeaders(extraHeaders: HeadersInit): Credentials {
    return new Credentials(
      { ...this.#init(), extraHeaders } as CredentialsInit,
    );
  }

  /** The redacted form, for `JSON.stringify()`. */
  toJSON(): Record<string, unknown> {
    const view: Record<string, unknown> = { mode: this.mode };
    if (this.mode === "token") view.token = REDACTED;
    if (this.mode === "basic") {
      view.username = this.username;
      view.password = REDACTED;
    }
    if (this.mode === "keypair") {
      view.accessKey = this.accessKey;
      view.secretKey = REDACTED;
    }
    const headerNames = Object.keys(this.extraHeaders);
    if (headerNames.length > 0) view.extraHeaders = headerNames;
    return view;
  }

  /** The redacted form, for `String()` and template literals. */
  toString(): string {
    const parts = Object.entries(this.toJSON()).map(([key, value]) =>
      `${key}=${Array.isArray(value) ? value.join("|") : value}`
    );
    return `Credentials(${parts.join(", ")})`;
  }

  /**
   * The redacted form, for `Deno.inspect()` and `console.log()`.
   *
   * @ignore
   */
  [Symbol.for("Deno.customInspect")](
    inspect: (value: unknown, options?: unknown) => string,
    options: unknown,
  ): string {
    return `Credentials ${inspect(this.toJSON(), options)}`;
  }

  /**
   * The redacted form, for `node:util` `inspect()`.
   *
   * @ignore
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  #init(): Record<string, unknown> {
    const secret = secrets.get(this)!;
    switch (this.mode) {
      case "token":
        return { token: secret.token };
      case "basic":
        return { username: this.username, password: secret.password };
      case "keypair":
        return { accessKey: this.accessKey, secretKey: secret.secretKey };
      case "env":
        return { useEnv: true };
    }
  }
}

/**
 * The secret values of credentials, for the auth layer only. Not exported
 * from `mod.ts`.
 */
export function credentialSecrets(credentials: Credentials): Readonly<Secrets> {
  const found = secrets.get(credentials);
  if (!found) {
    throw new InvalidArgumentError(
      "Credentials must be created with new Credentials()",
    );
  }
  return found;
}

function headerRecord(init: HeadersInit | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (init !== undefined) {
    mergeHeaders(record, init, "Credentials extraHeaders");
  }
  return record;
}

/**
 * How a client attaches its credentials to each attempt of a request. One
 * {@linkcode Authenticator} per client; the transport calls it on every
 * attempt, after every other header is set, so a signature covers exactly
 * what is sent.
 *
 * @example
 * ```ts
 * import { StaticAuthenticator } from "./authenticator.ts";
 *
 * const auth = StaticAuthenticator.bearer("rp_example");
 * const headers: Record<string, string> = {};
 * await auth.authorize({ method: "GET", url: "http://127.0.0.1:4200/api/v1/projects", headers });
 * console.assert(headers.authorization === "Bearer rp_example");
 * ```
 *
 * @module
 */

import type { OutgoingRequest } from "../transport/transport.ts";

/** Attaches credentials to requests, and recovers from a rejected session. */
export interface Authenticator {
  /**
   * Adds credentials to one attempt.
   *
   * @returns A marker of the credential state used, handed back to
   * {@linkcode Authenticator.recover} after a 401.
   */
  authorize(request: OutgoingRequest): unknown;
  /**
   * The `Authorization` value of credentials that never change (a bearer
   * token, HTTP Basic): a client may set it among its own headers once
   * instead of calling {@linkcode Authenticator.authorize} per request.
   */
  readonly authorization?: string;
  /**
   * Called once after a 401 with the marker the failed attempt used.
   * Resolves `true` when the credentials were renewed and the request may be
   * sent again.
   */
  recover?(used: unknown): Promise<boolean>;
  /** The bearer token requests carry now, if the mode has one. */
  token?(): Promise<string | undefined>;
}

const encoder = new TextEncoder();

/**
 * Sends the same `Authorization` header with every request: a bearer token
 * or HTTP Basic. The header is built once.
 *
 * @example
 * ```ts
 * import { StaticAuthenticator } from "./authenticator.ts";
 *
 * const auth = StaticAuthenticator.basic("alice", "pw");
 * const headers: Record<string, string> = {};
 * auth.authorize({ method: "GET", url: "http://127.0.0.1:4200/", headers });
 * console.assert(headers.authorization === "Basic YWxpY2U6cHc=");
 * ```
 */
export class StaticAuthenticator implements Authenticator {
  #header: string;
  #token: string | undefined;

  private constructor(header: string, token?: string) {
    this.#header = header;
    this.#token = token;
  }

  /**
   * The `Authorization` value, the same on every request (a getter, so
   * that inspecting the object never shows it).
   */
  get authorization(): string {
    return this.#header;
  }

  /**
   * A bearer token.
   *
   * @param token The token.
   * @returns The authenticator.
   */
  static bearer(token: string): StaticAuthenticator {
    return new StaticAuthenticator(`Bearer ${token}`, token);
  }

  /**
   * HTTP Basic, with the pair UTF-8 encoded.
   *
   * @param username The user's name.
   * @param password The user's password.
   * @returns The authenticator.
   */
  static basic(username: string, password: string): StaticAuthenticator {
    const bytes = encoder.encode(`${username}:${password}`);
    return new StaticAuthenticator(
      `Basic ${btoa(String.fromCharCode(...bytes))}`,
    );
  }

  /** Sets `Authorization`. */
  authorize(request: OutgoingRequest): void {
    request.headers.authorization = this.#header;
  }

  /** The bearer token, in bearer mode. */
  token(): Promise<string | undefined> {
    return Promise.resolve(this.#token);
  }
}

/** The answer to a request an authenticator makes for itself. */
export interface AuthResponse {
  /** The parsed JSON body. */
  body: unknown;
  /** The response headers. */
  headers: Headers;
}

/**
 * Sends a `POST` to the API without credentials, through the client's
 * transport (retries, failover), for logins and refreshes.
 */
export type AuthPost = (
  path: string,
  options: { body?: unknown; headers?: HeadersInit },
) => Promise<AuthResponse>;

/**
 * The Runplane reference server: the HTTP API of `docs/api.md` on SQLite,
 * or on PostgreSQL for several instances sharing one database.
 * Importing this module starts nothing; {@linkcode startServer} does.
 *
 * @example Start a throw-away server, call it, stop it
 * ```ts
 * import { startServer } from "./mod.ts";
 *
 * await using server = await startServer({
 *   port: 0,
 *   databasePath: ":memory:",
 *   adminToken: "admin-secret",
 *   quiet: true,
 * });
 * const response = await fetch(new URL("/api/v1/me", server.url), {
 *   headers: { authorization: "Bearer admin-secret" },
 * });
 * console.assert((await response.json()).kind === "admin");
 * ```
 *
 * @module
 */

import { createApp } from "./app.ts";
import { randomToken, sha256Hex } from "./crypto_box.ts";
import { type Logger, quietLogger, stderrLogger } from "./logger.ts";
import { PasswordChecker } from "./passwords.ts";
import { RateLimiter } from "./rate_limiter.ts";
import { serve } from "./serve.ts";
import { openServerKey } from "./server_key.ts";
import type { Store } from "./store.ts";
import { isPostgresUrl, openStore } from "./store/open_store.ts";
import { checkWholeNumber } from "../whole_number.ts";

/** Options for {@linkcode startServer}. */
export interface ServerOptions {
  /**
   * The interface to listen on.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * The port; `0` picks a free one (read it from `url`).
   *
   * @default {4200}
   */
  port?: number;
  /**
   * The SQLite file, its folder created if missing, or `":memory:"` for a
   * database that lives as long as the server.
   *
   * @default {".runplane/runplane.db"}
   */
  databasePath?: string;
  /**
   * A PostgreSQL database, `postgres://user:password@host:port/db`, instead
   * of a SQLite file: several servers can share it, each a full instance
   * behind the client's endpoint list or a load balancer. They must share
   * the server key and the admin token. Falls back to
   * `RUNPLANE_DATABASE_URL` when `databasePath` is not given either.
   */
  databaseUrl?: string;
  /**
   * The bootstrap admin token; only its SHA-256 hash is stored, replacing any
   * earlier one. When absent and the database has none, one is generated and
   * printed once to stderr.
   */
  adminToken?: string;
  /**
   * Base64 of the 32-byte server key: it seals secret values and keypair
   * secrets at rest (AES-256-GCM) and keys the idempotency fingerprints
   * (HMAC). Falls back to `RUNPLANE_SERVER_KEY`, then to the file
   * `<databasePath>.key` (created with mode 0600 when the database holds
   * nothing sealed yet), or to a random key for `":memory:"`. Servers that
   * share a database must share the key. The database keeps a check value of
   * its key: with another key, or with the key file gone, `startServer`
   * refuses to start.
   */
  serverKey?: string;
  /**
   * The origin browsers see, when a TLS-terminating proxy stands in front,
   * such as `https://runplane.example`. Browser logins must come from it
   * (their `Origin` is checked against it), and over https the session
   * cookie is `Secure` and named `__Host-runplane_session`. Falls back to
   * `RUNPLANE_PUBLIC_URL`; without either, the server's own origin.
   */
  publicUrl?: string;
  /**
   * Write no request log lines.
   *
   * @default {false}
   */
  quiet?: boolean;
  /**
   * How long a tenant access token from `/auth/tenant-login` or
   * `/auth/refresh` lasts, in milliseconds.
   *
   * @default {900000}
   */
  accessTokenTtlMs?: number;
  /**
   * The most connections open at once. A connection over it is answered 503
   * with `Retry-After: 1` and closed. The first time the process runs out of
   * file descriptors, the cap drops to a reserve below the connections then
   * open, so it stays under the descriptor limit (which Deno lets a process
   * read only with `--allow-all`).
   *
   * @default {4096}
   */
  maxConnections?: number;
  /**
   * How long a connection may take to send a request's headers, counted from
   * its opening or the end of its previous answer (so it is also the
   * keep-alive idle time), in milliseconds; then it is closed.
   *
   * @default {10000}
   */
  headerTimeoutMs?: number;
  /**
   * How long a request body may take to arrive, in milliseconds; a body that
   * stalls past it is answered 408 and its connection closed.
   *
   * @default {30000}
   */
  bodyTimeoutMs?: number;
  /**
   * The most log lines each tenant may write a minute, in bursts of up to a
   * minute's worth; over it, `POST /logs` answers 429 with `Retry-After`.
   *
   * @default {60000}
   */
  logLinesPerMinute?: number;
  /**
   * How many days log lines are kept; the background sweep removes older
   * ones.
   *
   * @default {30}
   */
  logRetentionDays?: number;
  /** Closes the server when aborted. */
  signal?: AbortSignal;
}

/** A running server. */
export interface RunplaneServer extends AsyncDisposable {
  /** The server's origin, such as `http://127.0.0.1:4200/`; the API is under `/api/v1`. */
  readonly url: URL;
  /**
   * Stops accepting connections, waits for requests in flight, then closes
   * the database. Calling it again waits for the same close.
   */
  close(): Promise<void>;
}

const DEFAULT_DATABASE = ".runplane/runplane.db";

/**
 * Starts the server.
 *
 * @param options Where to listen, the database, the admin token and the server key.
 * @returns The running server; close it, or use `await using`.
 * @throws {TypeError} For an invalid option, naming it.
 * @throws {Error} When the server key is not the one the database was sealed
 * with, or its key file is missing while the database holds sealed data.
 *
 * @example
 * ```ts
 * import { startServer } from "./mod.ts";
 *
 * const server = await startServer({ port: 0, databasePath: ":memory:", adminToken: "doc-admin-token", quiet: true });
 * console.assert(server.url.hostname === "127.0.0.1");
 * await server.close();
 * ```
 */
export async function startServer(
  options: ServerOptions = {},
): Promise<RunplaneServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 4200;
  checkWholeNumber(port, {
    min: 0,
    max: 65_535,
    fail: (expected) => new TypeError(`Option port must be ${expected}`),
  });
  if (options.databasePath !== undefined && options.databaseUrl !== undefined) {
    throw new TypeError(
      "Options databasePath and databaseUrl exclude each other: give the SQLite file or the PostgreSQL URL",
    );
  }
  const databaseUrl = options.databasePath === undefined
    ? options.databaseUrl ?? (readEnv("RUNPLANE_DATABASE_URL") || undefined)
    : undefined;
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    throw new TypeError(
      `${
        options.databaseUrl !== undefined
          ? "Option databaseUrl"
          : "RUNPLANE_DATABASE_URL"
      } must be a postgres:// or postgresql:// URL, such as postgres://runplane:password@db.example:5432/runplane`,
    );
  }
  const databasePath = options.databasePath ?? DEFAULT_DATABASE;
  if (databasePath.length === 0) {
    throw new TypeError("Option databasePath must not be empty");
  }
  if (options.adminToken !== undefined && options.adminToken.length < 8) {
    throw new TypeError("Option adminToken must be at least 8 characters");
  }
  const accessTokenTtlMs = options.accessTokenTtlMs ?? 15 * 60_000;
  checkWholeNumber(accessTokenTtlMs, {
    min: 1_000,
    fail: () =>
      new TypeError(
        "Option accessTokenTtlMs must be a whole number of milliseconds, at least 1000",
      ),
  });
  const publicUrl = parsePublicUrl(options);
  const maxConnections = options.maxConnections ?? 4_096;
  const headerTimeoutMs = options.headerTimeoutMs ?? 10_000;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 30_000;
  checkOption("maxConnections", maxConnections, 1);
  checkOption("headerTimeoutMs", headerTimeoutMs, 100);
  checkOption("bodyTimeoutMs", bodyTimeoutMs, 100);
  const logLinesPerMinute = options.logLinesPerMinute ?? 60_000;
  const logRetentionDays = options.logRetentionDays ?? 30;
  checkOption("logLinesPerMinute", logLinesPerMinute, 1);
  checkOption("logRetentionDays", logRetentionDays, 1);
  const inMemory = databaseUrl === undefined && databasePath === ":memory:";
  if (databaseUrl === undefined && !inMemory) await ensureFolder(databasePath);

  const envKey = readEnv("RUNPLANE_SERVER_KEY") || undefined;
  if (
    databaseUrl !== undefined && (options.serverKey ?? envKey) === undefined
  ) {
    throw new Error(
      "Cannot start on PostgreSQL without the server key: set RUNPLANE_SERVER_KEY or the serverKey option to the base64 of 32 random bytes, the same on every instance",
    );
  }

  const store = await openStore(databaseUrl ?? databasePath);
  try {
    const box = await openServerKey(store, {
      key: options.serverKey ?? envKey,
      keyOrigin: options.serverKey !== undefined
        ? "the serverKey option"
        : "RUNPLANE_SERVER_KEY",
      // PostgreSQL instances share no folder: the key must be given.
      keyFile: inMemory || databaseUrl !== undefined
        ? undefined
        : `${databasePath}.key`,
      databasePath: databaseUrl === undefined
        ? databasePath
        : withoutPassword(databaseUrl),
    });
    await setUpAdminToken(store, options.adminToken);
    const logger: Logger = options.quiet ? quietLogger : stderrLogger;
    const fetch = createApp({
      store,
      box,
      passwords: new PasswordChecker({
        mac: (data) => box.mac("remembered-login", data),
      }),
      logger,
      accessTokenTtlMs,
      publicUrl,
      bodyTimeoutMs,
      logLimiter: new RateLimiter(logLinesPerMinute, "log lines"),
      logRetentionMs: logRetentionDays * 24 * 60 * 60_000,
    });
    const server = serve({
      hostname,
      port,
      maxConnections,
      headerTimeoutMs,
      handler: fetch,
    });
    const url = new URL(
      `http://${
        server.addr.hostname.includes(":")
          ? `[${server.addr.hostname}]`
          : server.addr.hostname
      }:${server.addr.port}/`,
    );
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      closing ??= (async () => {
        options.signal?.removeEventListener("abort", onAbort);
        await server.shutdown();
        await store.close();
      })();
    const onAbort = () => void close();
    if (options.signal?.aborted) await close();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    return { url, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await store.close();
    throw error;
  }
}

function parsePublicUrl(options: ServerOptions): URL | undefined {
  const fromOption = options.publicUrl !== undefined;
  const text = options.publicUrl ??
    (readEnv("RUNPLANE_PUBLIC_URL") || undefined);
  if (text === undefined) return undefined;
  const url = URL.parse(text);
  if (
    !url || (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.pathname !== "/" || url.search !== "" || url.hash !== "" ||
    url.username !== "" || url.password !== ""
  ) {
    throw new TypeError(
      `${
        fromOption ? "Option publicUrl" : "RUNPLANE_PUBLIC_URL"
      } must be an http or https origin without a path, such as https://runplane.example`,
    );
  }
  return new URL(url.origin);
}

function checkOption(name: string, value: number, min: number): void {
  checkWholeNumber(value, {
    min,
    fail: () =>
      new TypeError(`Option ${name} must be a whole number, at least ${min}`),
  });
}

async function setUpAdminToken(
  store: Store,
  adminToken: string | undefined,
): Promise<void> {
  if (adminToken !== undefined) {
    await store.setAdminTokenHash(await sha256Hex(adminToken));
    return;
  }
  if (await store.adminTokenHash() !== undefined) return;
  const token = randomToken("rpadm_");
  const hash = await sha256Hex(token);
  await store.setAdminTokenHash(hash);
  // Printed even when quiet: without it the new database has no way in.
  stderrLogger.log(
    `Generated the admin token (shown only this once): ${token}`,
  );
}

/** The URL to name in a message: never its user or password. */
function withoutPassword(url: string): string {
  const parsed = URL.parse(url);
  return parsed ? `${parsed.protocol}//${parsed.host}${parsed.pathname}` : "";
}

async function ensureFolder(path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    // Without --allow-env the variable simply does not apply.
    return undefined;
  }
}

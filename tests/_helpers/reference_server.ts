/**
 * The reference server as the tests and the benchmarks run it: in this
 * process ({@linkcode startReferenceServer}) or in its own, which can be
 * killed ({@linkcode spawnReferenceServer}). Both take the one admin token
 * of `admin_token.ts`; `seed.ts` fills either with tenants and users.
 *
 * @module
 */

import { type ServerOptions, startServer } from "../../server/mod.ts";
import { Client } from "../../client/client.ts";
import type { ClientOptions } from "../../client/client_options.ts";
import { Credentials, type CredentialsInit } from "../../auth/credentials.ts";
import { engineOptions } from "./engine.ts";
import { ADMIN_TOKEN } from "./admin_token.ts";

/** A running reference server and its admin client. */
export interface ReferenceServer extends AsyncDisposable {
  /** The server's origin. */
  url: URL;
  /** The bootstrap admin token. */
  adminToken: string;
  /** A client with the admin token and no tenant. */
  admin: Client;
  /** Closes every client made through {@linkcode ReferenceServer.client}, then the server. */
  close(): Promise<void>;
  /** A client for this server, closed with it. */
  client(credentials: CredentialsInit, options?: ClientExtras): Client;
}

/** Extra client settings for tests. */
export interface ClientExtras {
  /** The tenant slug for `X-Runplane-Tenant`. */
  tenant?: string;
  /** Endpoints instead of the server's URL. */
  endpoints?: string;
  /** Retries. */
  maxRetries?: number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** A `fetch` to use. */
  fetch?: ClientOptions["fetch"];
}

/**
 * Starts a quiet server in this process on a free port with an in-memory
 * database (a fresh PostgreSQL one when the suite runs on PostgreSQL, see
 * `engine.ts`), or the given `databasePath`, and any other options.
 */
export async function startReferenceServer(
  options: ServerOptions = {},
): Promise<ReferenceServer> {
  const adminToken = ADMIN_TOKEN;
  const server = await startServer({
    port: 0,
    ...(options.databasePath === undefined ? await engineOptions() : {}),
    adminToken,
    quiet: true,
    ...options,
  });
  const clients: Client[] = [];
  const client = (credentials: CredentialsInit, extras: ClientExtras = {}) => {
    const made = new Client({
      credentials: new Credentials(credentials),
      config: {
        endpoints: extras.endpoints ?? server.url.href,
        tenant: extras.tenant,
        envFile: false,
        env: {},
        maxRetries: extras.maxRetries ?? 2,
        timeoutMs: extras.timeoutMs ?? 10_000,
      },
      fetch: extras.fetch,
      retryBackoff: { initialDelayMs: 10, maxDelayMs: 50 },
    });
    clients.push(made);
    return made;
  };
  const admin = client({ token: adminToken });
  const close = async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server.close();
  };
  return {
    url: server.url,
    adminToken,
    admin,
    close,
    client,
    [Symbol.asyncDispose]: close,
  };
}

/** A reference server running in its own process. */
export interface ServerProcess extends AsyncDisposable {
  /** The server's origin. */
  readonly url: URL;
  /** The process id. */
  readonly pid: number;
  /** Everything the process wrote to stderr so far (its request log). */
  readonly stderr: string;
  /** Sends a signal, such as `"SIGKILL"`, and waits for the process to exit. */
  kill(signal: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Options of {@linkcode spawnReferenceServer}. */
export interface SpawnOptions {
  /**
   * A SQLite path or a PostgreSQL URL; without it, the server's own default
   * (`RUNPLANE_DATABASE_URL` in `env`, else its SQLite file).
   */
  database?: string;
  /**
   * The admin token.
   *
   * @default {ADMIN_TOKEN}
   */
  adminToken?: string;
  /** Flags of `deno run` itself, such as `["--cpu-prof"]` to profile the server. */
  denoFlags?: string[];
  /** More flags of `deno task serve`, such as `["--max-connections", "10"]`. */
  args?: string[];
  /** The process's file descriptor limit (`ulimit -n`), run through bash. */
  fileLimit?: number;
  /** The environment, such as `RUNPLANE_SERVER_KEY`. */
  env?: Record<string, string>;
  /**
   * Drop the request log instead of keeping it in {@linkcode ServerProcess.stderr}:
   * for long benchmarks, whose log would only grow.
   */
  discardLog?: boolean;
}

/** The server process exited before it listened. */
export class ServerStartError extends Error {
  /** Its exit code. */
  readonly code: number;
  /** What it wrote to stderr. */
  readonly stderr: string;

  /** Made by {@linkcode spawnReferenceServer}. */
  constructor(code: number, stdout: string, stderr: string) {
    super(`The server did not start (exit code ${code}): ${stdout} ${stderr}`);
    this.name = "ServerStartError";
    this.code = code;
    this.stderr = stderr;
  }
}

/**
 * Runs `server/main.ts` in a subprocess on 127.0.0.1, port 0, with the admin
 * token, and waits for its "listening on" line.
 *
 * @throws {ServerStartError} When it exits (or stays silent) instead.
 */
export async function spawnReferenceServer(
  options: SpawnOptions = {},
): Promise<ServerProcess> {
  const deno = [
    Deno.execPath(),
    "run",
    ...options.denoFlags ?? [],
    "--quiet",
    `--config=${new URL("../../deno.json", import.meta.url).pathname}`,
    "--allow-net=127.0.0.1",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    new URL("../../server/main.ts", import.meta.url).pathname,
    "--hostname",
    "127.0.0.1",
    "--port",
    "0",
    ...options.database === undefined ? [] : ["--database", options.database],
    "--admin-token",
    options.adminToken ?? ADMIN_TOKEN,
    ...options.args ?? [],
  ];
  // `exec` keeps one process, so the pid and signals reach the server.
  const command = options.fileLimit === undefined ? deno : [
    "bash",
    "-c",
    `ulimit -n ${options.fileLimit} && exec "$@"`,
    "-",
    ...deno,
  ];
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: options.discardLog ? "null" : "piped",
  }).spawn();
  let stderr = "";
  const stderrDone = options.discardLog ? Promise.resolve() : (async () => {
    for await (
      const chunk of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      stderr += chunk;
    }
  })();
  let stdout = "";
  const stdoutReader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let url: URL | undefined;
  try {
    for (let reads = 0; reads < 1_000 && url === undefined; reads++) {
      const { value, done } = await stdoutReader.read();
      if (done) break;
      stdout += value;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) url = new URL(match[1]);
    }
  } catch {
    // Reported below.
  }
  const stdoutDone = (async () => {
    try {
      for (;;) {
        const { done } = await stdoutReader.read();
        if (done) break;
      }
    } catch {
      // The process is gone.
    }
  })();
  let exited: Promise<Deno.CommandStatus> | undefined;
  const kill = (signal: Deno.Signal) => {
    if (exited === undefined) {
      try {
        child.kill(signal);
      } catch {
        // Already exited.
      }
      exited = (async () => {
        const status = await child.status;
        await Promise.all([stdoutDone, stderrDone]);
        return status;
      })();
    }
    return exited;
  };
  if (url === undefined) {
    const { code } = await kill("SIGKILL");
    throw new ServerStartError(code, stdout, stderr);
  }
  const found = url;
  return {
    url: found,
    pid: child.pid,
    get stderr() {
      return stderr;
    },
    kill,
    async [Symbol.asyncDispose]() {
      await kill("SIGTERM");
    },
  };
}

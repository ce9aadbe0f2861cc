/**
 * Helpers for the chaos suite: the shared fault proxy, the reference server
 * as a subprocess that can be killed, and provisioning of a tenant with a
 * member token.
 *
 * @module
 */

import { Client } from "../../client/client.ts";
import type { ClientOptions } from "../../client/client_options.ts";
import { Credentials } from "../../auth/credentials.ts";
import type { LoadConfigOptions } from "../../config/config.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";

export {
  FAULT_KINDS,
  type FaultKind,
  type FaultProxy,
  type FaultProxyOptions,
  seededRandom,
  startFaultProxy,
} from "../_helpers/fault_proxy.ts";

/** The bootstrap admin token of every chaos server. */

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

/** Options of {@linkcode spawnServer}. */
export interface SpawnServerOptions {
  /** More flags of `deno task serve`, such as `["--max-connections", "10"]`. */
  args?: string[];
  /** The process's file descriptor limit (`ulimit -n`), run through bash. */
  fileLimit?: number;
  /** More environment variables, such as `RUNPLANE_SERVER_KEY`. */
  env?: Record<string, string>;
}

/**
 * Runs `server/main.ts` in a subprocess on port 0 with the given SQLite file
 * (or PostgreSQL URL), and waits for its "listening on" line.
 */
export async function spawnServer(
  databasePath: string,
  adminToken = ADMIN_TOKEN,
  options: SpawnServerOptions = {},
): Promise<ServerProcess> {
  const main = new URL("../../server/main.ts", import.meta.url);
  const deno = [
    Deno.execPath(),
    "run",
    "--quiet",
    "--allow-net=127.0.0.1",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    main.pathname,
    "--hostname",
    "127.0.0.1",
    "--port",
    "0",
    "--database",
    databasePath,
    "--admin-token",
    adminToken,
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
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const stderrDone = (async () => {
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
    await kill("SIGKILL");
    throw new Error(`The server did not start: ${stdout} ${stderr}`);
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

/** Options for {@linkcode makeClient}. */
export interface MakeClientOptions
  extends Omit<ClientOptions, "credentials" | "config"> {
  /** Merged over `{ endpoints, envFile: false, env: {} }`. */
  config?: LoadConfigOptions;
}

/** A client with an empty environment and fast backoff. */
export function makeClient(
  endpoints: string | URL | readonly (string | URL)[],
  credentials: ConstructorParameters<typeof Credentials>[0],
  options: MakeClientOptions = {},
): Client {
  return new Client({
    retryBackoff: { initialDelayMs: 5, maxDelayMs: 50 },
    ...options,
    credentials: new Credentials(credentials),
    config: {
      endpoints: endpoints as string,
      envFile: false,
      env: {},
      ...options.config,
    },
  });
}

/** A tenant with a member's tenant-scoped token and one flow. */
export interface Workspace {
  /** The tenant's slug. */
  slug: string;
  /** The member's tenant-scoped API token. */
  token: string;
  /** A flow in the tenant. */
  flowId: string;
}

let workspaces = 0;

/** Creates a tenant, a member with a tenant token, a project and a flow. */
export async function createWorkspace(origin: URL): Promise<Workspace> {
  const slug = `chaos-${Date.now().toString(36)}-${workspaces++}`;
  await using admin = makeClient(origin, { token: ADMIN_TOKEN });
  await admin.tenants.create({ slug, name: `Chaos ${slug}` });
  const username = `${slug}-member`;
  await admin.users.create({
    username,
    password: "chaos-password-123",
    tenant: slug,
    role: "member",
  });
  const { token } = await admin.apiTokens.create({
    name: "chaos",
    scope: "tenant",
    username,
    tenant: slug,
  });
  await using member = makeClient(origin, { token });
  const project = await member.projects.create({ name: "chaos" });
  const flow = await member.flows.register({
    name: "load",
    project: project.id,
  });
  return { slug, token, flowId: flow.id };
}

/** Runs `count` jobs with at most `concurrency` at a time. */
export async function pool(
  count: number,
  concurrency: number,
  job: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

export { ADMIN_TOKEN };

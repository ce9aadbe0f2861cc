/**
 * Shared helpers for the server tests: start a throw-away server, call it
 * over real HTTP, and set up a tenant with one user per role.
 *
 * @module
 */

import { type RunplaneServer, startServer } from "../../server/mod.ts";
import { type SigningKey, signRequest } from "../../auth/hmac.ts";
import { engineOptions } from "../_helpers/engine.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";

export const PASSWORD = "correct horse battery";

/**
 * Starts a quiet server on a free port with an in-memory database (a fresh
 * PostgreSQL one when the suite runs on PostgreSQL), or the given file.
 */
export async function testServer(
  databasePath = ":memory:",
): Promise<RunplaneServer> {
  return startServer({
    port: 0,
    ...(databasePath === ":memory:" ? await engineOptions() : { databasePath }),
    adminToken: ADMIN_TOKEN,
    quiet: true,
  });
}

/** How to call the API. */
export interface CallOptions {
  /** A JSON body, or raw text/bytes sent as is. */
  body?: unknown;
  /** A bearer token; `ADMIN_TOKEN` when neither this nor `headers.authorization` is set. */
  token?: string | null;
  /** The `X-Runplane-Tenant` header. */
  tenant?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Sign with this keypair instead of a token. */
  keypair?: SigningKey;
}

/** A response with its body read. */
export interface Answer {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** Calls `/api/v1<path>` and reads the whole answer. */
export async function call(
  server: { url: URL },
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const url = new URL(`/api/v1${path}`, server.url);
  const headers = new Headers(options.headers);
  let body: string | Uint8Array | undefined;
  if (typeof options.body === "string" || options.body instanceof Uint8Array) {
    body = options.body;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
  }
  if (body !== undefined && !headers.has("content-type")) {
    headers.set("content-type", "application/json");
  }
  if (options.tenant !== undefined) {
    headers.set("x-runplane-tenant", options.tenant);
  }
  if (options.keypair) {
    const signed = await signRequest(
      { method, url, headers, body },
      options.keypair,
    );
    for (const [name, value] of Object.entries(signed.headers)) {
      headers.set(name, value);
    }
  } else if (!headers.has("authorization") && options.token !== null) {
    headers.set("authorization", `Bearer ${options.token ?? ADMIN_TOKEN}`);
  }
  const response = await fetch(url, {
    method,
    headers,
    body: body as BodyInit | undefined,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Left as text for the test to look at.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** A tenant with one user of each role, each holding a tenant-scoped token. */
export interface TenantFixture {
  slug: string;
  id: string;
  tokens: { admin: string; member: string; viewer: string };
  usernames: { admin: string; member: string; viewer: string };
}

/**
 * Creates a tenant and three users (admin, member, viewer) with tenant-scoped
 * API tokens. Costs three password hashes.
 */
export async function createTenant(
  server: { url: URL },
  slug: string,
): Promise<TenantFixture> {
  const tenant = await call(server, "POST", "/tenants", {
    body: { slug, name: `Tenant ${slug}` },
  });
  if (tenant.status !== 201) throw new Error(`Tenant: ${tenant.status}`);
  const roles = ["admin", "member", "viewer"] as const;
  const tokens = {} as TenantFixture["tokens"];
  const usernames = {} as TenantFixture["usernames"];
  for (const role of roles) {
    const username = `${slug}-${role}`;
    const user = await call(server, "POST", "/users", {
      body: { username, password: PASSWORD, tenant: slug, role },
    });
    if (user.status !== 201) throw new Error(`User: ${user.status}`);
    const token = await call(server, "POST", "/api-tokens", {
      body: { name: role, scope: "tenant", username, tenant: slug },
    });
    if (token.status !== 201) throw new Error(`Token: ${token.status}`);
    tokens[role] = token.body.token;
    usernames[role] = username;
  }
  return { slug, id: tenant.body.id, tokens, usernames };
}

/** Creates a project, a flow and a flow run as the member. */
export async function createFlowRun(
  server: { url: URL },
  tenant: TenantFixture,
): Promise<{ projectId: string; flowId: string; flowRunId: string }> {
  const token = tenant.tokens.member;
  const project = await call(server, "POST", "/projects", {
    token,
    body: { name: `project-${crypto.randomUUID()}` },
  });
  const flow = await call(server, "POST", "/flows", {
    token,
    body: { name: "etl", projectId: project.body.id },
  });
  const run = await call(server, "POST", "/flow-runs", {
    token,
    body: { flowId: flow.body.id },
  });
  if (run.status !== 201) throw new Error(`Flow run: ${run.status}`);
  return {
    projectId: project.body.id,
    flowId: flow.body.id,
    flowRunId: run.body.id,
  };
}

/** The base64 of `user:password`, for HTTP Basic. */
export function basic(username: string, password: string): string {
  return `Basic ${btoa(`${username}:${password}`)}`;
}

/** A `deno task serve` process. */
export interface ServerProcess {
  /** The origin it listens on, or `undefined` when it exited instead. */
  url: URL | undefined;
  /** Stops it (if still running) and returns its exit code and stderr. */
  stop(signal?: Deno.Signal): Promise<{ code: number; stderr: string }>;
}

/**
 * Starts `server/main.ts` in its own process, for what only a process shows
 * (refusing to start, its log on stderr), and waits until it listens or exits.
 */
export async function spawnServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--config=${new URL("../../deno.json", import.meta.url).pathname}`,
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      new URL("../../server/main.ts", import.meta.url).pathname,
      "--port=0",
      `--admin-token=${ADMIN_TOKEN}`,
      ...args,
    ],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let output = "";
  while (!output.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    output += value;
  }
  await reader.cancel();
  const found = /http:\/\/\S+/.exec(output)?.[0];
  return {
    url: found === undefined ? undefined : new URL(found),
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch {
        // It has exited already.
      }
      const { code } = await child.status;
      return { code, stderr: await stderr };
    },
  };
}

export { ADMIN_TOKEN };

/**
 * The reference server in its own process, on a SQLite file, provisioned
 * with one tenant and a member's token: the other end of the server-backed
 * benchmarks.
 *
 * @module
 */

import { Client, Credentials } from "../mod.ts";
import { ADMIN_TOKEN } from "../tests/_helpers/admin_token.ts";

/** A provisioned reference server. */
export interface BenchServer {
  /** A client of the tenant's member. */
  client: Client;
  /** A flow to create runs of. */
  flowId: string;
  /** The server's origin. */
  url: string;
  /** The member's tenant token. */
  token: string;
  /** The bootstrap admin token. */
  adminToken: string;
  /** The member's username and password, for HTTP Basic. */
  username: string;
  password: string;
  /** The server process's id, to read its CPU time. */
  pid: number;
  /** The SQLite file or PostgreSQL URL it serves. */
  database: string;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

/** Where a reference server keeps its data. */
export interface BenchDatabase {
  /** A PostgreSQL URL; without it, a temporary SQLite file. */
  databaseUrl?: string;
  /** The server key, for PostgreSQL. */
  serverKey?: string;
}

/**
 * Starts `server/main.ts` on a temporary SQLite file (or the given
 * PostgreSQL database) and provisions it.
 */
export async function startReferenceServer(
  database: BenchDatabase = {},
): Promise<BenchServer> {
  const folder = await Deno.makeTempDir({ prefix: "runplane_bench_" });
  const adminToken = ADMIN_TOKEN;
  const location = database.databaseUrl ?? `${folder}/bench.db`;
  const instance = await spawnReferenceServer(
    location,
    adminToken,
    database.serverKey,
  );
  const url = instance.url;
  const config = { endpoints: url, envFile: false as const, env: {} };
  const admin = new Client({
    credentials: new Credentials({ token: adminToken }),
    config,
  });
  await admin.tenants.create({ slug: "bench", name: "Bench" });
  await admin.users.create({
    username: "bench",
    password: "bench-password",
    tenant: "bench",
    role: "admin",
  });
  const { token } = await admin.apiTokens.create({
    name: "bench",
    scope: "tenant",
    username: "bench",
    tenant: "bench",
  });
  await admin.close();
  const client = new Client({
    credentials: new Credentials({ token }),
    config,
  });
  const project = await client.projects.create({ name: "bench" });
  const flow = await client.flows.register({
    name: "bench",
    project: project.id,
  });
  return {
    client,
    flowId: flow.id,
    url,
    token,
    adminToken,
    username: "bench",
    password: "bench-password",
    pid: instance.pid,
    database: location,
    async stop() {
      await client.close();
      await instance.stop();
      await Deno.remove(folder, { recursive: true });
    },
  };
}

/**
 * Runs `server/main.ts` on `database` (a SQLite path or PostgreSQL URL),
 * without provisioning: another instance of a deployment.
 */
export async function spawnReferenceServer(
  database: string,
  adminToken: string,
  serverKey?: string,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      // Such as `--cpu-prof --cpu-prof-dir=prof`, to profile the server.
      ...(Deno.env.get("RUNPLANE_BENCH_SERVER_FLAGS")?.split(" ") ?? [])
        .filter((flag) => flag !== ""),
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      new URL("../server/main.ts", import.meta.url).pathname,
      "--port",
      "0",
      "--database",
      database,
      "--admin-token",
      adminToken,
      // The log shipping rows measure the client's writer, not this limit.
      "--log-lines-per-minute",
      "1000000000",
    ],
    env: serverKey === undefined ? {} : { RUNPLANE_SERVER_KEY: serverKey },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let url: string | undefined;
  while (url === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The reference server did not start: ${seen}`);
    seen += value;
    url = /listening on (\S+)/.exec(seen)?.[1];
  }
  await reader.cancel();
  return {
    url,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

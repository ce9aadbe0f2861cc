/**
 * The reference server in its own process, on a SQLite file, seeded with
 * one tenant and an admin's token: the other end of the server-backed
 * benchmarks. It is the tests' own server process and seeding
 * (`tests/_helpers/`), so the benchmarks measure what the tests check.
 *
 * @module
 */

import { Client, Credentials } from "../mod.ts";
import { spawnReferenceServer } from "../tests/_helpers/reference_server.ts";
import { ADMIN_TOKEN } from "../tests/_helpers/admin_token.ts";
import { seedTenant } from "../tests/_helpers/seed.ts";

/** A provisioned reference server. */
export interface BenchServer {
  /** A client of the tenant's admin. */
  client: Client;
  /** A flow to create runs of. */
  flowId: string;
  /** The server's origin. */
  url: string;
  /** The admin's tenant token. */
  token: string;
  /** The bootstrap admin token. */
  adminToken: string;
  /** The admin's username and password, for HTTP Basic. */
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
 * PostgreSQL database) and seeds it.
 */
export async function startBenchServer(
  database: BenchDatabase = {},
): Promise<BenchServer> {
  const folder = await Deno.makeTempDir({ prefix: "runplane_bench_" });
  const location = database.databaseUrl ?? `${folder}/bench.db`;
  const instance = await spawnBenchInstance({
    databaseUrl: location,
    serverKey: database.serverKey,
  });
  const url = instance.url.href;
  const seeded = await seedTenant(instance, "bench", {
    roles: ["admin"],
    username: () => "bench",
    password: "bench-password",
    name: "Bench",
    tokenName: "bench",
  });
  const token = seeded.tokens.admin;
  const client = new Client({
    credentials: new Credentials({ token }),
    config: { endpoints: url, envFile: false, env: {} },
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
    adminToken: ADMIN_TOKEN,
    username: "bench",
    password: seeded.password,
    pid: instance.pid,
    database: location,
    async stop() {
      await client.close();
      await instance.kill("SIGTERM");
      await Deno.remove(folder, { recursive: true });
    },
  };
}

/**
 * Runs `server/main.ts` on a database (a SQLite path or a PostgreSQL URL),
 * without seeding: another instance of a deployment. Its request log is
 * dropped, and the log-line limit lifted: the log shipping rows measure the
 * client's writer, not that limit.
 */
export function spawnBenchInstance(
  database: Required<Pick<BenchDatabase, "databaseUrl">> & BenchDatabase,
): ReturnType<typeof spawnReferenceServer> {
  return spawnReferenceServer({
    database: database.databaseUrl,
    args: ["--log-lines-per-minute", "1000000000"],
    env: database.serverKey === undefined
      ? {}
      : { RUNPLANE_SERVER_KEY: database.serverKey },
    discardLog: true,
    // Such as `--cpu-prof --cpu-prof-dir=prof`, to profile the server.
    denoFlags: (Deno.env.get("RUNPLANE_BENCH_SERVER_FLAGS") ?? "").split(" ")
      .filter((flag) => flag !== ""),
  });
}

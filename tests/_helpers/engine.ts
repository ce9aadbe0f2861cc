/**
 * Which database the server suites run on: SQLite in memory, or, when
 * `RUNPLANE_TEST_POSTGRES_URL` names a cluster (see `postgres.ts`), a fresh
 * PostgreSQL database per server. `deno task test` runs the suites both ways.
 *
 * @module
 */

import type { ServerOptions } from "../../server/mod.ts";

/** The database options of a throw-away test server. */
export async function engineOptions(): Promise<
  Pick<ServerOptions, "databasePath" | "databaseUrl" | "serverKey">
> {
  const cluster = Deno.env.get("RUNPLANE_TEST_POSTGRES_URL");
  if (!cluster) return { databasePath: ":memory:" };
  const { createDatabase } = await import("./postgres.ts");
  return { databaseUrl: await createDatabase(cluster), serverKey: randomKey() };
}

/** A new server key: base64 of 32 random bytes. */
export function randomKey(): string {
  return btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))),
  );
}

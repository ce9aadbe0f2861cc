/**
 * Helpers for the multi-instance tests: server processes sharing one
 * PostgreSQL database, and requests spread over them.
 *
 * @module
 */

import {
  type ServerProcess,
  spawnReferenceServer,
} from "../_helpers/reference_server.ts";

/**
 * Starts `count` server processes on one database, all at once.
 *
 * @throws {ServerStartError} When one does not start (the others are stopped).
 */
export async function startInstances(
  count: number,
  databaseUrl: string,
  serverKey: string,
): Promise<ServerProcess[]> {
  const started = await Promise.allSettled(
    Array.from(
      { length: count },
      () =>
        spawnReferenceServer({
          database: databaseUrl,
          env: { RUNPLANE_SERVER_KEY: serverKey },
        }),
    ),
  );
  const instances = started.flatMap((result) =>
    result.status === "fulfilled" ? [result.value] : []
  );
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    await stopInstances(instances);
    throw failed.reason;
  }
  return instances;
}

/** Stops every instance. */
export async function stopInstances(
  instances: ServerProcess[],
): Promise<void> {
  await Promise.all(instances.map((instance) => instance.kill("SIGTERM")));
}

/** Runs `perInstance` calls of `fn` on each instance, all at once. */
export function onEach<T>(
  instances: ServerProcess[],
  perInstance: number,
  fn: (server: { url: URL }, index: number) => Promise<T>,
): Promise<T[]> {
  return Promise.all(
    Array.from({ length: perInstance }).flatMap((_, i) =>
      instances.map((instance, j) =>
        fn({ url: instance.url }, i * instances.length + j)
      )
    ),
  );
}

/** How many of `values` equal each value. */
export function tally<T>(values: T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * Helpers for the multi-instance tests: server processes sharing one
 * PostgreSQL database, and requests spread over them.
 *
 * @module
 */

import { type ServerProcess, spawnServer } from "../server/_helpers.ts";

/** Starts `count` server processes on one database, all at once. */
export async function startInstances(
  count: number,
  databaseUrl: string,
  serverKey: string,
): Promise<ServerProcess[]> {
  const instances = await Promise.all(
    Array.from(
      { length: count },
      () =>
        spawnServer(["--database", databaseUrl], {
          RUNPLANE_SERVER_KEY: serverKey,
        }),
    ),
  );
  const failed = instances.find((instance) => instance.url === undefined);
  if (failed) {
    const outputs = await Promise.all(instances.map((i) => i.stop()));
    throw new Error(
      `An instance did not start: ${outputs.map((o) => o.stderr).join("\n")}`,
    );
  }
  return instances;
}

/** Stops every instance. */
export async function stopInstances(
  instances: ServerProcess[],
): Promise<void> {
  await Promise.all(instances.map((instance) => instance.stop()));
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
        fn({ url: instance.url! }, i * instances.length + j)
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

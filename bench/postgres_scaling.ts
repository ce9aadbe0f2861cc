/**
 * Flow runs created and state changes per second on PostgreSQL with one and
 * with two server instances, next to SQLite, measured side by side. Two
 * instances get half the calls each, from one client per instance.
 *
 * @module
 */

import { Client, Credentials } from "../mod.ts";
import type { Row } from "./_row.ts";
import { pool } from "./_stats.ts";
import {
  type BenchServer,
  spawnBenchInstance,
  startBenchServer,
} from "./_bench_server.ts";
import {
  createDatabase,
  findPostgresBin,
  startPostgres,
} from "../tests/_helpers/postgres.ts";

const RUNS = 2_000;
const CONCURRENCY = 50;

interface Rates {
  created: number;
  changed: number;
}

/** The PostgreSQL rows; skipped, with a note, where PostgreSQL is missing. */
export async function postgresScaling(): Promise<Row[]> {
  if (findPostgresBin() === undefined) {
    return [{
      name: "Reference server on PostgreSQL, 1 and 2 instances",
      figure:
        "skipped: PostgreSQL is not installed (apt-get install postgresql)",
      goal: "(no goal)",
    }];
  }
  const sqlite = await measure({}, 1);
  await using cluster = await startPostgres();
  const serverKey = btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))),
  );
  const one = await measure(
    { databaseUrl: await createDatabase(cluster.url), serverKey },
    1,
  );
  const two = await measure(
    { databaseUrl: await createDatabase(cluster.url), serverKey },
    2,
  );
  const row = (
    label: string,
    rates: Rates,
    key: keyof Rates,
    what: string,
  ): Row => ({
    name: `Reference server (${label}): ${what}, concurrency ${CONCURRENCY}`,
    figure: `${Math.round(rates[key]).toLocaleString("en")} /s (${
      (rates[key] / sqlite[key]).toFixed(2)
    }x SQLite)`,
    goal: "(no goal)",
  });
  return [
    row("SQLite file, same run", sqlite, "created", "flow runs created"),
    row("PostgreSQL, 1 instance", one, "created", "flow runs created"),
    row("PostgreSQL, 2 instances", two, "created", "flow runs created"),
    row("SQLite file, same run", sqlite, "changed", "state changes"),
    row("PostgreSQL, 1 instance", one, "changed", "state changes"),
    row("PostgreSQL, 2 instances", two, "changed", "state changes"),
  ];
}

/** Starts `instances` servers on one database and measures both rates. */
async function measure(
  database: { databaseUrl?: string; serverKey?: string },
  instances: number,
): Promise<Rates> {
  const first: BenchServer = await startBenchServer(database);
  const others = await Promise.all(
    Array.from(
      { length: instances - 1 },
      () =>
        spawnBenchInstance({
          databaseUrl: database.databaseUrl!,
          serverKey: database.serverKey,
        }),
    ),
  );
  const clients = [
    first.client,
    ...others.map((other) =>
      new Client({
        credentials: new Credentials({ token: first.token }),
        config: { endpoints: other.url.href, envFile: false, env: {} },
      })
    ),
  ];
  try {
    const runs: Array<{ id: string; version: number }> = [];
    let started = performance.now();
    await pool(RUNS, CONCURRENCY, async (i) => {
      runs.push(
        await clients[i % clients.length].flowRuns.create({
          flowId: first.flowId,
          parameters: { i },
        }),
      );
    });
    const created = RUNS / ((performance.now() - started) / 1000);
    started = performance.now();
    await pool(runs.length, CONCURRENCY, async (i) => {
      await clients[i % clients.length].flowRuns.setState(runs[i].id, {
        version: runs[i].version,
        state: "RUNNING",
      });
    });
    const changed = runs.length / ((performance.now() - started) / 1000);
    return { created, changed };
  } finally {
    await Promise.all(clients.slice(1).map((client) => client.close()));
    await Promise.all(others.map((other) => other.kill("SIGTERM")));
    await first.stop();
  }
}

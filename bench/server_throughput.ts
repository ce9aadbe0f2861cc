import { pool } from "./_stats.ts";
import type { Row } from "./_row.ts";
import type { BenchServer } from "./_bench_server.ts";

const RUNS = 2_000;
const CONCURRENCY = 50;

/** The reference server on a SQLite file: flow runs created and state changes per second at concurrency 50. */
export async function serverThroughput(server: BenchServer): Promise<Row[]> {
  const { client, flowId } = server;
  const runs: Array<{ id: string; version: number }> = [];
  let started = performance.now();
  await pool(RUNS, CONCURRENCY, async (i) => {
    runs.push(await client.flowRuns.create({ flowId, parameters: { i } }));
  });
  const created = RUNS / ((performance.now() - started) / 1000);
  started = performance.now();
  await pool(runs.length, CONCURRENCY, async (i) => {
    await client.flowRuns.setState(runs[i].id, {
      version: runs[i].version,
      state: "RUNNING",
    });
  });
  const changed = runs.length / ((performance.now() - started) / 1000);
  return [
    {
      name: "Reference server (SQLite file): flow runs created, concurrency 50",
      figure: `${Math.round(created).toLocaleString("en")} /s`,
      goal: "(no goal)",
    },
    {
      name: "Reference server (SQLite file): state changes, concurrency 50",
      figure: `${Math.round(changed).toLocaleString("en")} /s`,
      goal: "(no goal)",
    },
  ];
}

/**
 * `deno task bench`: every figure as a ratio or difference measured side by
 * side in one run, printed as one Markdown table. `deno task bench --only
 * client` runs only the client's rows (memory, CPU, loopback, many users,
 * failover, cold start: no reference server, no PostgreSQL); `--only server`
 * runs only the server hot path rows (the reference server against a bare
 * `Deno.serve` + `node:sqlite` peer).
 *
 * @module
 */

import { type Row, startJsonServer } from "./_row.ts";
import { requestOverhead } from "./request_overhead.ts";
import { manyUsers } from "./many_users.ts";
import { coldStart } from "./cold_start.ts";
import { clientMemory } from "./client_memory.ts";
import { failover } from "./failover.ts";
import { startBenchServer } from "./_bench_server.ts";
import { logShipping } from "./log_shipping.ts";
import { serverThroughput } from "./server_throughput.ts";
import { runnerOverhead } from "./runner_overhead.ts";
import { passwordLoad } from "./password_load.ts";
import { clientCpu } from "./client_cpu.ts";
import { inFlightMemory } from "./in_flight_memory.ts";
import { postgresScaling } from "./postgres_scaling.ts";
import { serverHotPath } from "./server_hot_path.ts";

const only = Deno.args[0] === "--only" ? Deno.args[1] : undefined;
if (only !== undefined && only !== "client" && only !== "server") {
  throw new Error(`Unknown --only ${only}: the subsets are client and server`);
}

const rows: Row[] = [];
if (only !== "server") await clientRows();
if (only === undefined) await referenceServerRows();
if (only !== "client") rows.push(...await serverHotPath());

async function clientRows(): Promise<void> {
  rows.push(...clientMemory());
  rows.push(...await clientCpu());
  const server = await startJsonServer();
  try {
    rows.push(...await inFlightMemory(server.url));
    rows.push(...await requestOverhead(server.url));
    rows.push(...await manyUsers(server.url));
    rows.push(...await failover(server.url));
  } finally {
    await server.stop();
  }
  rows.push(...await coldStart());
}

async function referenceServerRows(): Promise<void> {
  const reference = await startBenchServer();
  try {
    rows.push(...await serverThroughput(reference));
    rows.push(...await logShipping(reference));
    rows.push(...await runnerOverhead(reference));
    rows.push(...await passwordLoad(reference));
  } finally {
    await reference.stop();
  }
  rows.push(...await postgresScaling());
}

const lines = [
  `Deno ${Deno.version.deno}, ${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores, ${
    new Date().toISOString().slice(0, 10)
  }`,
  "",
  "| benchmark | figure | goal | met |",
  "| --- | --- | --- | --- |",
  ...rows.map((row) =>
    `| ${row.name} | ${row.figure} | ${row.goal} | ${
      row.met === undefined ? "" : row.met ? "yes" : "no"
    } |`
  ),
];
// deno-lint-ignore no-console
console.log(lines.join("\n"));

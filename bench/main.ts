/**
 * `deno task bench`: every figure as a ratio or difference measured side by
 * side in one run, printed as one Markdown table. `deno task bench --only
 * server` runs the server hot path rows alone.
 *
 * @module
 */

import { type Row, startJsonServer } from "./_row.ts";
import { requestOverhead } from "./request_overhead.ts";
import { manyUsers } from "./many_users.ts";
import { coldStart } from "./cold_start.ts";
import { clientMemory } from "./client_memory.ts";
import { failover } from "./failover.ts";
import { startReferenceServer } from "./_reference_server.ts";
import { logShipping } from "./log_shipping.ts";
import { serverThroughput } from "./server_throughput.ts";
import { runnerOverhead } from "./runner_overhead.ts";
import { passwordLoad } from "./password_load.ts";
import { clientCpu } from "./client_cpu.ts";
import { postgresScaling } from "./postgres_scaling.ts";
import { serverHotPath } from "./server_hot_path.ts";

const rows: Row[] = [];
if (Deno.args.includes("--only")) {
  const only = Deno.args[Deno.args.indexOf("--only") + 1];
  if (only !== "server") throw new Error(`Unknown bench group: ${only}`);
  printTable(await serverHotPath());
  Deno.exit(0);
}
rows.push(...clientMemory());
rows.push(...await clientCpu());
const server = await startJsonServer();
try {
  rows.push(...await requestOverhead(server.url));
  rows.push(...await manyUsers(server.url));
  rows.push(...await failover(server.url));
} finally {
  await server.stop();
}
rows.push(...await coldStart());
const reference = await startReferenceServer();
try {
  rows.push(...await serverThroughput(reference));
  rows.push(...await logShipping(reference));
  rows.push(...await runnerOverhead(reference));
  rows.push(...await passwordLoad(reference));
} finally {
  await reference.stop();
}
rows.push(...await postgresScaling());
rows.push(...await serverHotPath());
printTable(rows);

function printTable(rows: Row[]): void {
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
}

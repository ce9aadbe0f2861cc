/**
 * An agent: serves the `nightly` flow, so that every run of it that someone
 * schedules (the CLI, the web view, another process) runs here once its
 * start time has come. Two agents serving the same flow never run one run
 * twice.
 *
 * This script starts a throw-away reference server and schedules three runs
 * itself, as `runplane flow-runs create --version-group-id ...` would. With a
 * server of your own, leave that part out and build the client from the
 * environment: `serve([nightly])` then runs until Ctrl-C.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-env --allow-read examples/agent.ts
 * ```
 *
 * @module
 */
// deno-lint-ignore-file no-console

import {
  Client,
  Credentials,
  flow,
  getRunLogger,
  serve,
  task,
} from "../mod.ts";
import { startServer } from "../server/mod.ts";

const count = task("count", (day: string) => day.length * 100);
const nightly = flow(
  "nightly",
  { project: "churn" },
  async ({ day }: { day: string }) => {
    const rows = await count(day);
    getRunLogger().info(`${rows} rows for ${day}`);
    return rows;
  },
);

await using server = await startServer({
  port: 0,
  databasePath: ":memory:",
  adminToken: "agent-admin",
  quiet: true,
});
await using admin = new Client({
  credentials: new Credentials({ token: "agent-admin" }),
  config: { endpoints: server.url.href },
});
await admin.tenants.create({ slug: "acme", name: "Acme" });
const { token } = await admin.apiTokens.create({
  name: "agent",
  scope: "tenant",
  username: (await admin.users.create({
    username: "ada",
    password: "correct horse battery",
    tenant: "acme",
    role: "member",
  })).username,
  tenant: "acme",
});
await using client = new Client({
  credentials: new Credentials({ token }),
  config: { endpoints: server.url.href },
});

// The agent: polls every 100 ms, runs at most two runs at once.
const stop = new AbortController();
Deno.addSignalListener("SIGINT", () => stop.abort());
const agent = serve([nightly], {
  client,
  signal: stop.signal,
  pollIntervalMs: 100,
  concurrency: 2,
  name: "example-agent",
});

// Someone else schedules runs of the flow the agent registered.
let flows = await client.flows.list().toArray();
for (let i = 0; i < 100 && flows.length === 0; i++) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  flows = await client.flows.list().toArray();
}
const runs = await Promise.all(
  ["2026-11-27", "2026-11-28", "2026-11-29"].map((day) =>
    client.flowRuns.create({
      versionGroupId: flows[0].versionGroupId,
      parameters: { day },
    })
  ),
);
for (const run of runs) {
  const state = await client.flowRuns.wait(run.id, {
    pollIntervalMs: 50,
    timeoutMs: 30_000,
  });
  console.log(`${run.name}: ${state.type}, ${state.result} rows`);
}
stop.abort();
await agent;
console.log("agent stopped");

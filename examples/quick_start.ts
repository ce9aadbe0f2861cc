import { Client, Credentials, flow, getRunLogger, task } from "../mod.ts"; // jsr:@runplane/client
import { startServer } from "../server/mod.ts"; // jsr:@runplane/client/server

// A throw-away local server; point `endpoints` at yours instead.
await using server = await startServer({
  port: 0,
  databasePath: ":memory:",
  adminToken: "quick-start-admin",
  quiet: true,
});
const endpoints = server.url.href;

// The admin token provisions a tenant, a user and the user's API token.
await using admin = new Client({
  credentials: new Credentials({ token: "quick-start-admin" }),
  config: { endpoints },
});
await admin.tenants.create({ slug: "acme", name: "Acme" });
await admin.users.create({
  username: "ada",
  password: "correct horse battery",
  tenant: "acme",
  role: "member",
});
const { token } = await admin.apiTokens.create({
  name: "quick start",
  scope: "tenant",
  username: "ada",
  tenant: "acme",
});

// Ada's own client runs a flow; the runner records its states and logs.
await using client = new Client({
  credentials: new Credentials({ token }),
  config: { endpoints },
});

const prepare = task(
  "prepare",
  (epochs: number) => Array.from({ length: epochs }, (_, i) => i + 1),
);
const fit = task("fit", { retries: 2 }, (epoch: number) => {
  getRunLogger().info(`epoch ${epoch}`);
  return 1 / epoch;
});
const train = flow(
  "train",
  { project: "churn-model" },
  async ({ epochs }: { epochs: number }, { flowRun }) => {
    const losses = await fit.map(await prepare(epochs));
    return { runId: flowRun.id, loss: Math.min(...losses) };
  },
);

const { runId, loss } = await train.run({ epochs: 3 }, { client });
const done = await client.flowRuns.get(runId);
// deno-lint-ignore no-console
console.log(
  `${done.name}: ${done.state.type} after ${done.history?.length} states, loss ${
    loss.toFixed(3)
  }`,
);

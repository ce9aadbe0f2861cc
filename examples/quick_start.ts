import { Client, Credentials } from "../mod.ts"; // jsr:@runplane/client
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

// Ada's own client: create a flow, run it, record its states and logs.
await using client = new Client({
  credentials: new Credentials({ token }),
  config: { endpoints },
});
const project = await client.projects.create({ name: "churn-model" });
const flow = await client.flows.register({
  name: "train",
  project: project.id,
});
const run = await client.flowRuns.create({
  flowId: flow.id,
  parameters: { epochs: 3 },
});
const running = await client.flowRuns.setState(run.id, {
  version: run.version,
  state: "RUNNING",
});
await client.logs.write([{
  flowRunId: run.id,
  level: "INFO",
  message: "training",
}]);
await client.flowRuns.setState(run.id, {
  version: running.version,
  state: "SUCCESS",
});

const done = await client.flowRuns.get(run.id);
// deno-lint-ignore no-console
console.log(
  `${done.name}: ${done.state.type} after ${done.history?.length} states`,
);

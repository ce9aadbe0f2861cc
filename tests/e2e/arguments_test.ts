import assert from "node:assert/strict";
import { Client } from "../../client/client.ts";
import { Credentials } from "../../auth/credentials.ts";
import { InvalidArgumentError } from "../../errors.ts";

Deno.test("resource methods reject bad arguments before any request", async () => {
  let requests = 0;
  await using client = new Client({
    credentials: new Credentials({ token: "unused-token" }),
    config: { endpoints: "http://127.0.0.1:9", envFile: false, env: {} },
    fetch: () => {
      requests++;
      return Promise.reject(new Error("no request expected"));
    },
  });
  const calls: Array<[string, () => unknown]> = [
    ["tenants.create", () => client.tenants.create({ slug: "A", name: "a" })],
    ["users.create", () =>
      client.users.create({
        username: "u",
        password: "long enough",
        tenant: "t",
        role: "root" as never,
      })],
    ["apiTokens.create", () => client.apiTokens.create({ name: "" } as never)],
    [
      "accessKeys.create",
      () => client.accessKeys.create({ username: "u" } as never),
    ],
    ["projects.create", () => client.projects.create({ name: 3 } as never)],
    ["projects.get", () => client.projects.get(undefined as never)],
    ["flows.register", () => client.flows.register({ name: "f" } as never)],
    [
      "flowRuns.create",
      () => client.flowRuns.create({ flowId: "f", parameters: [] as never }),
    ],
    [
      "flowRuns.create idempotencyKey",
      () =>
        client.flowRuns.create({
          flowId: "f",
          idempotencyKey: "k".repeat(256),
        }),
    ],
    ["flowRuns.list", () => client.flowRuns.list({ limit: 501 })],
    [
      "flowRuns.setState",
      () => client.flowRuns.setState("r", { version: -1, state: "RUNNING" }),
    ],
    ["taskRuns.getOrCreate", () =>
      client.taskRuns.getOrCreate({
        flowRunId: "r",
        taskId: "t",
        tags: [""],
      })],
    ["taskRuns.setState", () =>
      client.taskRuns.setState("t", {
        version: 1,
        state: "RUNNING",
        cacheFor: -5,
      })],
    [
      "concurrencyLimits.update",
      () => client.concurrencyLimits.update("tag", -1),
    ],
    [
      "logs.write",
      () =>
        client.logs.write([{ flowRunId: "r", level: "trace", message: "m" }]),
    ],
    ["logs.list", () => client.logs.list({} as never)],
    [
      "logs.writer",
      () => client.logs.writer({ flowRunId: "r", maxBuffered: 0 }),
    ],
    ["secrets.set", () => client.secrets.set("a b", "value")],
    ["secrets.get", () => client.secrets.get("")],
    [
      "agents.register",
      () => client.agents.register({ type: "p", labels: { a: 1 } as never }),
    ],
    ["uiUrl", () => client.uiUrl("flow-run", "r")],
  ];
  for (const [name, call] of calls) {
    let caught: unknown;
    try {
      await call();
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof InvalidArgumentError, `${name}: ${caught}`);
  }
  assert.equal(requests, 0);
  assert.equal(await client.flowRuns.heartbeat(""), false);
  assert.equal(requests, 0);
});

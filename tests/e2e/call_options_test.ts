import { startReferenceServer } from "../_helpers/reference_server.ts";
import assert from "node:assert/strict";
import {
  AbortError,
  ApiError,
  ConflictError,
  TimeoutError,
} from "../../errors.ts";
import type { Client } from "../../client/client.ts";
import { ApiResources } from "../../client/api_resources.ts";
import type { CallOptions } from "../../client/request_options.ts";
import { apiError, hang, startServer } from "../_helpers/test_server.ts";
import { testClient } from "../_helpers/client.ts";
import { createTenant } from "./_helpers.ts";

/** A typed call that takes the per-call options last. */
type Call = (client: Client, call: CallOptions) => Promise<unknown>;

const ID = "0190f0c4-aaaa-7bbb-8ccc-000000000001";

// One row per resource that writes (POST where it has one) and one that
// reads, so a resource whose methods drop the options fails its rows.
const WRITES: Record<string, Call> = {
  tenants: (c, call) => c.tenants.create({ slug: "acme", name: "Acme" }, call),
  users: (c, call) =>
    c.users.create({
      username: "ada",
      password: "correct horse",
      tenant: "acme",
      role: "member",
    }, call),
  apiTokens: (c, call) =>
    c.apiTokens.create({ name: "ci", scope: "tenant", tenant: "acme" }, call),
  accessKeys: (c, call) =>
    c.accessKeys.create({ username: "ada", tenant: "acme" }, call),
  projects: (c, call) => c.projects.create({ name: "churn" }, call),
  flows: (c, call) => c.flows.register({ name: "etl", project: ID }, call),
  flowRuns: (c, call) => c.flowRuns.create({ flowId: ID }, call),
  taskRuns: (c, call) =>
    c.taskRuns.getOrCreate({ flowRunId: ID, taskId: "extract" }, call),
  concurrencyLimits: (c, call) => c.concurrencyLimits.update("db", 2, call),
  logs: (c, call) =>
    c.logs.write([{ flowRunId: ID, level: "INFO", message: "hi" }], {}, call),
  secrets: (c, call) => c.secrets.set("api-key", "sk_example", call),
  agents: (c, call) => c.agents.register({ type: "process" }, call),
};

const READS: Record<string, Call> = {
  tenants: (c, call) => c.tenants.list({}, call).toArray(),
  users: (c, call) =>
    c.users.removeMembership({ username: "ada", tenant: "acme" }, call),
  apiTokens: (c, call) => c.apiTokens.list({}, call).toArray(),
  accessKeys: (c, call) =>
    c.accessKeys.revoke("RPAKABCDEFGHIJKLMNOPQRST", call),
  projects: (c, call) => c.projects.get(ID, call),
  flows: (c, call) => c.flows.list({ name: "etl" }, call).toArray(),
  flowRuns: async (c, call) => await c.flowRuns.list({}, call),
  taskRuns: (c, call) => c.taskRuns.get(ID, call),
  concurrencyLimits: (c, call) => c.concurrencyLimits.get("db", call),
  logs: (c, call) => c.logs.list({ flowRunId: ID }, call).toArray(),
  secrets: (c, call) => c.secrets.get("api-key", call),
  agents: (c, call) => c.agents.register({ type: "gpu" }, call),
};

const ROWS: Array<[string, Call]> = [
  ...Object.entries(WRITES).map(([name, call]): [string, Call] => [
    `${name} (write)`,
    call,
  ]),
  ...Object.entries(READS).map(([name, call]): [string, Call] => [
    `${name} (read)`,
    call,
  ]),
];

/** Fails instead of hanging when a call ignores its options. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`The call did not end within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function arrival(requests: unknown[], count: number): Promise<void> {
  for (let i = 0; i < 500 && requests.length < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(requests.length, count, "the request reached the server");
}

Deno.test("per-call options: the tables cover every resource of the client", () => {
  const resources = Object.entries(
    Object.getOwnPropertyDescriptors(ApiResources.prototype),
  ).filter(([, descriptor]) => descriptor.get !== undefined)
    .map(([name]) => name).sort();
  assert.deepEqual(Object.keys(WRITES).sort(), resources);
  assert.deepEqual(Object.keys(READS).sort(), resources);
});

Deno.test("per-call options: a signal aborts a typed call in flight", async (t) => {
  await using server = startServer(() => hang());
  // Without the call's signal a call would wait 30 s per attempt.
  await using client = testClient(server.url, {
    config: { timeoutMs: 30_000, maxRetries: 3 },
  });
  for (const [name, call] of ROWS) {
    await t.step(name, async () => {
      const controller = new AbortController();
      const sent = server.requests.length;
      const pending = call(client, { signal: controller.signal });
      pending.catch(() => {});
      await arrival(server.requests, sent + 1);
      controller.abort();
      await assert.rejects(within(pending, 5_000), AbortError);
    });
  }
});

Deno.test("per-call options: timeoutMs times out against a hanging server", async (t) => {
  await using server = startServer(() => hang());
  await using client = testClient(server.url, {
    config: { timeoutMs: 30_000, maxRetries: 3 },
  });
  for (const [name, call] of ROWS) {
    await t.step(name, async () => {
      const sent = server.requests.length;
      await assert.rejects(
        within(call(client, { timeoutMs: 50, maxRetries: 0 }), 5_000),
        TimeoutError,
      );
      assert.equal(server.requests.length, sent + 1);
    });
  }
});

Deno.test("per-call options: maxRetries: 0 sends one request, with the call's headers", async (t) => {
  await using server = startServer(() =>
    apiError(503, "server_busy", "Try again later")
  );
  await using client = testClient(server.url, {
    config: { maxRetries: 3 },
  });
  for (const [name, call] of ROWS) {
    await t.step(name, async () => {
      const sent = server.requests.length;
      const error = await within(
        call(client, { maxRetries: 0, headers: { "x-call": name } }).then(
          () => assert.fail("expected the call to fail"),
          (error: unknown) => error,
        ),
        5_000,
      );
      assert.ok(error instanceof ApiError && error.status === 503, `${error}`);
      assert.equal(server.requests.length, sent + 1, "exactly one request");
      assert.equal(server.requests[sent].headers.get("x-call"), name);
    });
  }
});

Deno.test("per-call options: idempotencyKey is sent by every resource's POST", async (t) => {
  await using server = startServer(() =>
    apiError(400, "invalid_body", "Recorded only")
  );
  await using client = testClient(server.url);
  const posts = Object.entries(WRITES).filter(([name]) =>
    // PUT is idempotent by itself: these two resources have no POST.
    name !== "concurrencyLimits" && name !== "secrets"
  );
  for (const [name, call] of posts) {
    await t.step(name, async () => {
      const sent = server.requests.length;
      await assert.rejects(call(client, { idempotencyKey: `key-${name}` }));
      assert.equal(server.requests[sent].method, "POST");
      assert.equal(
        server.requests[sent].headers.get("idempotency-key"),
        `key-${name}`,
      );
    });
  }
});

Deno.test("per-call options: a replay with the same idempotencyKey returns the same resource", async (t) => {
  await using server = await startReferenceServer();
  const admin = server.admin;
  const tenant = await createTenant(server, "admin");
  const client = tenant.client;
  const project = await client.projects.create({ name: "base" });
  const flow = await client.flows.register({ name: "f", project: project.id });
  const run = await client.flowRuns.create({ flowId: flow.id });
  const replays: Record<string, (call: CallOptions) => Promise<unknown>> = {
    "tenants.create": (call) =>
      admin.tenants.create({ slug: "replayed", name: "Replayed" }, call),
    "users.create": (call) =>
      admin.users.create({
        username: "replayed-user",
        password: "correct horse",
        tenant: tenant.slug,
        role: "viewer",
      }, call),
    "apiTokens.create": (call) =>
      client.apiTokens.create({ name: "replayed", scope: "tenant" }, call),
    "accessKeys.create": (call) =>
      admin.accessKeys.create({
        username: tenant.username,
        tenant: tenant.slug,
      }, call),
    "projects.create": (call) =>
      client.projects.create({ name: "replayed" }, call),
    "flows.register": (call) =>
      client.flows.register({ name: "replayed", project: project.id }, call),
    "flowRuns.create": (call) =>
      client.flowRuns.create({ flowId: flow.id }, call),
    "flowRuns.setState": (call) =>
      client.flowRuns.setState(run.id, { version: 1, state: "RUNNING" }, call),
    "agents.register": (call) =>
      client.agents.register({ type: "process" }, call),
  };
  for (const [name, replay] of Object.entries(replays)) {
    await t.step(name, async () => {
      const call = { idempotencyKey: `replay-${name}` };
      const first = await replay(call);
      // Without the key the second call would conflict or make another one.
      assert.deepEqual(await replay(call), first);
    });
  }
  await t.step("without a key, a second create is a conflict", async () => {
    await client.projects.create({ name: "once" });
    await assert.rejects(
      client.projects.create({ name: "once" }),
      ConflictError,
    );
  });
});

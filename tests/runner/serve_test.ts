import assert from "node:assert/strict";
import { flow, InvalidArgumentError, serve } from "../../mod.ts";
import { createTenant, rejectsWith } from "../e2e/_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("serve() with two agents runs each of 50 scheduled runs exactly once", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const second = server.client(
    { username: tenant.username, password: tenant.password },
    { tenant: tenant.slug },
  );
  // Registered and scheduled by hand, as the CLI or another process would.
  const project = await tenant.client.projects.create({ name: "default" });
  const registered = await tenant.client.flows.register({
    name: "batch",
    project: project.id,
  });
  const later = new Date(Date.now() + 3_600_000);
  const notYet = await tenant.client.flowRuns.create({
    flowId: registered.id,
    scheduledStartTime: later,
  });
  const runs = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      tenant.client.flowRuns.create({
        versionGroupId: registered.versionGroupId,
        parameters: { i },
      })),
  );
  const executions = new Map<string, number>();
  const byAgent = [0, 0];
  const batch = (agent: number) =>
    flow("batch", async ({ i }: { i: number }, context) => {
      executions.set(
        context.flowRun.id,
        (executions.get(context.flowRun.id) ?? 0) + 1,
      );
      byAgent[agent]++;
      await new Promise((resolve) => setTimeout(resolve, 2));
      return i * 2;
    });
  const stop = new AbortController();
  const agents = [
    serve([batch(0)], {
      client: tenant.client,
      signal: stop.signal,
      pollIntervalMs: 20,
      concurrency: 5,
      name: "agent-0",
    }),
    serve([batch(1)], {
      client: second,
      signal: stop.signal,
      pollIntervalMs: 20,
      concurrency: 5,
      name: "agent-1",
    }),
  ];
  try {
    for (let i = 0; i < 1000 && executions.size < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    stop.abort();
    await Promise.all(agents);
  }
  assert.equal(executions.size, 50);
  assert.ok([...executions.values()].every((count) => count === 1));
  assert.equal(byAgent[0] + byAgent[1], 50);
  const finished = await Promise.all(
    runs.map((run) => tenant.client.flowRuns.get(run.id)),
  );
  for (const [i, run] of finished.entries()) {
    assert.equal(run.state.type, "SUCCESS");
    assert.equal(run.state.result, i * 2);
    assert.deepEqual(
      run.history?.map((state) => state.type),
      ["SCHEDULED", "PENDING", "RUNNING", "SUCCESS"],
    );
  }
  const future = await tenant.client.flowRuns.get(notYet.id);
  assert.equal(future.state.type, "SCHEDULED", "a run not yet due waits");
});

Deno.test("serve() refuses what is not a flow, and names served twice", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  const one = flow("one", () => 1);
  const error = await rejectsWith(
    serve([one, {} as typeof one], { client }),
    InvalidArgumentError,
  );
  assert.equal(
    error.message,
    "flows[1] is not a flow: make it with flow(name, fn)",
  );
  const twice = await rejectsWith(
    serve([one, flow("one", () => 2)], { client }),
    InvalidArgumentError,
  );
  assert.equal(
    twice.message,
    "flows has two flows named one: serve each name once",
  );
});

Deno.test("serve() stops on its signal after the runs it started have finished", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  const stop = new AbortController();
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  let started = false;
  const slow = flow("slow", async () => {
    started = true;
    await released;
    return "done";
  });
  const agent = serve([slow], {
    client,
    signal: stop.signal,
    pollIntervalMs: 10,
  });
  let flows = await client.flows.list().toArray();
  for (let i = 0; i < 500 && flows.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    flows = await client.flows.list().toArray();
  }
  const run = await client.flowRuns.create({ flowId: flows[0].id });
  for (let i = 0; i < 500 && !started; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(started, "the agent started the run");
  stop.abort();
  let stopped = false;
  const whenStopped = agent.then(() => stopped = true);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(stopped, false, "the agent waits for its run");
  release();
  await whenStopped;
  const finished = await client.flowRuns.get(run.id);
  assert.equal(finished.state.type, "SUCCESS");
  assert.equal(finished.state.result, "done");
  const later = await client.flowRuns.create({ flowId: flows[0].id });
  assert.equal(
    (await client.flowRuns.get(later.id)).state.type,
    "SCHEDULED",
    "a stopped agent claims nothing",
  );
});

import assert from "node:assert/strict";
import { createTenant } from "./_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("taskRuns.setState() lets exactly the limit run under a race", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "admin");
  const project = await client.projects.create({ name: "race" });
  const flow = await client.flows.register({ name: "f", project: project.id });
  const run = await client.flowRuns.create({ flowId: flow.id });
  await client.concurrencyLimits.update("gpu", 3);
  const tasks = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      client.taskRuns.getOrCreate({
        flowRunId: run.id,
        taskId: `task-${i}`,
        tags: ["gpu", `own-${i}`],
      })),
  );
  const changes = await Promise.all(
    tasks.map((task) =>
      client.taskRuns.setState(task.id, {
        version: task.version,
        state: "RUNNING",
      })
    ),
  );
  const running = changes.filter((c) => c.state.type === "RUNNING");
  const queued = changes.filter((c) => c.state.type === "QUEUED");
  assert.equal(running.length, 3);
  assert.equal(queued.length, 47);
  for (const change of queued) {
    assert.ok(
      typeof change.retryAfterMs === "number" && change.retryAfterMs > 0,
    );
  }
  const limit = await client.concurrencyLimits.get("gpu");
  assert.equal(limit.active, 3);
  const states = await Promise.all(tasks.map((t) => client.taskRuns.get(t.id)));
  assert.equal(states.filter((s) => s.state.type === "RUNNING").length, 3);
});

import { deepEqual, equal } from "node:assert/strict";
import type { Store } from "../../server/store.ts";
import { openStore } from "../../server/store/open_store.ts";

async function withRun(store: Store, slug: string) {
  const tenant = await store.createTenant({ slug, name: slug });
  const project = await store.createProject(tenant.id, {
    name: "p",
    description: null,
  });
  const flow = await store.createFlow(tenant.id, {
    name: "f",
    projectId: project.id,
    definition: null,
    scheduleActive: true,
  });
  const { run } = await store.createFlowRun(tenant.id, {
    flowId: flow.id,
    parameters: {},
    context: {},
    scheduledStartTime: new Date().toISOString(),
    idempotencyExpiresAt: Date.now() + 60_000,
  });
  return { tenantId: tenant.id, runId: run.id };
}

Deno.test("Store.listTaskRuns() answers a run's task runs, oldest first, in its tenant only", async () => {
  await using store = disposable(await openStore(":memory:"));
  const acme = await withRun(store.value, "acme");
  const globex = await withRun(store.value, "globex");
  const made = [];
  for (const [taskId, mapIndex] of [["b", -1], ["a", 1], ["a", 0]] as const) {
    const { taskRun } = await store.value.createTaskRun(acme.tenantId, {
      flowRunId: acme.runId,
      taskId,
      mapIndex,
      tags: ["t"],
    });
    made.push(taskRun);
  }
  await store.value.createTaskRun(globex.tenantId, {
    flowRunId: globex.runId,
    taskId: "other",
    mapIndex: -1,
    tags: [],
  });

  const listed = await store.value.listTaskRuns(acme.tenantId, acme.runId, 10);
  // Same creation time sorts by task id, then map index.
  const expected = [...made].sort((x, y) =>
    x.createdAt.localeCompare(y.createdAt) ||
    x.taskId.localeCompare(y.taskId) ||
    x.mapIndex - y.mapIndex
  );
  deepEqual(listed, expected);
  equal(
    (await store.value.listTaskRuns(acme.tenantId, acme.runId, 2)).length,
    2,
  );
  deepEqual(
    await store.value.listTaskRuns(globex.tenantId, acme.runId, 10),
    [],
  );
  deepEqual(
    await store.value.listTaskRuns(acme.tenantId, globex.runId, 10),
    [],
  );
});

Deno.test("Store.recentLogs() answers the newest lines, oldest first, in its tenant only", async () => {
  await using store = disposable(await openStore(":memory:"));
  const acme = await withRun(store.value, "acme");
  const globex = await withRun(store.value, "globex");
  const { taskRun } = await store.value.createTaskRun(acme.tenantId, {
    flowRunId: acme.runId,
    taskId: "t",
    mapIndex: -1,
    tags: [],
  });
  const timestamp = new Date().toISOString();
  await store.value.writeLogs(
    acme.tenantId,
    Array.from({ length: 10 }, (_, i) => ({
      flowRunId: acme.runId,
      taskRunId: i % 2 === 0 ? taskRun.id : undefined,
      level: "INFO",
      message: `line ${i}`,
      timestamp,
    })),
  );
  await store.value.writeLogs(globex.tenantId, [{
    flowRunId: globex.runId,
    level: "INFO",
    message: "other",
    timestamp,
  }]);

  const messages = async (
    filter: Parameters<Store["recentLogs"]>[1],
    tenantId = acme.tenantId,
  ) =>
    (await store.value.recentLogs(tenantId, filter)).items.map((line) =>
      line.message
    );
  deepEqual(await messages({ flowRunId: acme.runId, limit: 3 }), [
    "line 7",
    "line 8",
    "line 9",
  ]);
  deepEqual(await messages({ flowRunId: acme.runId, limit: 100 }), [
    ...Array.from({ length: 10 }, (_, i) => `line ${i}`),
  ]);
  deepEqual(
    await messages({ flowRunId: acme.runId, taskRunId: taskRun.id, limit: 2 }),
    ["line 6", "line 8"],
  );
  deepEqual(await messages({ flowRunId: globex.runId, limit: 10 }), []);
  deepEqual(
    await messages({ flowRunId: acme.runId, limit: 10 }, globex.tenantId),
    [],
  );
});

/** Closes the store at the end of the scope. */
function disposable(store: Store): { value: Store } & AsyncDisposable {
  return { value: store, [Symbol.asyncDispose]: () => store.close() };
}

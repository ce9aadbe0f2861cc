// deno-lint-ignore-file no-console
import assert from "node:assert/strict";
import {
  flow,
  getActiveClient,
  getOrCreateClient,
  getRunContext,
  getRunLogger,
  InvalidArgumentError,
  MAX_RESULT_BYTES,
  RunplaneError,
  task,
} from "../../mod.ts";
import type { Client } from "../../client/client.ts";
import { createTenant, rejectsWith } from "../e2e/_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

/** The task run ids that tasks record from inside, in call order. */
function taskRunIds(): {
  ids: string[];
  record: () => void;
} {
  const ids: string[] = [];
  return {
    ids,
    record: () => {
      const id = getRunContext()?.taskRun?.id;
      if (id !== undefined) ids.push(id);
    },
  };
}

async function runsOf(client: Client, flowName: string) {
  const flows = await client.flows.list().toArray();
  const ids = flows.filter((f) => f.name === flowName).map((f) => f.id);
  const runs = (await client.flowRuns.list().toArray()).filter((run) =>
    ids.includes(run.flowId)
  );
  return runs;
}

Deno.test("flow() runs three tasks end to end and records their states, versions and logs", async (t) => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  const seen = taskRunIds();
  const extract = task("extract", async (day: string) => {
    seen.record();
    getRunLogger().info(`extract ${day}`);
    await Promise.resolve();
    return [1, 2, 3];
  });
  const transform = task("transform", (rows: number[]) => {
    seen.record();
    getRunLogger().warning("transform");
    return rows.map((row) => row * 2);
  });
  const load = task("load", (rows: number[]) => {
    seen.record();
    getRunLogger().info("load");
    return rows.reduce((a, b) => a + b, 0);
  });
  let flowRunId = "";
  const nightly = flow(
    "nightly",
    { project: "churn" },
    async ({ day }: { day: string }, context) => {
      flowRunId = context.flowRun.id;
      assert.equal(getActiveClient(), client);
      assert.equal(getOrCreateClient()[0], client);
      assert.equal(getRunContext()?.flowRun.id, context.flowRun.id);
      assert.equal(context.flowRun.state.type, "RUNNING");
      const log = getRunLogger();
      log.info("start");
      const rows = await extract(day);
      log.info("between");
      const doubled = await transform(rows);
      const total = await load(doubled);
      log.info("end");
      return { total };
    },
  );

  await t.step("run() resolves with the function's result", async () => {
    const result: { total: number } = await nightly.run(
      { day: "2026-11-29" },
      { client },
    );
    assert.deepEqual(result, { total: 12 });
  });

  await t.step(
    "the flow run went SCHEDULED, PENDING, RUNNING, SUCCESS with its result",
    async () => {
      const run = await client.flowRuns.get(flowRunId);
      assert.deepEqual(
        run.history?.map((state) => state.type),
        ["SCHEDULED", "PENDING", "RUNNING", "SUCCESS"],
      );
      assert.equal(run.version, 4);
      assert.deepEqual(run.state.result, { total: 12 });
      assert.deepEqual(run.parameters, { day: "2026-11-29" });
      assert.equal(typeof run.durationMs, "number");
      assert.equal(run.startTime, run.history?.[2].timestamp);
      const [project] = (await client.projects.list().toArray()).filter((p) =>
        p.name === "churn"
      );
      assert.ok(project, "the project was created");
    },
  );

  await t.step(
    "each task run went PENDING, RUNNING, SUCCESS at map index 0",
    async () => {
      assert.equal(seen.ids.length, 3);
      const taskRuns = await Promise.all(
        seen.ids.map((id) => client.taskRuns.get(id)),
      );
      assert.deepEqual(taskRuns.map((run) => run.taskId), [
        "extract",
        "transform",
        "load",
      ]);
      for (const taskRun of taskRuns) {
        assert.equal(taskRun.flowRunId, flowRunId);
        assert.equal(taskRun.mapIndex, 0);
        assert.equal(taskRun.version, 3);
        assert.deepEqual(
          taskRun.history?.map((state) => state.type),
          ["PENDING", "RUNNING", "SUCCESS"],
        );
      }
    },
  );

  await t.step("the log lines arrived in order, each on its run", async () => {
    const lines = await client.logs.list({ flowRunId }).toArray();
    assert.deepEqual(
      lines.map((line) => [line.message, line.level, line.taskRunId]),
      [
        ["start", "INFO", null],
        ["extract 2026-11-29", "INFO", seen.ids[0]],
        ["between", "INFO", null],
        ["transform", "WARNING", seen.ids[1]],
        ["load", "INFO", seen.ids[2]],
        ["end", "INFO", null],
      ],
    );
  });

  await t.step(
    "a second run reuses the flow; new options make a new version",
    async () => {
      await nightly.run({ day: "2026-11-30" }, { client });
      let versions = (await client.flows.list().toArray()).filter((f) =>
        f.name === "nightly"
      );
      assert.equal(versions.length, 1);
      const changed = flow(
        "nightly",
        { project: "churn", description: "now described" },
        () => "v2",
      );
      assert.equal(await changed.run({}, { client }), "v2");
      versions = (await client.flows.list().toArray()).filter((f) =>
        f.name === "nightly"
      );
      assert.deepEqual(versions.map((f) => f.version).sort(), [1, 2]);
      assert.equal((await runsOf(client, "nightly")).length, 3);
    },
  );

  await t.step(
    "outside a flow a task is a plain call and there is no context",
    async () => {
      assert.equal(getRunContext(), undefined);
      const printed: string[] = [];
      const warn = console.warn;
      console.warn = (message: string) => printed.push(message);
      try {
        assert.deepEqual(await transform([5]), [10]);
        getRunLogger().warning("on the console");
      } finally {
        console.warn = warn;
      }
      assert.deepEqual(printed, ["transform", "on the console"]);
    },
  );
});

Deno.test("task() retries through RETRYING, then FAILED, and the flow fails with the error", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  const seen = taskRunIds();
  let calls = 0;
  const boom = new Error("warehouse unreachable");
  const extract = task(
    "extract",
    { retries: 2, retryDelayMs: 10 },
    () => {
      calls++;
      if (calls === 1) seen.record();
      throw boom;
    },
  );
  let flowRunId = "";
  const nightly = flow("nightly", async (_: Record<string, never>, context) => {
    flowRunId = context.flowRun.id;
    await extract();
  });
  await assert.rejects(nightly.run({}, { client }), (error) => error === boom);
  assert.equal(calls, 3);
  const taskRun = await client.taskRuns.get(seen.ids[0]);
  assert.deepEqual(taskRun.history?.map((state) => state.type), [
    "PENDING",
    "RUNNING",
    "RETRYING",
    "RUNNING",
    "RETRYING",
    "RUNNING",
    "FAILED",
  ]);
  assert.equal(
    taskRun.history?.[2].message,
    "Attempt 1 of 3 failed: warehouse unreachable",
  );
  assert.equal(taskRun.state.message, "warehouse unreachable");
  const run = await client.flowRuns.get(flowRunId);
  assert.equal(run.state.type, "FAILED");
  assert.equal(run.state.message, "warehouse unreachable");
});

Deno.test("task() waits out QUEUED under a tag limit of 1: one RUNNING at a time, all finish", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "admin");
  await client.concurrencyLimits.update("gpu", 1);
  let running = 0;
  let most = 0;
  const seen: string[] = [];
  const train = task("train", { tags: ["gpu"] }, async (n: number) => {
    seen.push(getRunContext()!.taskRun!.id);
    running++;
    most = Math.max(most, running);
    const limit = await client.concurrencyLimits.get("gpu");
    assert.equal(limit.active, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    running--;
    return n * n;
  });
  const sweep = flow("sweep", async () => await train.map([0, 1, 2, 3, 4]));
  assert.deepEqual(await sweep.run({}, { client }), [0, 1, 4, 9, 16]);
  assert.equal(most, 1);
  const taskRuns = await Promise.all(seen.map((id) => client.taskRuns.get(id)));
  assert.deepEqual(
    taskRuns.map((run) => run.mapIndex).sort(),
    [0, 1, 2, 3, 4],
  );
  assert.ok(taskRuns.every((run) => run.state.type === "SUCCESS"));
  const queued = taskRuns.filter((run) =>
    run.history?.some((state) => state.type === "QUEUED")
  );
  assert.equal(queued.length, 4, "four calls waited for the slot");
});

Deno.test("task() with cacheFor and cacheKey ends CACHED on a second run without calling fn", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  let calls = 0;
  let stampCalls = 0;
  const train = task("train", {
    cacheFor: 60_000,
    cacheKey: (day: string) => `train-${day}`,
  }, (day: string) => {
    calls++;
    return { day, auc: 0.91 };
  });
  const stamp = task("stamp", {
    cacheFor: 60_000,
    cacheKey: () => "stamp",
  }, () => {
    stampCalls++;
    return new Date(0);
  });
  const runIds: string[] = [];
  const nightly = flow("nightly", async ({ day }: { day: string }, context) => {
    runIds.push(context.flowRun.id);
    const model = await train(day);
    await stamp();
    return model;
  });
  const trainRun = (flowRunId: string) =>
    client.taskRuns.getOrCreate({ flowRunId, taskId: "train", mapIndex: 0 });

  const first = await nightly.run({ day: "d1" }, { client });
  const second = await nightly.run({ day: "d1" }, { client });
  assert.deepEqual(second, { day: "d1", auc: 0.91 });
  assert.deepEqual(second, first);
  assert.equal(calls, 1);
  const stored = await trainRun(runIds[0]);
  assert.equal(stored.state.type, "SUCCESS");
  assert.deepEqual(stored.state.result, first);
  const hit = await client.taskRuns.get((await trainRun(runIds[1])).id);
  assert.equal(hit.state.type, "CACHED");
  assert.equal(hit.state.cacheKey, "train-d1");
  assert.deepEqual(hit.history?.map((state) => state.type), [
    "PENDING",
    "CACHED",
  ]);
  assert.equal(stampCalls, 2, "a Date is not JSON: it is not cached");
  await nightly.run({ day: "d2" }, { client });
  assert.equal(calls, 2, "another key is not a hit");
});

Deno.test("flow() and task() send heartbeats while they run", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  let flowRunId = "";
  const beating = task("beating", async () => {
    const taskRunId = getRunContext()!.taskRun!.id;
    for (let i = 0; i < 500; i++) {
      const [run, taskRun] = await Promise.all([
        client.flowRuns.get(flowRunId),
        client.taskRuns.get(taskRunId),
      ]);
      if (run.heartbeatAt !== null && taskRun.heartbeatAt !== null) return i;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("No heartbeat arrived");
  });
  const alive = flow(
    "alive",
    { heartbeatIntervalMs: 10 },
    async (_: Record<string, never>, context) => {
      flowRunId = context.flowRun.id;
      return await beating();
    },
  );
  assert.equal(typeof await alive.run({}, { client }), "number");
});

Deno.test("flow() stores a result only when it is JSON of at most MAX_RESULT_BYTES", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  const big = "x".repeat(MAX_RESULT_BYTES);
  const runIds: string[] = [];
  const answer = flow(
    "answer",
    (params: { kind: string }, context) => {
      runIds.push(context.flowRun.id);
      if (params.kind === "big") return big;
      if (params.kind === "date") return new Date(0);
      return { ok: [1, "two", null] };
    },
  );
  assert.equal(await answer.run({ kind: "big" }, { client }), big);
  assert.deepEqual(await answer.run({ kind: "date" }, { client }), new Date(0));
  assert.deepEqual(await answer.run({ kind: "json" }, { client }), {
    ok: [1, "two", null],
  });
  const states = await Promise.all(
    runIds.map(async (id) => (await client.flowRuns.get(id)).state),
  );
  assert.deepEqual(states.map((state) => state.type), [
    "SUCCESS",
    "SUCCESS",
    "SUCCESS",
  ]);
  assert.deepEqual(states.map((state) => state.result), [
    undefined,
    undefined,
    { ok: [1, "two", null] },
  ]);
});

Deno.test("flow() with an idempotency key runs once and replays the stored result", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  let calls = 0;
  const once = flow("once", ({ n }: { n: number }) => {
    calls++;
    return n + 1;
  });
  assert.equal(await once.run({ n: 1 }, { client, idempotencyKey: "k" }), 2);
  assert.equal(await once.run({ n: 1 }, { client, idempotencyKey: "k" }), 2);
  assert.equal(calls, 1);
  const broken = flow("broken", () => {
    calls++;
    throw new Error("no data");
  });
  await assert.rejects(
    broken.run({}, { client, idempotencyKey: "b" }),
    /^Error: no data$/,
  );
  const replayed = await rejectsWith(
    broken.run({}, { client, idempotencyKey: "b" }),
    RunplaneError,
  );
  assert.match(
    replayed.message,
    /^Flow run broken-[0-9a-f]{12} of this idempotency key already ended FAILED: no data$/,
  );
  assert.equal(calls, 2);
});

Deno.test("flow() and task() check their arguments up front", async () => {
  assert.throws(
    () => task("t", { cacheFor: 1000 }, () => 1),
    new InvalidArgumentError(
      "cacheFor and cacheKey go together: give both to cache results, or neither",
    ),
  );
  assert.throws(
    () => task("t", { retries: -1 }, () => 1),
    new InvalidArgumentError("retries must be a whole number of at least 0"),
  );
  assert.throws(
    () => flow("f", { heartbeatIntervalMs: 0 }, () => 1),
    new InvalidArgumentError(
      "heartbeatIntervalMs must be a whole number of at least 1",
    ),
  );
  assert.throws(
    // @ts-expect-error: no function
    () => flow("f", {}),
    new InvalidArgumentError(
      'flow("f") needs a function: flow(name, options, fn)',
    ),
  );
  const f = flow("f", () => 1);
  await assert.rejects(
    // @ts-expect-error: params must be an object
    f.run(3),
    new InvalidArgumentError("params must be an object"),
  );
});

Deno.test("flow.run() takes the active client, else one from the environment that it closes", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const { token } = await server.admin.apiTokens.create({
    name: "env",
    scope: "tenant",
    username: tenant.username,
    tenant: tenant.slug,
  });
  let used: Client | undefined;
  const which = flow("which", () => {
    used = getActiveClient();
    return used?.credentials.mode;
  });

  await t.step("inside client.session(), the session's client", async () => {
    await tenant.client.session(() => which.run({}));
    assert.equal(used, tenant.client);
    assert.equal(tenant.client.closed, false);
  });

  await t.step(
    "otherwise a client from RUNPLANE_*, closed afterwards",
    async () => {
      const saved = ["RUNPLANE_ENDPOINT", "RUNPLANE_TOKEN"].map((name) =>
        [name, Deno.env.get(name)] as const
      );
      Deno.env.set("RUNPLANE_ENDPOINT", server.url.href);
      Deno.env.set("RUNPLANE_TOKEN", token);
      try {
        assert.equal(await which.run({}), "token");
      } finally {
        for (const [name, value] of saved) {
          if (value === undefined) Deno.env.delete(name);
          else Deno.env.set(name, value);
        }
      }
      assert.notEqual(used, tenant.client);
      assert.equal(used?.closed, true);
    },
  );
});

Deno.test("task.map() gives each call the map index of its item, the first calls too (which wait for the task code to load)", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "admin");
  const indexes = new Map<number, number>();
  const square = task("square", (n: number) => {
    indexes.set(n, getRunContext()!.taskRun!.mapIndex);
    return n * n;
  });
  const sweep = flow("index-sweep", () => square.map([0, 1, 2, 3, 4]));
  assert.deepEqual(await sweep.run({}, { client }), [0, 1, 4, 9, 16]);
  assert.deepEqual(
    [...indexes].sort(([a], [b]) => a - b),
    [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]],
  );
});

import assert from "node:assert/strict";
import { randomKey } from "../_helpers/engine.ts";
import { testDatabase } from "../_helpers/postgres.ts";
import {
  createWorkspace,
  makeClient,
  pool,
  startFaultProxy,
} from "./_helpers.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { PASSWORD } from "../_helpers/seed.ts";
import {
  type ServerProcess,
  spawnReferenceServer,
} from "../_helpers/reference_server.ts";

const RUNS = 1_000;
/** Kill the second instance once this many runs were acknowledged. */
const KILL_AFTER = 300;
const TAG_LIMIT = 3;
const TASK_RUNS = 30;

Deno.test("three instances on one PostgreSQL, one killed with SIGKILL and restarted under 20% faults: 0 runs lost, 0 doubled, the tag limit holds, nobody logged out", async () => {
  await using database = await testDatabase();
  const serverKey = randomKey();
  const start = (port = 0) =>
    spawnReferenceServer({
      database: database.url,
      env: { RUNPLANE_SERVER_KEY: serverKey },
      // Below the client's 30 s refresh margin: every call refreshes first.
      args: ["--port", String(port), "--access-token-ttl-ms", "20000"],
    });
  const instances: ServerProcess[] = await Promise.all([
    start(),
    start(),
    start(),
  ]);
  const proxies = instances.map((instance, i) =>
    startFaultProxy({ target: instance.url, rate: 0.2, seed: 11 + i })
  );
  try {
    const workspace = await createWorkspace(instances[0].url);
    const endpoints = proxies.map((proxy) => proxy.url);
    await using client = makeClient(endpoints, { token: workspace.token }, {
      config: { maxRetries: 10, timeoutMs: 5_000 },
    });
    await using user = makeClient(endpoints, {
      username: `${workspace.slug}-member`,
      password: PASSWORD,
    }, { config: { maxRetries: 10, timeoutMs: 5_000 } });
    await user.loginToTenant({ slug: workspace.slug });

    const acknowledged = new Map<number, string>();
    let restarted: Promise<void> | undefined;
    const killAndRestart = async () => {
      const port = instances[1].url.port;
      await instances[1].kill("SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 500));
      instances[1] = await start(Number(port));
    };
    let refreshes = 0;
    const loggedIn = (async () => {
      // A tenant login whose token refreshes before each call, through the
      // same faults and the same kill.
      for (let i = 0; i < 60; i++) {
        await user.projects.list().toArray();
        refreshes++;
      }
    })();
    await pool(RUNS, 16, async (i) => {
      const run = await client.flowRuns.create({
        flowId: workspace.flowId,
        parameters: { i },
        idempotencyKey: `cluster-run-${i}`,
      });
      acknowledged.set(i, run.id);
      if (acknowledged.size === KILL_AFTER) restarted = killAndRestart();
    });
    await restarted;
    await loggedIn;

    // Read back through one instance, without faults.
    await using direct = makeClient(instances[0].url, {
      token: workspace.token,
    });
    const stored = new Map<number, string[]>();
    for await (
      const run of direct.flowRuns.list({
        flowId: workspace.flowId,
        limit: 500,
      })
    ) {
      const i = run.parameters.i as number;
      stored.set(i, [...stored.get(i) ?? [], run.id]);
    }
    const doubled = [...stored.values()].filter((ids) => ids.length > 1);
    assert.equal(doubled.length, 0, "no run is created twice");
    for (const [i, id] of acknowledged) {
      assert.deepEqual(stored.get(i), [id], `run ${i} is kept as answered`);
    }
    assert.equal(stored.size, RUNS);

    // The tag limit, with starts spread over the three instances.
    await using admin = makeClient(instances[0].url, { token: ADMIN_TOKEN }, {
      config: { tenant: workspace.slug },
    });
    await admin.concurrencyLimits.update("gpu", TAG_LIMIT);
    const flowRunId = acknowledged.get(0)!;
    const taskRuns = await Promise.all(
      Array.from({ length: TASK_RUNS }, (_, i) =>
        client.taskRuns.getOrCreate({
          flowRunId,
          taskId: `task-${i}`,
          tags: ["gpu"],
        })),
    );
    const states = await Promise.all(
      taskRuns.map(async (taskRun, i) => {
        const instance = instances[i % instances.length];
        const response = await fetch(
          new URL(`/api/v1/task-runs/${taskRun.id}/state`, instance.url),
          {
            method: "POST",
            headers: {
              authorization: `Bearer ${workspace.token}`,
              "content-type": "application/json",
            },
            body: JSON.stringify({ version: 1, state: "RUNNING" }),
          },
        );
        assert.equal(response.status, 200);
        return (await response.json()).state.type as string;
      }),
    );
    assert.equal(states.filter((type) => type === "RUNNING").length, TAG_LIMIT);
    assert.equal((await direct.concurrencyLimits.get("gpu")).active, TAG_LIMIT);

    // deno-lint-ignore no-console
    console.log(
      `${RUNS} runs through 3 instances behind 20% faults, instance 2 killed after ${KILL_AFTER} and restarted: ${stored.size} stored, 0 doubled; ${refreshes} refreshed calls of one tenant login, none logged out; ${TAG_LIMIT} of ${TASK_RUNS} tagged starts RUNNING`,
    );
  } finally {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(instances.map((instance) => instance.kill("SIGKILL")));
  }
});

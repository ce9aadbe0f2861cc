import assert from "node:assert/strict";
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
} from "../../errors.ts";
import { createTenant, rejectsWith } from "./_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("projects.getOrCreate() and flowRuns.cancel() against the reference server", async (t) => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");

  await t.step(
    "projects.getOrCreate() creates once and then returns the same project",
    async () => {
      const first = await client.projects.getOrCreate({
        name: "churn",
        description: "Weekly churn model",
      });
      assert.equal(first.name, "churn");
      const again = await client.projects.getOrCreate({ name: "churn" });
      assert.equal(again.id, first.id);
      const racing = await Promise.all(
        [1, 2, 3].map(() => client.projects.getOrCreate({ name: "race" })),
      );
      assert.equal(new Set(racing.map((p) => p.id)).size, 1);
      const names = (await client.projects.list().toArray()).map((p) => p.name)
        .sort();
      assert.deepEqual(names, ["churn", "race"]);
    },
  );

  await t.step(
    "flowRuns.cancel() cancels at the current version, with a message",
    async () => {
      const project = await client.projects.getOrCreate({ name: "churn" });
      const flow = await client.flows.register({
        name: "train",
        project: project.id,
      });
      const run = await client.flowRuns.create({ flowId: flow.id });
      // Moved by someone else: cancel() must not need the caller's version.
      await client.flowRuns.setState(run.id, {
        version: run.version,
        state: "RUNNING",
      });
      const change = await client.flowRuns.cancel(run.id, {
        message: "wrong day",
      });
      assert.equal(change.state.type, "CANCELLED");
      assert.equal(change.state.message, "wrong day");
      assert.equal((await client.flowRuns.get(run.id)).state.type, "CANCELLED");
      await rejectsWith(client.flowRuns.cancel(run.id), ConflictError);
      await rejectsWith(client.flowRuns.cancel("no-such-run"), NotFoundError);
    },
  );
});

Deno.test("Listing gives a page when awaited, every item when iterated, and a bounded array", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const project = await tenant.client.projects.create({ name: "p" });
  const train = await tenant.client.flows.register({
    name: "train",
    project: project.id,
  });
  const score = await tenant.client.flows.register({
    name: "score",
    project: project.id,
  });
  const before = new Date().toISOString();
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const run = await tenant.client.flowRuns.create({
      flowId: i < 7 ? train.id : score.id,
      runName: `run-${i}`,
    });
    ids.unshift(run.id);
  }
  const { token } = await server.admin.apiTokens.create({
    name: "counted",
    scope: "tenant",
    username: tenant.username,
    tenant: tenant.slug,
  });
  const paths: string[] = [];
  // Counts the requests, which still go over a real socket.
  const client = server.client({ token }, {
    fetch: (input: string | URL | Request, init?: RequestInit) => {
      paths.push(
        new URL(input instanceof Request ? input.url : input).pathname,
      );
      return fetch(input, init);
    },
  });

  await t.step(
    "await list() gives one page, and getNextPage() the next",
    async () => {
      const page = await client.flowRuns.list({ limit: 4 });
      assert.deepEqual(page.items.map((run) => run.id), ids.slice(0, 4));
      assert.ok(page.hasNextPage() && typeof page.nextCursor === "string");
      const second = await page.getNextPage();
      assert.deepEqual(second.items.map((run) => run.id), ids.slice(4, 8));
      const last = await second.getNextPage();
      assert.deepEqual(last.items.map((run) => run.id), ids.slice(8));
      assert.equal(last.hasNextPage(), false);
      assert.equal(last.nextCursor, null);
      await assert.rejects(last.getNextPage(), RangeError);
    },
  );

  await t.step("for await walks every item across pages", async () => {
    const walked: string[] = [];
    for await (const run of client.flowRuns.list({ limit: 3 })) {
      walked.push(run.id);
    }
    assert.deepEqual(walked, ids);
  });

  await t.step(
    "toArray({ maxItems }) fetches only the pages it needs",
    async () => {
      paths.length = 0;
      const two = await client.flowRuns.list({ limit: 2 }).toArray({
        maxItems: 2,
      });
      assert.deepEqual(two.map((run) => run.id), ids.slice(0, 2));
      assert.equal(paths.length, 1, "one request for one page");
      assert.equal(
        (await client.flowRuns.list({ limit: 3 }).toArray()).length,
        10,
      );
      await rejectsWith(
        client.flowRuns.list().toArray({ maxItems: -1 }),
        InvalidArgumentError,
      );
    },
  );

  await t.step(
    "flow runs filter by flow, state, name and creation time",
    async () => {
      const byFlow = await client.flowRuns.list({ flowId: score.id }).toArray();
      assert.deepEqual(byFlow.map((run) => run.id), ids.slice(0, 3));
      const named = await client.flowRuns.list({ name: "run-4" }).toArray();
      assert.deepEqual(named.map((run) => run.name), ["run-4"]);
      const scheduled = await client.flowRuns.list({ state: "SCHEDULED" })
        .toArray();
      assert.equal(scheduled.length, 10);
      const after = new Date(Date.now() + 60_000);
      assert.deepEqual(
        await client.flowRuns.list({ createdAfter: after }).toArray(),
        [],
      );
      assert.equal(
        (await client.flowRuns.list({ createdAfter: before }).toArray()).length,
        10,
      );
      assert.deepEqual(
        await client.flowRuns.list({ createdBefore: before }).toArray(),
        [],
      );
      assert.equal(
        (await client.flowRuns.list({ createdBefore: after }).toArray()).length,
        10,
      );
    },
  );

  await t.step(
    "flows.list({ name }) finds a flow by name, and the server pages flows",
    async () => {
      const found = await client.flows.list({ name: "score" }).toArray();
      assert.deepEqual(found.map((flow) => flow.id), [score.id]);
      const response = await fetch(
        new URL("/api/v1/flows?limit=1", server.url),
        { headers: { authorization: `Bearer ${token}` } },
      );
      const page = await response.json();
      assert.equal(page.items.length, 1);
      assert.equal(typeof page.nextCursor, "string");
      const all = await client.flows.list().toArray();
      assert.deepEqual(all.map((flow) => flow.name), ["train", "score"]);
    },
  );
});

Deno.test("taskRuns.list() pages a flow run's task runs, oldest first", async (t) => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  const other = await createTenant(server, "member");
  const project = await client.projects.create({ name: "p" });
  const flow = await client.flows.register({ name: "f", project: project.id });
  const run = await client.flowRuns.create({ flowId: flow.id });
  const ids: string[] = [];
  // Names in order too, so a tie in creation time cannot reorder them.
  for (const taskId of ["a-extract", "b-train", "c-score"]) {
    ids.push(
      (await client.taskRuns.getOrCreate({
        flowRunId: run.id,
        taskId,
      })).id,
    );
  }

  await t.step(
    "a page when awaited, every task run when iterated",
    async () => {
      const page = await client.taskRuns.list({ flowRunId: run.id, limit: 2 });
      assert.deepEqual(page.items.map((task) => task.id), ids.slice(0, 2));
      assert.ok(page.hasNextPage());
      const rest = await page.getNextPage();
      assert.deepEqual(rest.items.map((task) => task.id), ids.slice(2));
      assert.equal(rest.hasNextPage(), false);
      const all = await client.taskRuns.list({ flowRunId: run.id, limit: 1 })
        .toArray();
      assert.deepEqual(all.map((task) => task.id), ids);
    },
  );

  await t.step("another tenant's run lists nothing", async () => {
    const page = await other.client.taskRuns.list({ flowRunId: run.id });
    assert.deepEqual(page.items, []);
  });

  await t.step("flowRunId is required", () => {
    assert.throws(
      () => client.taskRuns.list({} as { flowRunId: string }),
      InvalidArgumentError,
    );
  });
});

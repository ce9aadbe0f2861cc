import assert from "node:assert/strict";
import { ConflictError, NotFoundError } from "../../errors.ts";
import { createTenant, rejectsWith, startTestServer } from "./_helpers.ts";

Deno.test("projects.getOrCreate() and flowRuns.cancel() against the reference server", async (t) => {
  await using server = await startTestServer();
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
      const names = (await client.projects.list()).map((p) => p.name).sort();
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

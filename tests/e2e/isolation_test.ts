import assert from "node:assert/strict";
import {
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
} from "../../errors.ts";
import { createTenant, rejectsWith } from "./_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("a second tenant never sees the first tenant's objects", async (t) => {
  await using server = await startReferenceServer();
  const a = await createTenant(server, "admin");
  const b = await createTenant(server, "admin");
  const own = a.client;
  const other = b.client;

  const project = await own.projects.create({ name: "shared-name" });
  const flow = await own.flows.register({ name: "f", project: project.id });
  const run = await own.flowRuns.create({ flowId: flow.id });
  const task = await own.taskRuns.getOrCreate({
    flowRunId: run.id,
    taskId: "t",
    tags: ["a-only"],
  });
  const limit = await own.concurrencyLimits.update("a-only", 2);
  await own.secrets.set("a-secret", "value-of-a");
  const agent = await own.agents.register({ type: "process" });
  await own.logs.write([{ flowRunId: run.id, level: "INFO", message: "a" }]);

  await t.step("every route with an id answers NotFoundError", async () => {
    await rejectsWith(other.projects.get(project.id), NotFoundError);
    await rejectsWith(other.projects.delete(project.id), NotFoundError);
    await rejectsWith(other.flows.get(flow.id), NotFoundError);
    await rejectsWith(other.flows.archive(flow.id), NotFoundError);
    await rejectsWith(
      other.flows.register({ name: "f", project: project.id }),
      NotFoundError,
    );
    await rejectsWith(other.flowRuns.get(run.id), NotFoundError);
    await rejectsWith(
      other.flowRuns.create({ flowId: flow.id }),
      NotFoundError,
    );
    await rejectsWith(
      other.flowRuns.create({ versionGroupId: flow.versionGroupId }),
      NotFoundError,
    );
    await rejectsWith(
      other.flowRuns.setState(run.id, {
        version: run.version,
        state: "RUNNING",
      }),
      NotFoundError,
    );
    assert.equal(await other.flowRuns.heartbeat(run.id), false);
    await rejectsWith(other.taskRuns.get(task.id), NotFoundError);
    await rejectsWith(
      other.taskRuns.getOrCreate({ flowRunId: run.id, taskId: "t" }),
      NotFoundError,
    );
    await rejectsWith(
      other.taskRuns.setState(task.id, {
        version: task.version,
        state: "RUNNING",
      }),
      NotFoundError,
    );
    assert.equal(await other.taskRuns.heartbeat(task.id), false);
    await rejectsWith(other.concurrencyLimits.get("a-only"), NotFoundError);
    await rejectsWith(other.concurrencyLimits.delete(limit.id), NotFoundError);
    await rejectsWith(other.secrets.get("a-secret"), NotFoundError);
    await rejectsWith(other.secrets.delete("a-secret"), NotFoundError);
    assert.equal(await other.agents.heartbeat(agent.id), false);
    await rejectsWith(
      other.logs.write([{ flowRunId: run.id, level: "INFO", message: "x" }]),
      NotFoundError,
    );
  });

  await t.step("listings never show them", async () => {
    assert.deepEqual(await other.projects.list().toArray(), []);
    assert.deepEqual(await other.flows.list().toArray(), []);
    assert.deepEqual(await Array.fromAsync(other.flowRuns.list()), []);
    assert.deepEqual(
      await Array.fromAsync(other.flowRuns.list({ flowId: flow.id })),
      [],
    );
    assert.deepEqual(await other.secrets.list().toArray(), []);
    assert.deepEqual(
      (await other.tenants.list().toArray()).map((x) => x.slug),
      [b.slug],
    );
    const logs = await Array.fromAsync(other.logs.list({ flowRunId: run.id }))
      .catch((error) => {
        if (error instanceof NotFoundError) return [];
        throw error;
      });
    assert.deepEqual(logs, []);
    assert.deepEqual(
      await other.taskRuns.latestCachedStates({
        taskId: "t",
        createdAfter: new Date(0),
      }),
      [],
    );
  });

  await t.step("the same names live side by side in each tenant", async () => {
    const mine = await other.projects.create({ name: "shared-name" });
    assert.notEqual(mine.id, project.id);
    await other.concurrencyLimits.update("a-only", 5);
    assert.equal((await own.concurrencyLimits.get("a-only")).limit, 2);
  });

  await t.step(
    "a tenant-bound token asking for another tenant gets NotFoundError",
    async () => {
      await rejectsWith(
        other.get("/projects", { headers: { "x-runplane-tenant": a.slug } }),
        NotFoundError,
      );
    },
  );

  await t.step("the owner still sees everything", async () => {
    assert.equal((await own.projects.get(project.id)).id, project.id);
    assert.equal(await own.secrets.get("a-secret"), "value-of-a");
    const runs = await Array.fromAsync(own.flowRuns.list());
    assert.deepEqual(runs.map((r) => r.id), [run.id]);
  });
});

Deno.test("roles limit what a user may do", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");
  const project = await tenant.client.projects.create({ name: "p" });
  const flow = await tenant.client.flows.register({
    name: "f",
    project: project.id,
  });
  const run = await tenant.client.flowRuns.create({ flowId: flow.id });
  await tenant.client.secrets.set("key", "value");

  const tokenFor = async (role: "viewer" | "member") => {
    const username = `${role}-user`;
    await server.admin.users.create({
      username,
      password: "correct horse battery",
      tenant: tenant.slug,
      role,
    });
    const { token } = await server.admin.apiTokens.create({
      name: role,
      scope: "tenant",
      username,
      tenant: tenant.slug,
    });
    return server.client({ token });
  };
  const viewer = await tokenFor("viewer");
  const member = await tokenFor("member");

  await t.step("a viewer reads", async () => {
    assert.equal((await viewer.projects.list().toArray()).length, 1);
    assert.equal((await viewer.flowRuns.get(run.id)).id, run.id);
    assert.deepEqual(
      (await viewer.secrets.list().toArray()).map((s) => s.name),
      ["key"],
    );
  });

  await t.step("a viewer's writes answer PermissionDeniedError", async () => {
    const writes: Array<() => Promise<unknown>> = [
      () => viewer.projects.create({ name: "nope" }),
      () => viewer.projects.delete(project.id),
      () => viewer.flows.register({ name: "g", project: project.id }),
      () => viewer.flows.archive(flow.id),
      () => viewer.flowRuns.create({ flowId: flow.id }),
      () =>
        viewer.flowRuns.setState(run.id, {
          version: run.version,
          state: "RUNNING",
        }),
      () => viewer.taskRuns.getOrCreate({ flowRunId: run.id, taskId: "t" }),
      () =>
        viewer.logs.write([{ flowRunId: run.id, level: "INFO", message: "x" }]),
      () => viewer.secrets.set("key", "other"),
      () => viewer.secrets.get("key"),
      () => viewer.secrets.delete("key"),
      () => viewer.agents.register({ type: "process" }),
      () => viewer.concurrencyLimits.update("tag", 1),
    ];
    for (const write of writes) {
      const error = await rejectsWith(write, PermissionDeniedError);
      assert.equal(error.status, 403);
    }
    assert.equal(await viewer.flowRuns.heartbeat(run.id), false);
  });

  await t.step(
    "a member writes runs but not limits, tokens or users",
    async () => {
      const created = await member.flowRuns.create({ flowId: flow.id });
      assert.equal(created.state.type, "SCHEDULED");
      await rejectsWith(
        member.concurrencyLimits.update("tag", 1),
        PermissionDeniedError,
      );
      await rejectsWith(
        member.accessKeys.create({
          username: "viewer-user",
          tenant: tenant.slug,
        }),
        PermissionDeniedError,
      );
      await rejectsWith(
        member.users.create({
          username: "someone",
          password: "correct horse battery",
          tenant: tenant.slug,
          role: "viewer",
        }),
        PermissionDeniedError,
      );
    },
  );

  await t.step("only the system admin creates tenants", async () => {
    await rejectsWith(
      tenant.client.tenants.create({ slug: "new-one", name: "New" }),
      PermissionDeniedError,
    );
  });

  await t.step(
    "the admin token without a tenant gets tenant_required",
    async () => {
      const error = await rejectsWith(
        server.admin.projects.list().toArray(),
        BadRequestError,
      );
      assert.equal(error.code, "tenant_required");
    },
  );
});

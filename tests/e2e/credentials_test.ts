import assert from "node:assert/strict";
import {
  AuthenticationError,
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
} from "../../errors.ts";
import { createTenant, rejectsWith } from "./_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("apiTokens.list() and revoke() manage the caller's tokens", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");
  const user = server.client({
    username: tenant.username,
    password: tenant.password,
  });
  const laptop = await user.apiTokens.create({
    name: "laptop",
    scope: "user",
    expiresAt: new Date(Date.now() + 60_000),
  });

  await t.step("the listing pages by itself and holds no secret", async () => {
    const extra = await Promise.all(
      [1, 2, 3].map((i) =>
        user.apiTokens.create({
          name: `t${i}`,
          scope: "tenant",
          tenant: tenant.slug,
        })
      ),
    );
    const listed = await user.apiTokens.list({ limit: 2 }).toArray();
    assert.deepEqual(
      listed.map((x) => x.name).sort(),
      ["laptop", "t1", "t2", "t3", "test"],
    );
    const mine = listed.find((x) => x.id === laptop.id)!;
    assert.equal(mine.expiresAt, laptop.expiresAt);
    assert.equal(mine.tenant, null);
    const text = JSON.stringify(listed);
    for (const token of [laptop, ...extra]) {
      assert.ok(!text.includes(token.token));
    }
  });

  await t.step("a revoked token is refused at once", async () => {
    const client = server.client({ token: laptop.token });
    assert.equal((await client.tenants.list().toArray()).length, 1);
    await user.apiTokens.revoke(laptop.id);
    await rejectsWith(client.tenants.list().toArray(), AuthenticationError);
    await rejectsWith(user.apiTokens.revoke(laptop.id), NotFoundError);
  });

  await t.step("bad arguments fail before any request", async () => {
    await rejectsWith(
      user.apiTokens.create({
        name: "x",
        scope: "user",
        expiresAt: "not a time",
      }),
      InvalidArgumentError,
    );
    assert.throws(
      () => user.apiTokens.list({ limit: 0 }),
      InvalidArgumentError,
    );
    await rejectsWith(user.apiTokens.revoke(""), InvalidArgumentError);
  });
});

Deno.test("accessKeys.list() and revoke() manage keypairs", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");
  const keypair = await tenant.client.accessKeys.create({
    username: tenant.username,
    tenant: tenant.slug,
  });
  const signed = server.client(keypair);
  assert.equal((await signed.projects.list().toArray()).length, 0);
  const listed = await tenant.client.accessKeys.list().toArray();
  assert.deepEqual(listed.map((x) => [x.accessKey, x.username, x.tenant]), [
    [keypair.accessKey, tenant.username, tenant.slug],
  ]);
  await tenant.client.accessKeys.revoke(keypair.accessKey);
  await rejectsWith(signed.projects.list().toArray(), AuthenticationError);
});

Deno.test("users.setPassword(), addMembership() and removeMembership()", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const other = await createTenant(server, "admin");
  const user = server.client({
    username: tenant.username,
    password: tenant.password,
  });

  await t.step(
    "addMembership() needs no password; create() refuses a taken name",
    async () => {
      const added = await other.client.users.addMembership({
        username: tenant.username,
        tenant: other.slug,
        role: "viewer",
      });
      assert.equal(added.role, "viewer");
      await rejectsWith(
        other.client.users.create({
          username: tenant.username,
          password: tenant.password,
          tenant: other.slug,
          role: "admin",
        }),
        ConflictError,
      );
    },
  );

  await t.step("setPassword() for your own needs the current one", async () => {
    await rejectsWith(
      user.users.setPassword(tenant.username, {
        currentPassword: "not it at all",
        password: "the next password",
      }),
      PermissionDeniedError,
    );
    await user.users.setPassword(tenant.username, {
      currentPassword: tenant.password,
      password: "the next password",
    });
    await rejectsWith(user.tenants.list().toArray(), AuthenticationError);
    const again = server.client({
      username: tenant.username,
      password: "the next password",
    });
    assert.equal((await again.tenants.list().toArray()).length, 2);
    await rejectsWith(
      () =>
        again.users.setPassword(tenant.username, {
          password: "short",
        }),
      InvalidArgumentError,
    );
  });

  await t.step("removeMembership() takes the tenant away", async () => {
    await other.client.users.removeMembership({
      username: tenant.username,
      tenant: other.slug,
    });
    const again = server.client({
      username: tenant.username,
      password: "the next password",
    });
    assert.deepEqual(
      (await again.tenants.list().toArray()).map((x) => x.slug),
      [
        tenant.slug,
      ],
    );
    await rejectsWith(
      other.client.users.removeMembership({
        username: tenant.username,
        tenant: other.slug,
      }),
      NotFoundError,
    );
  });
});

Deno.test("flowRuns.heartbeat() and taskRuns.heartbeat() answer false on a finished run, without throwing", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const client = tenant.client;
  const project = await client.projects.create({ name: "p" });
  const flow = await client.flows.register({ name: "f", project: project.id });
  const run = await client.flowRuns.create({ flowId: flow.id });
  const task = await client.taskRuns.getOrCreate({
    flowRunId: run.id,
    taskId: "t",
  });
  assert.equal(await client.flowRuns.heartbeat(run.id), true);
  assert.equal(await client.taskRuns.heartbeat(task.id), true);
  await client.taskRuns.setState(task.id, {
    version: task.version,
    state: "SUCCESS",
  });
  await client.flowRuns.setState(run.id, {
    version: run.version,
    state: "CANCELLED",
  });
  assert.equal(await client.flowRuns.heartbeat(run.id), false);
  assert.equal(await client.taskRuns.heartbeat(task.id), false);
});

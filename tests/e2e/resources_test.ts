import assert from "node:assert/strict";
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  TimeoutError,
} from "../../errors.ts";
import { Credentials } from "../../auth/credentials.ts";
import { Client } from "../../client/client.ts";
import { createTenant, rejectsWith } from "./_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("tenants, users, apiTokens and accessKeys work end to end", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");

  await t.step(
    "tenants.create() answers the tenant and list() shows it",
    async () => {
      const created = await server.admin.tenants.create({
        slug: "acme-corp",
        name: "Acme",
      });
      assert.equal(created.slug, "acme-corp");
      assert.equal(typeof created.id, "string");
      const slugs = (await server.admin.tenants.list().toArray()).map((x) =>
        x.slug
      );
      assert.ok(slugs.includes("acme-corp") && slugs.includes(tenant.slug));
      await rejectsWith(
        server.admin.tenants.create({ slug: "acme-corp", name: "Again" }),
        ConflictError,
      );
    },
  );

  await t.step(
    "tenants.create() rejects a bad slug before any request",
    async () => {
      const error = await rejectsWith(
        server.admin.tenants.create({ slug: "Bad Slug", name: "x" }),
        InvalidArgumentError,
      );
      assert.match(error.message, /^slug must be/);
    },
  );

  await t.step(
    "tenants.list() and defaultSlug() as a tenant-bound token",
    async () => {
      const tenants = await tenant.client.tenants.list().toArray();
      assert.deepEqual(tenants.map((x) => x.slug), [tenant.slug]);
      assert.equal(await tenant.client.tenants.defaultSlug(), tenant.slug);
    },
  );

  await t.step(
    "users.create() makes a member and validates up front",
    async () => {
      const user = await tenant.client.users.create({
        username: "member-one",
        password: "correct horse battery",
        tenant: tenant.slug,
        role: "member",
      });
      assert.equal(user.username, "member-one");
      assert.equal(user.role, "member");
      assert.equal(typeof user.id, "string");
      await rejectsWith(
        tenant.client.users.create({
          username: "x",
          password: "short",
          tenant: tenant.slug,
          role: "member",
        }),
        InvalidArgumentError,
      );
      await rejectsWith(
        tenant.client.users.create({
          username: "x",
          password: "long enough",
          tenant: tenant.slug,
          role: "owner" as never,
        }),
        InvalidArgumentError,
      );
    },
  );

  await t.step("apiTokens.create() answers a usable token once", async () => {
    const created = await server.admin.apiTokens.create({
      name: "ci",
      scope: "tenant",
      username: "member-one",
      tenant: tenant.slug,
    });
    assert.equal(typeof created.id, "string");
    assert.equal(created.scope, "tenant");
    const member = server.client({ token: created.token });
    assert.equal(await member.tenants.defaultSlug(), tenant.slug);
    await rejectsWith(
      server.admin.apiTokens.create({ name: "x", scope: "world" as never }),
      InvalidArgumentError,
    );
  });

  await t.step(
    "accessKeys.create() answers a keypair that signs requests",
    async () => {
      const keys = await tenant.client.accessKeys.create({
        username: "member-one",
        tenant: tenant.slug,
      });
      assert.equal(typeof keys.accessKey, "string");
      assert.equal(typeof keys.secretKey, "string");
      const signed = server.client(keys);
      const project = await signed.projects.create({ name: "signed" });
      assert.equal((await signed.projects.get(project.id)).name, "signed");
    },
  );
});

Deno.test("projects, flows and flow runs work end to end", async (t) => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");

  await t.step("projects.create(), get(), list() and delete()", async () => {
    const project = await client.projects.create({
      name: "churn",
      description: "Weekly",
    });
    assert.equal(project.description, "Weekly");
    assert.deepEqual(await client.projects.get(project.id), project);
    assert.ok(
      (await client.projects.list().toArray()).some((p) => p.id === project.id),
    );
    await rejectsWith(client.projects.create({ name: "churn" }), ConflictError);
    await client.projects.delete(project.id);
    await rejectsWith(client.projects.get(project.id), NotFoundError);
    await rejectsWith(client.projects.delete(project.id), NotFoundError);
  });

  await t.step("path segments are encoded", async () => {
    await rejectsWith(client.projects.get("../flows"), NotFoundError);
    await rejectsWith(client.projects.get("a/b?c#d"), NotFoundError);
    await rejectsWith(client.projects.get(""), InvalidArgumentError);
  });

  const project = await client.projects.create({ name: "etl" });

  await t.step(
    "flows.register() twice makes version 2 and archives version 1",
    async () => {
      const v1 = await client.flows.register({
        name: "nightly",
        project: project.id,
        definition: { steps: 1 },
      });
      assert.equal(v1.version, 1);
      const v2 = await client.flows.register({
        name: "nightly",
        project: project.id,
        definition: { steps: 2 },
        setScheduleActive: false,
      });
      assert.equal(v2.version, 2);
      assert.equal(v2.versionGroupId, v1.versionGroupId);
      assert.equal(v2.scheduleActive, false);
      assert.deepEqual(v2.definition, { steps: 2 });
      assert.equal((await client.flows.get(v1.id)).archived, true);
      assert.equal((await client.flows.get(v2.id)).archived, false);
      const listed = await client.flows.list({ project: project.id }).toArray();
      assert.deepEqual(listed.map((f) => f.id).sort(), [v1.id, v2.id].sort());
      const archived = await client.flows.archive(v2.id);
      assert.equal(archived.archived, true);
      await rejectsWith(client.flows.get("missing"), NotFoundError);
      await rejectsWith(
        client.flows.register({ name: "x", project: "" }),
        InvalidArgumentError,
      );
    },
  );

  const flow = await client.flows.register({
    name: "hourly",
    project: project.id,
  });

  await t.step("flowRuns.create() by flowId and versionGroupId", async () => {
    const byId = await client.flowRuns.create({
      flowId: flow.id,
      parameters: { day: 1 },
      context: { who: "test" },
      runName: "first",
      scheduledStartTime: new Date("2030-01-01T00:00:00Z"),
    });
    assert.equal(byId.state.type, "SCHEDULED");
    assert.equal(byId.name, "first");
    assert.deepEqual(byId.parameters, { day: 1 });
    assert.equal(byId.scheduledStartTime, "2030-01-01T00:00:00.000Z");
    const byGroup = await client.flowRuns.create({
      versionGroupId: flow.versionGroupId,
    });
    assert.equal(byGroup.flowId, flow.id);
    await rejectsWith(
      client.flowRuns.create({} as never),
      InvalidArgumentError,
    );
    await rejectsWith(
      client.flowRuns.create({ flowId: flow.id, versionGroupId: "x" } as never),
      InvalidArgumentError,
    );
  });

  await t.step(
    "flowRuns.create() with an idempotencyKey reuses the run, or conflicts",
    async () => {
      const first = await client.flowRuns.create({
        flowId: flow.id,
        parameters: { n: 1 },
        idempotencyKey: "nightly-1",
      });
      const again = await client.flowRuns.create({
        flowId: flow.id,
        parameters: { n: 1 },
        idempotencyKey: "nightly-1",
      });
      assert.equal(again.id, first.id);
      const error = await rejectsWith(
        client.flowRuns.create({
          flowId: flow.id,
          parameters: { n: 2 },
          idempotencyKey: "nightly-1",
        }),
        ConflictError,
      );
      assert.equal(error.status, 409);
    },
  );

  await t.step(
    "flowRuns.setState() locks optimistically and guards terminal states",
    async () => {
      const run = await client.flowRuns.create({ flowId: flow.id });
      const running = await client.flowRuns.setState(run.id, {
        version: run.version,
        state: "RUNNING",
      });
      assert.equal(running.state.type, "RUNNING");
      assert.equal(running.version, run.version + 1);
      const stale = await rejectsWith(
        client.flowRuns.setState(run.id, {
          version: run.version,
          state: "FAILED",
        }),
        ConflictError,
      );
      assert.equal(stale.code, "stale_version");
      const done = await client.flowRuns.setState(run.id, {
        version: running.version,
        state: { type: "SUCCESS", message: "ok", result: { rows: 3 } },
      });
      assert.equal(done.state.type, "SUCCESS");
      const terminal = await rejectsWith(
        client.flowRuns.setState(run.id, {
          version: done.version,
          state: "RUNNING",
        }),
        ConflictError,
      );
      assert.equal(terminal.code, "invalid_transition");
      const read = await client.flowRuns.get(run.id);
      assert.equal(read.state.type, "SUCCESS");
      assert.deepEqual(read.history?.map((s) => s.type), [
        "SCHEDULED",
        "RUNNING",
        "SUCCESS",
      ]);
      await rejectsWith(
        client.flowRuns.setState(run.id, {
          version: 1,
          state: "DONE" as never,
        }),
        InvalidArgumentError,
      );
      await rejectsWith(
        client.flowRuns.setState(run.id, { version: 1.5, state: "RUNNING" }),
        InvalidArgumentError,
      );
    },
  );

  await t.step(
    "flowRuns.list() pages through 25 runs 10 at a time",
    async () => {
      const paged = await client.flows.register({
        name: "paged",
        project: project.id,
      });
      const ids = new Set<string>();
      for (let i = 0; i < 25; i++) {
        ids.add((await client.flowRuns.create({ flowId: paged.id })).id);
      }
      let requests = 0;
      const counting = server.client({
        token: await client.getAuthToken() as string,
      }, {
        fetch: (input, init) => {
          requests++;
          return fetch(input, init);
        },
      });
      const seen = await Array.fromAsync(
        counting.flowRuns.list({ flowId: paged.id, limit: 10 }),
      );
      assert.equal(seen.length, 25);
      assert.deepEqual(new Set(seen.map((r) => r.id)), ids);
      assert.equal(requests, 3);
      const created = seen.map((r) => r.createdAt);
      assert.deepEqual(created, [...created].sort().reverse());
      const scheduled = await Array.fromAsync(
        client.flowRuns.list({ flowId: paged.id, state: "RUNNING" }),
      );
      assert.equal(scheduled.length, 0);
      assert.throws(
        () => client.flowRuns.list({ limit: 0 }),
        InvalidArgumentError,
      );
      assert.throws(
        () => client.flowRuns.list({ state: "NOPE" as never }),
        InvalidArgumentError,
      );
    },
  );

  await t.step(
    "flowRuns.wait() polls until a terminal state, or times out",
    async () => {
      const run = await client.flowRuns.create({ flowId: flow.id });
      const seen: string[] = [];
      const finishing = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        const change = await client.flowRuns.setState(run.id, {
          version: run.version,
          state: "RUNNING",
        });
        await client.flowRuns.setState(run.id, {
          version: change.version,
          state: { type: "FAILED", message: "boom" },
        });
      })();
      const final = await client.flowRuns.wait(run.id, {
        pollIntervalMs: 5,
        maxPollIntervalMs: 20,
        onProgress: (r) => seen.push(r.state.type),
      });
      await finishing;
      assert.equal(final.type, "FAILED");
      assert.equal(final.message, "boom");
      assert.equal(seen[0], "SCHEDULED");
      const idle = await client.flowRuns.create({ flowId: flow.id });
      await rejectsWith(
        client.flowRuns.wait(idle.id, { pollIntervalMs: 5, timeoutMs: 30 }),
        TimeoutError,
      );
      await rejectsWith(client.flowRuns.wait("missing"), NotFoundError);
    },
  );

  await t.step(
    "flowRuns.heartbeat() answers true, and false for unknown ids",
    async () => {
      const run = await client.flowRuns.create({ flowId: flow.id });
      assert.equal(await client.flowRuns.heartbeat(run.id), true);
      assert.notEqual((await client.flowRuns.get(run.id)).heartbeatAt, null);
      assert.equal(await client.flowRuns.heartbeat("no-such-run"), false);
      assert.equal(await client.flowRuns.heartbeat("" as string), false);
    },
  );
});

Deno.test("task runs, cached states and concurrency limits work end to end", async (t) => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "admin");
  const project = await client.projects.create({ name: "p" });
  const flow = await client.flows.register({ name: "f", project: project.id });
  const run = await client.flowRuns.create({ flowId: flow.id });

  await t.step(
    "taskRuns.getOrCreate() returns the same run for the same key",
    async () => {
      const first = await client.taskRuns.getOrCreate({
        flowRunId: run.id,
        taskId: "extract",
        tags: ["db"],
      });
      assert.equal(first.mapIndex, -1);
      assert.deepEqual(first.tags, ["db"]);
      const again = await client.taskRuns.getOrCreate({
        flowRunId: run.id,
        taskId: "extract",
      });
      assert.equal(again.id, first.id);
      const mapped = await client.taskRuns.getOrCreate({
        flowRunId: run.id,
        taskId: "extract",
        mapIndex: 2,
      });
      assert.notEqual(mapped.id, first.id);
      const { history, ...read } = await client.taskRuns.get(first.id);
      assert.deepEqual(read, first);
      assert.deepEqual(history?.map((state) => state.type), ["PENDING"]);
      await rejectsWith(client.taskRuns.get("missing"), NotFoundError);
      await rejectsWith(
        client.taskRuns.getOrCreate({ flowRunId: "missing", taskId: "x" }),
        NotFoundError,
      );
      await rejectsWith(
        client.taskRuns.getOrCreate({
          flowRunId: run.id,
          taskId: "x",
          mapIndex: -2,
        }),
        InvalidArgumentError,
      );
    },
  );

  await t.step(
    "taskRuns.setState() with cacheFor feeds latestCachedStates()",
    async () => {
      const before = new Date(Date.now() - 1000);
      const task = await client.taskRuns.getOrCreate({
        flowRunId: run.id,
        taskId: "load",
      });
      const running = await client.taskRuns.setState(task.id, {
        version: task.version,
        state: "RUNNING",
      });
      await rejectsWith(
        client.taskRuns.setState(task.id, {
          version: task.version,
          state: "FAILED",
        }),
        ConflictError,
      );
      const done = await client.taskRuns.setState(task.id, {
        version: running.version,
        state: { type: "SUCCESS", result: 7, cacheKey: "day-1" },
        cacheFor: 60_000,
      });
      assert.equal(done.state.type, "SUCCESS");
      const cached = await client.taskRuns.latestCachedStates({
        taskId: "load",
        cacheKey: "day-1",
        createdAfter: before,
      });
      assert.equal(cached.length, 1);
      assert.equal(cached[0].result, 7);
      const none = await client.taskRuns.latestCachedStates({
        taskId: "load",
        cacheKey: "day-1",
        createdAfter: new Date(Date.now() + 60_000),
      });
      assert.equal(none.length, 0);
      await rejectsWith(
        client.taskRuns.latestCachedStates({
          taskId: "load",
          createdAfter: "not a date",
        }),
        InvalidArgumentError,
      );
    },
  );

  await t.step(
    "taskRuns.heartbeat() answers true, and false for unknown ids",
    async () => {
      const task = await client.taskRuns.getOrCreate({
        flowRunId: run.id,
        taskId: "hb",
      });
      assert.equal(await client.taskRuns.heartbeat(task.id), true);
      assert.equal(await client.taskRuns.heartbeat("no-such-task"), false);
    },
  );

  await t.step("concurrencyLimits update(), get() and delete()", async () => {
    const limit = await client.concurrencyLimits.update("gpu", 2);
    assert.equal(limit.limit, 2);
    assert.equal(limit.active, 0);
    assert.deepEqual(await client.concurrencyLimits.get("gpu"), limit);
    const changed = await client.concurrencyLimits.update("gpu", 0);
    assert.equal(changed.id, limit.id);
    assert.equal(changed.limit, 0);
    await client.concurrencyLimits.delete(limit.id);
    await rejectsWith(client.concurrencyLimits.get("gpu"), NotFoundError);
    for (const bad of [-1, 1.5, NaN, "3" as never]) {
      await rejectsWith(
        client.concurrencyLimits.update("gpu", bad),
        InvalidArgumentError,
      );
    }
    const odd = await client.concurrencyLimits.update("a/b c", 1);
    assert.equal(odd.tag, "a/b c");
    assert.equal((await client.concurrencyLimits.get("a/b c")).id, odd.id);
  });

  await t.step("a QUEUED task run answers retryAfterMs", async () => {
    await client.concurrencyLimits.update("single", 1);
    const [a, b] = await Promise.all(
      ["a", "b"].map((taskId) =>
        client.taskRuns.getOrCreate({
          flowRunId: run.id,
          taskId,
          tags: ["single"],
        })
      ),
    );
    const first = await client.taskRuns.setState(a.id, {
      version: a.version,
      state: "RUNNING",
    });
    const second = await client.taskRuns.setState(b.id, {
      version: b.version,
      state: "RUNNING",
    });
    assert.equal(first.state.type, "RUNNING");
    assert.equal(second.state.type, "QUEUED");
    assert.ok((second.retryAfterMs ?? 0) > 0);
  });
});

Deno.test("logs, secrets, agents and uiUrl work end to end", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const { client } = tenant;
  const project = await client.projects.create({ name: "p" });
  const flow = await client.flows.register({ name: "f", project: project.id });
  const run = await client.flowRuns.create({ flowId: flow.id });
  const task = await client.taskRuns.getOrCreate({
    flowRunId: run.id,
    taskId: "t",
  });

  await t.step(
    "logs.write() and list() with paging and task filter",
    async () => {
      const entries = Array.from({ length: 7 }, (_, i) => ({
        flowRunId: run.id,
        taskRunId: i % 2 === 0 ? task.id : undefined,
        level: i % 2 === 0 ? "info" : "WARNING",
        message: `line ${i}`,
      }));
      assert.equal(await client.logs.write(entries), 7);
      const all = await Array.fromAsync(
        client.logs.list({ flowRunId: run.id, limit: 3 }),
      );
      assert.deepEqual(
        all.map((l) => l.message),
        entries.map((e) => e.message),
      );
      assert.equal(all[0].level, "INFO");
      const forTask = await Array.fromAsync(
        client.logs.list({ flowRunId: run.id, taskRunId: task.id }),
      );
      assert.equal(forTask.length, 4);
      await rejectsWith(client.logs.write([]), InvalidArgumentError);
      await rejectsWith(
        client.logs.write([{ flowRunId: run.id, level: "LOUD", message: "x" }]),
        InvalidArgumentError,
      );
    },
  );

  await t.step(
    "secrets set(), get(), list() and delete(); values never listed",
    async () => {
      const value = `s3cret-${crypto.randomUUID()}`;
      const info = await client.secrets.set("db.password", value);
      assert.equal(info.name, "db.password");
      assert.ok(!JSON.stringify(info).includes(value));
      assert.equal(await client.secrets.get("db.password"), value);
      const names = (await client.secrets.list().toArray()).map((s) => s.name);
      assert.deepEqual(names, ["db.password"]);
      assert.ok(!JSON.stringify(names).includes(value));
      await client.secrets.set("db.password", "rotated-value");
      assert.equal(await client.secrets.get("db.password"), "rotated-value");
      await client.secrets.delete("db.password");
      const missing = await rejectsWith(
        client.secrets.get("db.password"),
        NotFoundError,
      );
      assert.ok(!missing.message.includes(value));
      assert.ok(!JSON.stringify(missing.body).includes(value));
      const bad = await rejectsWith(
        client.secrets.set("bad name!", value),
        InvalidArgumentError,
      );
      assert.ok(!bad.message.includes(value));
    },
  );

  await t.step("agents.register() and heartbeat()", async () => {
    const agent = await client.agents.register({
      type: "process",
      name: "worker-1",
      labels: { pool: "gpu" },
    });
    assert.equal(typeof agent.id, "string");
    assert.deepEqual(agent.labels, { pool: "gpu" });
    assert.equal(await client.agents.heartbeat(agent.id), true);
    assert.equal(await client.agents.heartbeat("no-such-agent"), false);
    await rejectsWith(
      client.agents.register({ type: "" }),
      InvalidArgumentError,
    );
  });

  await t.step("uiUrl() builds links under the tenant's slug", async () => {
    const withTenant = server.client({ token: server.adminToken }, {
      tenant: tenant.slug,
    });
    assert.equal(
      withTenant.uiUrl("flow-run", run.id),
      new URL(`/ui/${tenant.slug}/flow-runs/${run.id}`, server.url).href,
    );
    assert.equal(
      withTenant.uiUrl("task-run", "a/b"),
      new URL(`/ui/${tenant.slug}/task-runs/a%2Fb`, server.url).href,
    );
    assert.match(withTenant.uiUrl("flow", "f1"), /\/flows\/f1$/);
    assert.match(withTenant.uiUrl("project", "p1"), /\/projects\/p1$/);
    assert.throws(() => client.uiUrl("flow-run", run.id), InvalidArgumentError);
    assert.throws(
      () => withTenant.uiUrl("run" as never, run.id),
      InvalidArgumentError,
    );
    const bare = new Client({
      credentials: new Credentials({ token: "unused-token" }),
      config: {
        endpoints: "http://127.0.0.1:9/base/",
        envFile: false,
        env: {},
        tenant: "acme",
      },
    });
    assert.equal(
      bare.uiUrl("project", "p 1"),
      "http://127.0.0.1:9/base/ui/acme/projects/p%201",
    );
    await bare.close();
  });
});

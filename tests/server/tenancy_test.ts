import { deepEqual, equal, ok } from "node:assert/strict";
import { call, createFlowRun } from "./_helpers.ts";
import { seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("server enforces roles and keeps tenants apart", async (t) => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const globex = await seedTenant(server, "globex");
  const run = await createFlowRun(server, acme);
  const task = await call(server, "POST", "/task-runs", {
    token: acme.tokens.member,
    body: { flowRunId: run.flowRunId, taskId: "extract", tags: ["db"] },
  });
  const limit = await call(server, "PUT", "/concurrency-limits/db", {
    token: acme.tokens.admin,
    body: { limit: 2 },
  });
  const agent = await call(server, "POST", "/agents", {
    token: acme.tokens.member,
    body: { type: "process" },
  });
  await call(server, "PUT", "/secrets/db-password", {
    token: acme.tokens.member,
    body: { value: "hunter2" },
  });

  await t.step("a viewer reads but may not write", async () => {
    const read = await call(server, "GET", `/flow-runs/${run.flowRunId}`, {
      token: acme.tokens.viewer,
    });
    equal(read.status, 200);
    const writes: Array<[string, string, unknown]> = [
      ["POST", "/projects", { name: "nope" }],
      ["POST", "/flow-runs", { flowId: run.flowId }],
      ["POST", `/flow-runs/${run.flowRunId}/state`, {
        version: 1,
        state: "RUNNING",
      }],
      ["PUT", "/secrets/x", { value: "v" }],
      ["GET", "/secrets/db-password", undefined],
      ["DELETE", `/projects/${run.projectId}`, undefined],
    ];
    for (const [method, path, body] of writes) {
      const answer = await call(server, method, path, {
        token: acme.tokens.viewer,
        body,
      });
      equal(answer.status, 403, `${method} ${path}`);
      equal(answer.body.error.code, "forbidden");
    }
  });

  await t.step("a member may not do admin-only things", async () => {
    const adminOnly: Array<[string, string, unknown]> = [
      ["PUT", "/concurrency-limits/db", { limit: 9 }],
      ["DELETE", `/concurrency-limits/${limit.body.id}`, undefined],
      ["POST", "/users", {
        username: "mallory",
        password: "password123",
        tenant: "acme",
        role: "admin",
      }],
      ["POST", "/access-keys", { username: "acme-viewer", tenant: "acme" }],
      ["POST", "/api-tokens", {
        name: "x",
        scope: "tenant",
        username: "acme-viewer",
      }],
      ["POST", "/tenants", { slug: "mine", name: "Mine" }],
    ];
    for (const [method, path, body] of adminOnly) {
      const answer = await call(server, method, path, {
        token: acme.tokens.member,
        body,
      });
      equal(answer.status, 403, `${method} ${path}`);
    }
    const own = await call(server, "POST", "/api-tokens", {
      token: acme.tokens.member,
      body: { name: "mine", scope: "tenant" },
    });
    equal(own.status, 201);
    const userScoped = await call(server, "POST", "/api-tokens", {
      token: acme.tokens.member,
      body: { name: "escalate", scope: "user" },
    });
    equal(userScoped.status, 403);
  });

  await t.step(
    "another tenant's ids are 404 on every route with an id",
    async () => {
      const token = globex.tokens.admin;
      const routes: Array<[string, string, unknown]> = [
        ["GET", `/projects/${run.projectId}`, undefined],
        ["DELETE", `/projects/${run.projectId}`, undefined],
        ["GET", `/flows/${run.flowId}`, undefined],
        ["POST", `/flows/${run.flowId}/archive`, undefined],
        ["POST", "/flows", { name: "x", projectId: run.projectId }],
        ["POST", "/flow-runs", { flowId: run.flowId }],
        ["GET", `/flow-runs/${run.flowRunId}`, undefined],
        ["POST", `/flow-runs/${run.flowRunId}/state`, {
          version: 1,
          state: "RUNNING",
        }],
        ["POST", `/flow-runs/${run.flowRunId}/heartbeat`, undefined],
        ["POST", "/task-runs", { flowRunId: run.flowRunId, taskId: "x" }],
        ["GET", `/task-runs/${task.body.id}`, undefined],
        ["POST", `/task-runs/${task.body.id}/state`, {
          version: 1,
          state: "RUNNING",
        }],
        ["POST", `/task-runs/${task.body.id}/heartbeat`, undefined],
        ["GET", "/concurrency-limits/db", undefined],
        ["DELETE", `/concurrency-limits/${limit.body.id}`, undefined],
        ["POST", "/logs", {
          entries: [{ flowRunId: run.flowRunId, level: "INFO", message: "x" }],
        }],
        ["GET", "/secrets/db-password", undefined],
        ["DELETE", "/secrets/db-password", undefined],
        ["POST", `/agents/${agent.body.id}/heartbeat`, undefined],
      ];
      for (const [method, path, body] of routes) {
        const answer = await call(server, method, path, { token, body });
        equal(answer.status, 404, `${method} ${path}`);
        equal(answer.body.error.code, "not_found");
      }
      const crossTenant = await call(server, "GET", "/projects", {
        token: acme.tokens.member,
        tenant: "globex",
      });
      equal(crossTenant.status, 404);
      const sameTenant = await call(server, "GET", "/projects", {
        token: acme.tokens.member,
        tenant: "acme",
      });
      equal(sameTenant.status, 200);
    },
  );

  await t.step("listings never show another tenant's rows", async () => {
    const token = globex.tokens.admin;
    for (
      const path of [
        "/projects",
        "/flows",
        "/flow-runs",
        "/secrets",
        `/logs?flowRunId=${run.flowRunId}`,
        "/cached-states?taskId=extract",
      ]
    ) {
      const answer = await call(server, "GET", path, { token });
      equal(answer.status, 200, path);
      deepEqual(answer.body.items, [], path);
    }
    const tenants = await call(server, "GET", "/tenants", { token });
    deepEqual(tenants.body.items.map((x: { slug: string }) => x.slug), [
      "globex",
    ]);
    const all = await call(server, "GET", "/tenants");
    deepEqual(all.body.items.map((x: { slug: string }) => x.slug), [
      "acme",
      "globex",
    ]);
    const defaultTenant = await call(server, "GET", "/tenants/default", {
      token,
    });
    deepEqual(defaultTenant.body, { slug: "globex" });
  });

  await t.step("secret values appear only where asked for", async () => {
    const list = await call(server, "GET", "/secrets", {
      token: acme.tokens.viewer,
    });
    equal(list.body.items.length, 1);
    ok(!JSON.stringify(list.body).includes("hunter2"));
    const value = await call(server, "GET", "/secrets/db-password", {
      token: acme.tokens.member,
    });
    deepEqual(value.body, { name: "db-password", value: "hunter2" });
    const bad = await call(server, "PUT", "/secrets/bad name", {
      token: acme.tokens.member,
      body: { value: "hunter2" },
    });
    equal(bad.status, 400);
    ok(!JSON.stringify(bad.body).includes("hunter2"));
  });
});

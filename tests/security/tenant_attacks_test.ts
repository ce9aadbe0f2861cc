import assert from "node:assert/strict";
import { call } from "../server/_helpers.ts";
import { assertError, createObjects, type TenantObjects } from "./_helpers.ts";
import { seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

/** A route with the ids of some tenant filled in. */
interface Attack {
  method: string;
  path: string;
  body?: unknown;
}

/** Every route that names an object, aimed at `o`'s objects. */
function routesNaming(o: TenantObjects): Attack[] {
  return [
    { method: "GET", path: `/projects/${o.projectId}` },
    { method: "DELETE", path: `/projects/${o.projectId}` },
    { method: "GET", path: `/flows/${o.flowId}` },
    { method: "POST", path: `/flows/${o.flowId}/archive` },
    {
      method: "POST",
      path: "/flows",
      body: { name: "x", projectId: o.projectId },
    },
    { method: "POST", path: "/flow-runs", body: { flowId: o.flowId } },
    { method: "GET", path: `/flow-runs/${o.flowRunId}` },
    {
      method: "POST",
      path: `/flow-runs/${o.flowRunId}/state`,
      body: { version: 1, state: "RUNNING" },
    },
    { method: "POST", path: `/flow-runs/${o.flowRunId}/heartbeat` },
    {
      method: "POST",
      path: "/task-runs",
      body: { flowRunId: o.flowRunId, taskId: "t" },
    },
    { method: "GET", path: `/task-runs/${o.taskRunId}` },
    {
      method: "POST",
      path: `/task-runs/${o.taskRunId}/state`,
      body: { version: 1, state: "RUNNING" },
    },
    { method: "POST", path: `/task-runs/${o.taskRunId}/heartbeat` },
    { method: "DELETE", path: `/concurrency-limits/${o.limitId}` },
    {
      method: "POST",
      path: "/logs",
      body: {
        entries: [{ flowRunId: o.flowRunId, level: "INFO", message: "x" }],
      },
    },
    { method: "GET", path: `/secrets/${o.secretName}` },
    { method: "DELETE", path: `/secrets/${o.secretName}` },
    { method: "POST", path: `/agents/${o.agentId}/heartbeat` },
  ];
}

/** Every route that writes, aimed at the caller's own tenant's objects. */
function writeRoutes(o: TenantObjects): Attack[] {
  return [
    { method: "POST", path: "/projects", body: { name: "viewer-project" } },
    { method: "DELETE", path: `/projects/${o.projectId}` },
    {
      method: "POST",
      path: "/flows",
      body: { name: "x", projectId: o.projectId },
    },
    { method: "POST", path: `/flows/${o.flowId}/archive` },
    { method: "POST", path: "/flow-runs", body: { flowId: o.flowId } },
    {
      method: "POST",
      path: `/flow-runs/${o.flowRunId}/state`,
      body: { version: 1, state: "RUNNING" },
    },
    { method: "POST", path: `/flow-runs/${o.flowRunId}/heartbeat` },
    {
      method: "POST",
      path: "/task-runs",
      body: { flowRunId: o.flowRunId, taskId: "viewer" },
    },
    {
      method: "POST",
      path: `/task-runs/${o.taskRunId}/state`,
      body: { version: 1, state: "RUNNING" },
    },
    { method: "POST", path: `/task-runs/${o.taskRunId}/heartbeat` },
    { method: "PUT", path: "/concurrency-limits/db", body: { limit: 9 } },
    { method: "DELETE", path: `/concurrency-limits/${o.limitId}` },
    {
      method: "POST",
      path: "/logs",
      body: {
        entries: [{ flowRunId: o.flowRunId, level: "INFO", message: "x" }],
      },
    },
    { method: "PUT", path: "/secrets/viewer-secret", body: { value: "v" } },
    { method: "DELETE", path: `/secrets/${o.secretName}` },
    { method: "POST", path: "/agents", body: { type: "process" } },
    { method: "POST", path: `/agents/${o.agentId}/heartbeat` },
  ];
}

/** The tenant routes a principal with a tenant may call. */
function tenantRoutes(o: TenantObjects): Attack[] {
  return [
    { method: "GET", path: "/projects" },
    { method: "GET", path: "/flows" },
    { method: "GET", path: "/flow-runs" },
    { method: "GET", path: "/logs" },
    { method: "GET", path: "/secrets" },
    { method: "GET", path: "/cached-states?taskId=t" },
    { method: "GET", path: "/concurrency-limits/db" },
    ...routesNaming(o),
    ...writeRoutes(o),
  ];
}

Deno.test("server tenant attack table", async (t) => {
  await using server = await startReferenceServer();
  const a = await seedTenant(server, "attacker");
  const b = await seedTenant(server, "victim");
  const mine = await createObjects(server, a);
  const theirs = await createObjects(server, b);

  await t.step(
    "another tenant's ids are 404, like ids that do not exist",
    async () => {
      const missing: TenantObjects = {
        projectId: crypto.randomUUID(),
        flowId: crypto.randomUUID(),
        flowRunId: crypto.randomUUID(),
        taskRunId: crypto.randomUUID(),
        limitId: crypto.randomUUID(),
        limitTag: "nothing",
        agentId: crypto.randomUUID(),
        secretName: "no-such-secret",
      };
      const attacks = routesNaming(theirs);
      const controls = routesNaming(missing);
      for (const role of ["admin", "member", "viewer"] as const) {
        for (const [k, attack] of attacks.entries()) {
          const context = `${role} ${attack.method} ${attack.path}`;
          const answer = await call(server, attack.method, attack.path, {
            token: a.tokens[role],
            body: attack.body,
          });
          const control = await call(
            server,
            controls[k].method,
            controls[k].path,
            { token: a.tokens[role], body: controls[k].body },
          );
          // The admin may do everything, so only the tenant boundary stops it;
          // a lesser role may meet its role check first, which says nothing
          // about the object either.
          if (role === "admin") assertError(answer, 404, "not_found", context);
          else assert.ok([403, 404].includes(answer.status), context);
          assertError(answer, control.status, control.body.error.code, context);
          assert.deepEqual(answer.body, control.body, context);
        }
      }
      // The victim's objects are untouched.
      const run = await call(server, "GET", `/flow-runs/${theirs.flowRunId}`, {
        token: b.tokens.viewer,
      });
      assert.equal(run.body.state.type, "SCHEDULED");
      assert.equal(run.body.version, 1);
      const secret = await call(
        server,
        "GET",
        `/secrets/${theirs.secretName}`,
        {
          token: b.tokens.member,
        },
      );
      assert.equal(secret.body.value, "value-of-victim");
    },
  );

  await t.step("filters by another tenant's ids find nothing", async () => {
    for (
      const path of [
        `/logs?flowRunId=${theirs.flowRunId}`,
        `/flow-runs?flowId=${theirs.flowId}`,
        `/flows?projectId=${theirs.projectId}`,
        `/cached-states?taskId=extract`,
      ]
    ) {
      const answer = await call(server, "GET", path, { token: a.tokens.admin });
      if (answer.status === 200) {
        assert.deepEqual(answer.body.items, [], path);
      } else {
        assertError(answer, 404, "not_found", path);
      }
    }
  });

  await t.step(
    "a tenant-bound credential naming another tenant is 404",
    async () => {
      for (const attack of tenantRoutes(mine)) {
        const answer = await call(server, attack.method, attack.path, {
          token: a.tokens.admin,
          tenant: b.slug,
          body: attack.body,
        });
        assertError(
          answer,
          404,
          "not_found",
          `${attack.method} ${attack.path}`,
        );
      }
    },
  );

  await t.step("a tenant admin cannot manage another tenant", async () => {
    for (
      const [path, body] of [
        ["/users", {
          username: "intruder",
          password: "intruder-password",
          tenant: b.slug,
          role: "admin",
        }],
        ["/api-tokens", {
          name: "x",
          scope: "tenant",
          username: b.usernames.admin,
          tenant: b.slug,
        }],
        ["/access-keys", { username: b.usernames.admin, tenant: b.slug }],
      ] as const
    ) {
      const answer = await call(server, "POST", path, {
        token: a.tokens.admin,
        body,
      });
      assertError(answer, 404, "not_found", path);
    }
  });

  await t.step("a viewer is 403 on every write route", async () => {
    for (const attack of writeRoutes(mine)) {
      const answer = await call(server, attack.method, attack.path, {
        token: a.tokens.viewer,
        body: attack.body,
      });
      assertError(
        answer,
        403,
        "forbidden",
        `${attack.method} ${attack.path}`,
      );
    }
    // Reading a secret's value is for members only.
    assertError(
      await call(server, "GET", `/secrets/${mine.secretName}`, {
        token: a.tokens.viewer,
      }),
      403,
      "forbidden",
      "viewer reads a secret value",
    );
  });

  await t.step(
    "a member is 403 on the admin routes of its tenant",
    async () => {
      for (
        const [method, path, body] of [
          ["PUT", "/concurrency-limits/db", { limit: 1 }],
          ["DELETE", `/concurrency-limits/${mine.limitId}`, undefined],
          ["POST", "/users", {
            username: "new-user",
            password: "new-user-password",
            tenant: a.slug,
            role: "viewer",
          }],
          ["POST", "/access-keys", {
            username: a.usernames.viewer,
            tenant: a.slug,
          }],
          ["POST", "/tenants", { slug: "member-made", name: "No" }],
        ] as const
      ) {
        const answer = await call(server, method, path, {
          token: a.tokens.member,
          body,
        });
        assertError(answer, 403, "forbidden", `${method} ${path}`);
      }
    },
  );

  await t.step(
    "a user-scoped token without a tenant is 400 tenant_required",
    async () => {
      // A user token can only be made by the user itself, with a credential
      // that is not bound to a tenant: Basic.
      const created = await call(server, "POST", "/api-tokens", {
        headers: {
          authorization: `Basic ${
            btoa(`${a.usernames.member}:correct horse battery`)
          }`,
        },
        body: { name: "mine", scope: "user" },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const userToken = created.body.token;
      for (const attack of tenantRoutes(mine)) {
        const answer = await call(server, attack.method, attack.path, {
          token: userToken,
          body: attack.body,
        });
        assertError(
          answer,
          400,
          "tenant_required",
          `${attack.method} ${attack.path}`,
        );
        assert.equal(
          answer.body.error.message,
          "Select a tenant with the X-Runplane-Tenant header",
        );
      }
      // With a tenant it is not a member of: 404.
      const other = await call(server, "GET", "/projects", {
        token: userToken,
        tenant: b.slug,
      });
      assertError(other, 404, "not_found", "user token, other tenant");
    },
  );
});

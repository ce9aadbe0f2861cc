import assert from "node:assert/strict";
import { AuthenticationError, NotFoundError } from "../../errors.ts";
import { Client } from "../../client/client.ts";
import { Credentials } from "../../auth/credentials.ts";
import { createTenant, rejectsWith } from "./_helpers.ts";
import {
  type ReferenceServer,
  startReferenceServer,
} from "../_helpers/reference_server.ts";

/**
 * Two tenants whose first user joins the second too, with `role` there, and
 * that user's user-scoped API token.
 */
async function userInTwoTenants(
  server: ReferenceServer,
  role: "viewer" | "member",
) {
  const first = await createTenant(server, "member");
  const second = await createTenant(server, "member");
  await server.admin.users.addMembership({
    username: first.username,
    tenant: second.slug,
    role,
  });
  const { token } = await server.admin.apiTokens.create({
    name: "laptop",
    scope: "user",
    username: first.username,
  });
  return { first, second, token };
}

Deno.test("loginToTenant() with a user-scoped token, then the access token", async (t) => {
  await using server = await startReferenceServer();
  const { first, second, token } = await userInTwoTenants(server, "viewer");
  const client = server.client({ token });

  await t.step("a user token lists the user's tenants", async () => {
    const slugs = (await client.tenants.list().toArray()).map((x) => x.slug)
      .sort();
    assert.deepEqual(slugs, [first.slug, second.slug].sort());
    assert.equal(await client.tenants.defaultSlug(), first.slug);
  });

  await t.step("after the login, requests use the access token", async () => {
    const tenant = await client.loginToTenant({ slug: first.slug });
    assert.equal(tenant.slug, first.slug);
    assert.equal(client.tenant?.slug, first.slug);
    const accessToken = await client.getAuthToken();
    assert.notEqual(accessToken, token);
    const project = await client.projects.create({ name: "via-login" });
    assert.equal(
      (await first.client.projects.get(project.id)).name,
      "via-login",
    );
    assert.match(
      client.uiUrl("project", project.id),
      new RegExp(`/ui/${first.slug}/projects/${project.id}$`),
    );
    // The access token works on its own, bound to the tenant.
    const bare = server.client({ token: accessToken! });
    assert.equal((await bare.projects.list().toArray())[0].id, project.id);
    await rejectsWith(
      bare.get("/projects", { headers: { "x-runplane-tenant": second.slug } }),
      NotFoundError,
    );
    await client.logoutFromTenant();
    assert.equal(client.tenant, undefined);
    await rejectsWith(bare.projects.list().toArray(), AuthenticationError);
  });

  await t.step("login by id to the second tenant", async () => {
    const id = (await client.tenants.list().toArray()).find((x) =>
      x.slug === second.slug
    )!.id;
    const tenant = await client.loginToTenant({ id });
    assert.equal(tenant.slug, second.slug);
    assert.deepEqual(await client.projects.list().toArray(), []);
    await client.logoutFromTenant();
  });
});

Deno.test("a keypair client works against the real server", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const keys = await server.admin.accessKeys.create({
    username: tenant.username,
    tenant: tenant.slug,
  });
  const signed = server.client(keys);
  const project = await signed.projects.create({ name: "signed" });
  const flow = await signed.flows.register({ name: "f", project: project.id });
  const run = await signed.flowRuns.create({
    flowId: flow.id,
    parameters: { ünïcode: "✓" },
  });
  assert.deepEqual((await signed.flowRuns.get(run.id)).parameters, {
    ünïcode: "✓",
  });
  const runs = await Array.fromAsync(signed.flowRuns.list({ flowId: flow.id }));
  assert.deepEqual(runs.map((r) => r.id), [run.id]);
  assert.equal(await signed.tenants.defaultSlug(), tenant.slug);
  const wrong = server.client({ ...keys, secretKey: "not-the-secret" });
  await rejectsWith(wrong.projects.list().toArray(), AuthenticationError);
});

Deno.test("the remaining auth routes: /me, refresh, session login and logout", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");

  await t.step("GET /me names the principal", async () => {
    assert.deepEqual(await server.admin.get("/me"), { kind: "admin" });
    const me = await tenant.client.get<{ kind: string; username: string }>(
      "/me",
    );
    assert.equal(me.kind, "user");
    assert.equal(me.username, tenant.username);
  });

  await t.step("POST /auth/refresh rotates the refresh token", async () => {
    const basic = server.client({
      username: tenant.username,
      password: tenant.password,
    });
    const grant = await basic.post<
      { refreshToken: string; accessToken: string }
    >(
      "/auth/tenant-login",
      { slug: tenant.slug },
    );
    const anonymous = new Client({
      credentials: new Credentials({ token: "unused-token" }),
      config: { endpoints: server.url.href, envFile: false, env: {} },
    });
    try {
      const next = await anonymous.post<{ refreshToken: string }>(
        "/auth/refresh",
        { refreshToken: grant.refreshToken },
      );
      assert.notEqual(next.refreshToken, grant.refreshToken);
      await rejectsWith(
        anonymous.post("/auth/refresh", { refreshToken: grant.refreshToken }),
        AuthenticationError,
      );
    } finally {
      await anonymous.close();
    }
  });

  await t.step(
    "a session endpoint client logs in for a cookie and out",
    async () => {
      const session = new Client({
        credentials: new Credentials({
          username: tenant.username,
          password: tenant.password,
        }),
        config: {
          endpoints: server.url.href,
          endpointType: "session",
          tenant: tenant.slug,
          envFile: false,
          env: {},
        },
      });
      try {
        const project = await session.projects.create({ name: "by-cookie" });
        assert.equal((await session.projects.get(project.id)).id, project.id);
        await session.logout();
        assert.equal((await session.projects.list().toArray()).length, 1);
        await session.logout();
      } finally {
        await session.close();
      }
    },
  );
});

Deno.test("loginToTenant() while logged in to a tenant switches tenant with the user's own credentials", async (t) => {
  await using server = await startReferenceServer();
  const { first, second, token } = await userInTwoTenants(server, "member");
  const modes = {
    "API token": server.client({ token }),
    "Basic": server.client({
      username: first.username,
      password: first.password,
    }),
  };
  for (const [mode, client] of Object.entries(modes)) {
    await t.step(mode, async () => {
      await client.loginToTenant({ slug: first.slug });
      const old = await client.getAuthToken();
      const project = await client.projects.create({
        name: `in-first-${mode}`,
      });
      const tenant = await client.loginToTenant({ slug: second.slug });
      assert.equal(tenant.slug, second.slug);
      assert.equal(client.tenant?.slug, second.slug);
      assert.deepEqual(await client.projects.list().toArray(), []);
      await rejectsWith(client.projects.get(project.id), NotFoundError);
      // The first tenant's access token was revoked on the switch.
      await rejectsWith(
        server.client({ token: old! }).projects.list().toArray(),
        AuthenticationError,
      );
      await client.logoutFromTenant();
    });
  }
});

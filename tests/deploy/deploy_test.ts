// The Deno Deploy gateway of examples/deploy, run with `deno serve` under the
// permissions Deno Deploy grants (network, env, read; no write, no
// subprocess), against the reference server, with several users at once.

import assert from "node:assert/strict";
import { createTenant } from "../e2e/_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const GATEWAY = new URL("../../examples/deploy/main.ts", import.meta.url)
  .pathname;

/** Starts the gateway with `deno serve`; resolves once it listens. */
async function startGateway(endpoint: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "--no-prompt",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read",
      GATEWAY,
    ],
    env: { RUNPLANE_ENDPOINT: endpoint, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let url: string | undefined;
  for (let i = 0; i < 100 && url === undefined; i++) {
    const { value, done } = await lines.read();
    if (done) break;
    seen += value;
    url = /Listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(seen)?.[1];
  }
  // Keep draining so that the child never blocks on a full pipe.
  const drained = (async () => {
    while (!(await lines.read()).done) { /* discard */ }
  })();
  const stdout = child.stdout.cancel();
  if (url === undefined) {
    child.kill();
    await Promise.all([child.status, drained, stdout]);
    throw new Error(`The gateway did not start: ${seen}`);
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await Promise.all([child.status, drained, stdout]);
    },
  };
}

Deno.test("the Deploy gateway answers every concurrent request with its own caller's data", async () => {
  await using server = await startReferenceServer();
  const users: Array<{ slug: string; token: string }> = [];
  for (let i = 0; i < 3; i++) {
    const tenant = await createTenant(server, "member");
    const { token } = await server.admin.apiTokens.create({
      name: "gateway",
      scope: "tenant",
      username: tenant.username,
      tenant: tenant.slug,
    });
    await tenant.client.projects.create({ name: `${tenant.slug}-project` });
    users.push({ slug: tenant.slug, token });
  }
  const gateway = await startGateway(server.url.href);
  try {
    const anonymous = await fetch(`${gateway.url}/projects`);
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();

    // The first /report request imports report.ts for the first time, inside
    // its own request scope, while the other users' requests are in flight.
    const paths = ["/report", "/whoami", "/projects"];
    const calls = Array.from({ length: 60 }, async (_, i) => {
      const user = users[i % users.length];
      const path = paths[Math.floor(i / users.length) % paths.length];
      const response = await fetch(`${gateway.url}${path}`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      assert.equal(response.status, 200, `${path} for ${user.slug}`);
      return { user, path, body: await response.json() };
    });
    for (const { user, path, body } of await Promise.all(calls)) {
      const own = [`${user.slug}-project`];
      if (path === "/whoami") assert.equal(body.tenant?.slug, user.slug);
      if (path === "/projects") assert.deepEqual(body, own);
      if (path === "/report") {
        assert.deepEqual(body, { tenant: user.slug, projects: own });
      }
    }
  } finally {
    await gateway.stop();
  }
});

Deno.test("the Deploy gateway answers a Runplane error with its status and what the request needs", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  await tenant.client.projects.create({ name: "gateway-project" });
  const { token: userToken } = await server.admin.apiTokens.create({
    name: "gateway",
    scope: "user",
    username: tenant.username,
  });
  const gateway = await startGateway(server.url.href);
  const call = async (headers: Record<string, string>) => {
    const response = await fetch(`${gateway.url}/projects`, { headers });
    return { status: response.status, body: await response.json() };
  };
  try {
    await t.step("a bad token is 401, not 500", async () => {
      const { status, body } = await call({
        authorization: "Bearer rp_not-a-token",
      });
      assert.equal(status, 401);
      assert.match(body.error, /Authorization: Bearer/);
      assert.equal(body.code, "unauthenticated");
    });

    await t.step("a token of no one tenant needs a tenant", async () => {
      const { status, body } = await call({
        authorization: `Bearer ${userToken}`,
      });
      assert.equal(status, 400);
      assert.match(body.error, /X-Runplane-Tenant/);
      assert.equal(body.code, "tenant_required");
    });

    await t.step("X-Runplane-Tenant is passed on", async () => {
      const { status, body } = await call({
        authorization: `Bearer ${userToken}`,
        "x-runplane-tenant": tenant.slug,
      });
      assert.equal(status, 200);
      assert.deepEqual(body, ["gateway-project"]);
    });
  } finally {
    await gateway.stop();
  }
});

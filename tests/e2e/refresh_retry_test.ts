import assert from "node:assert/strict";
import { startServer } from "../../server/mod.ts";
import { Client } from "../../client/client.ts";
import { Credentials } from "../../auth/credentials.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";

Deno.test("a refresh whose answer is lost is retried and replayed, and the login survives", async () => {
  const adminToken = `rpadm_${crypto.randomUUID()}`;
  // Access tokens that expire within the client's 30 s margin: every
  // request refreshes first.
  await using server = await startServer({
    port: 0,
    databasePath: ":memory:",
    adminToken,
    quiet: true,
    accessTokenTtlMs: 20_000,
  });
  const config = { envFile: false as const, env: {} };
  await using admin = new Client({
    credentials: new Credentials({ token: adminToken }),
    config: { ...config, endpoints: server.url.href },
  });
  await admin.tenants.create({ slug: "acme", name: "Acme" });
  await admin.users.create({
    username: "ada",
    password: "correct horse battery",
    tenant: "acme",
    role: "member",
  });
  const { token } = await admin.apiTokens.create({
    name: "ada",
    scope: "user",
    username: "ada",
  });

  let refreshes = 0;
  await using proxy = startFaultProxy({
    target: server.url,
    faultFor: (head) =>
      head.startsWith("POST /api/v1/auth/refresh ") && refreshes++ === 0
        ? "drop"
        : undefined,
  });
  await using client = new Client({
    credentials: new Credentials({ token }),
    config: { ...config, endpoints: proxy.url.href },
    retryBackoff: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  await client.loginToTenant({ slug: "acme" });
  const project = await client.projects.create({ name: "after-refresh" });
  assert.equal(proxy.faults.drop, 1, "the first refresh answer was lost");
  assert.ok(refreshes >= 2, "the refresh was sent again");
  const names = (await client.projects.list().toArray()).map((p) => p.name);
  assert.deepEqual(names, [project.name], "the login still works");
});

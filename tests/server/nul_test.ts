import assert from "node:assert/strict";
import { call } from "./_helpers.ts";
import { seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("server answers ids and names holding U+0000 without a 500, on either engine", async () => {
  await using server = await startReferenceServer();
  const tenant = await seedTenant(server, "nul");
  const token = tenant.tokens.member;
  const missing = await call(server, "GET", "/projects/%00%01", { token });
  assert.equal(missing.status, 404);
  const created = await call(server, "POST", "/projects", {
    token,
    body: { name: "a\u0000b" },
  });
  assert.ok(created.status < 500, `answered ${created.status}`);
});

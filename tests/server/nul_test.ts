import assert from "node:assert/strict";
import { call, createTenant, testServer } from "./_helpers.ts";

Deno.test("server answers ids and names holding U+0000 without a 500, on either engine", async () => {
  await using server = await testServer();
  const tenant = await createTenant(server, "nul");
  const token = tenant.tokens.member;
  const missing = await call(server, "GET", "/projects/%00%01", { token });
  assert.equal(missing.status, 404);
  const created = await call(server, "POST", "/projects", {
    token,
    body: { name: "a\u0000b" },
  });
  assert.ok(created.status < 500, `answered ${created.status}`);
});

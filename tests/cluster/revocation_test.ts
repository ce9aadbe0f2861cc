import assert from "node:assert/strict";
import { type SigningKey, signRequest } from "../../auth/hmac.ts";
import { randomKey } from "../_helpers/engine.ts";
import { testDatabase } from "../_helpers/postgres.ts";
import { call } from "../server/_helpers.ts";
import { seedTenant } from "../_helpers/seed.ts";
import { startInstances, stopInstances } from "./_helpers.ts";

/** A signed GET of /me, sent to `server`. */
async function signedMe(server: { url: URL }, key: SigningKey) {
  const url = new URL("/api/v1/me", server.url);
  const signed = await signRequest({ method: "GET", url }, key);
  const response = await fetch(url, { headers: signed.headers });
  await response.body?.cancel();
  return response.status;
}

Deno.test("a credential revoked on one instance fails on the next request to another, whatever that one has cached", async (t) => {
  await using database = await testDatabase();
  const instances = await startInstances(2, database.url, randomKey());
  const [a, b] = instances.map((instance) => ({ url: instance.url! }));
  try {
    const tenant = await seedTenant(a, "revoked");

    await t.step("a keypair whose secret instance a has opened", async () => {
      const created = await call(a, "POST", "/access-keys", {
        body: { username: tenant.usernames.member, tenant: tenant.slug },
      });
      const key: SigningKey = created.body;
      // Twice, so a has opened the secret and derived today's signing key.
      assert.equal(await signedMe(a, key), 200);
      assert.equal(await signedMe(a, key), 200);
      const revoked = await call(b, "DELETE", `/access-keys/${key.accessKey}`);
      assert.equal(revoked.status, 204);
      assert.equal(await signedMe(a, key), 401);
    });

    await t.step(
      "a tenant token that instance a has just accepted",
      async () => {
        const created = await call(a, "POST", "/api-tokens", {
          token: tenant.tokens.member,
          body: { name: "revoked", scope: "tenant" },
        });
        const token = created.body.token as string;
        assert.equal(
          (await call(a, "GET", "/projects", { token })).status,
          200,
        );
        const revoked = await call(
          b,
          "DELETE",
          `/api-tokens/${created.body.id}`,
          {
            token: tenant.tokens.member,
          },
        );
        assert.equal(revoked.status, 204);
        assert.equal(
          (await call(a, "GET", "/projects", { token })).status,
          401,
        );
      },
    );
  } finally {
    await stopInstances(instances);
  }
});

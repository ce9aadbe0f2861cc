import { deepEqual, equal, ok } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { basic, call } from "./_helpers.ts";
import { PASSWORD, seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("answers that mint credentials are replayed for a retry and stored sealed", async (t) => {
  const folder = await Deno.makeTempDir();
  const databasePath = `${folder}/sealed.db`;
  const server = await startReferenceServer({ databasePath });
  try {
    const acme = await seedTenant(server, "acme");
    const member = basic(acme.usernames.member, PASSWORD);
    const minted: string[] = [];

    await t.step(
      "a repeated refresh with the same key gets the same grant and keeps the family",
      async () => {
        const login = await call(server, "POST", "/auth/tenant-login", {
          headers: { authorization: member, "idempotency-key": "login-1" },
          body: { slug: "acme" },
        });
        equal(login.status, 200);
        minted.push(login.body.accessToken, login.body.refreshToken);
        const again = await call(server, "POST", "/auth/tenant-login", {
          headers: { authorization: member, "idempotency-key": "login-1" },
          body: { slug: "acme" },
        });
        equal(again.headers.get("idempotent-replayed"), "true");
        deepEqual(again.body, login.body);

        const refresh = (key: string) =>
          call(server, "POST", "/auth/refresh", {
            token: null,
            headers: { "idempotency-key": key },
            body: { refreshToken: login.body.refreshToken },
          });
        const first = await refresh("refresh-1");
        equal(first.status, 200);
        minted.push(first.body.accessToken, first.body.refreshToken);
        const retry = await refresh("refresh-1");
        equal(retry.status, 200);
        equal(retry.headers.get("idempotent-replayed"), "true");
        deepEqual(retry.body, first.body);
        const me = await call(server, "GET", "/me", {
          token: first.body.accessToken,
        });
        equal(me.status, 200, "a replayed refresh does not revoke the family");

        // Another key is another use of a spent refresh token: theft.
        const stolen = await refresh("refresh-2");
        equal(stolen.status, 401);
        const revoked = await call(server, "GET", "/me", {
          token: first.body.accessToken,
        });
        equal(revoked.status, 401);
      },
    );

    await t.step(
      "a repeated token creation returns the same token once minted",
      async () => {
        const create = () =>
          call(server, "POST", "/api-tokens", {
            headers: { "idempotency-key": "token-1" },
            body: {
              name: "ci",
              scope: "tenant",
              username: acme.usernames.member,
              tenant: "acme",
            },
          });
        const first = await create();
        equal(first.status, 201);
        minted.push(first.body.token);
        const retry = await create();
        deepEqual(retry.body, first.body);
        const works = await call(server, "GET", "/me", {
          token: first.body.token,
        });
        equal(works.status, 200);
      },
    );

    await t.step("the stored answers hold no token in plain text", () => {
      const db = new DatabaseSync(databasePath, { readOnly: true });
      try {
        const table = db.prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%idempot%'",
        ).get() as { name: string };
        const rows = db.prepare(`SELECT * FROM ${table.name}`).all();
        const text = JSON.stringify(rows);
        equal(minted.length, 5);
        for (const secret of minted) ok(!text.includes(secret));
        ok(!/accessToken|refreshToken/.test(text), "bodies are sealed");
        ok(text.includes('"v1:'), "sealed bodies are stored");
      } finally {
        db.close();
      }
    });
  } finally {
    await server.close();
    await Deno.remove(folder, { recursive: true });
  }
});

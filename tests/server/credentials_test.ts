import { deepEqual, equal, ok } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { basic, call } from "./_helpers.ts";
import { PASSWORD, seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const NEW_PASSWORD = "a brand new password";

Deno.test("GET /api-tokens and DELETE /api-tokens/:id list and revoke by least privilege", async (t) => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const globex = await seedTenant(server, "globex");
  const mine = await call(server, "POST", "/api-tokens", {
    token: acme.tokens.member,
    body: { name: "laptop", scope: "tenant" },
  });
  equal(mine.status, 201);
  const memberBasic = {
    headers: { authorization: basic(acme.usernames.member, PASSWORD) },
  };
  const userScoped = await call(server, "POST", "/api-tokens", {
    ...memberBasic,
    body: { name: "everywhere", scope: "user" },
  });
  equal(userScoped.status, 201);

  await t.step("a listing never shows a token or its hash", async () => {
    const listed = await call(server, "GET", "/api-tokens", memberBasic);
    equal(listed.status, 200);
    deepEqual(
      listed.body.items.map((x: { name: string }) => x.name),
      ["everywhere", "laptop", "member"],
    );
    const text = JSON.stringify(listed.body);
    ok(!text.includes(mine.body.token) && !text.includes("rp_"));
    deepEqual(Object.keys(listed.body.items[1]).sort(), [
      "createdAt",
      "expiresAt",
      "id",
      "name",
      "scope",
      "tenant",
      "username",
    ]);
  });

  await t.step(
    "a tenant credential sees only its tenant's tokens",
    async () => {
      const listed = await call(server, "GET", "/api-tokens", {
        token: acme.tokens.member,
      });
      deepEqual(
        listed.body.items.map((x: { name: string }) => x.name),
        ["laptop", "member"],
      );
      const revoke = await call(
        server,
        "DELETE",
        `/api-tokens/${userScoped.body.id}`,
        { token: acme.tokens.member },
      );
      equal(revoke.status, 404);
    },
  );

  await t.step(
    "a tenant admin lists and revokes its tenant's tokens, not a member's user token",
    async () => {
      const listed = await call(server, "GET", "/api-tokens?tenant=acme", {
        token: acme.tokens.admin,
      });
      deepEqual(
        listed.body.items.map((x: { name: string }) => x.name).sort(),
        ["admin", "laptop", "member", "viewer"],
      );
      const userToken = await call(
        server,
        "DELETE",
        `/api-tokens/${userScoped.body.id}`,
        { token: acme.tokens.admin },
      );
      equal(userToken.status, 404);
      const revoked = await call(
        server,
        "DELETE",
        `/api-tokens/${mine.body.id}`,
        { token: acme.tokens.admin },
      );
      equal(revoked.status, 204);
      const used = await call(server, "GET", "/projects", {
        token: mine.body.token,
      });
      equal(used.status, 401);
    },
  );

  await t.step(
    "another tenant's admin, member or viewer sees and revokes nothing",
    async () => {
      const listed = await call(server, "GET", "/api-tokens?tenant=acme", {
        token: globex.tokens.admin,
      });
      equal(listed.status, 404);
      const all = await call(server, "GET", "/api-tokens", {
        token: globex.tokens.admin,
      });
      ok(
        all.body.items.every((x: { tenant: string }) => x.tenant === "globex"),
      );
      const viewer = await call(server, "GET", "/api-tokens?tenant=acme", {
        token: acme.tokens.viewer,
      });
      deepEqual(viewer.body.items.map((x: { name: string }) => x.name), [
        "viewer",
      ]);
      for (const token of [globex.tokens.admin, acme.tokens.viewer]) {
        const revoke = await call(
          server,
          "DELETE",
          `/api-tokens/${userScoped.body.id}`,
          { token },
        );
        equal(revoke.status, 404);
      }
    },
  );

  await t.step(
    "the user revokes its own user token; the system admin any",
    async () => {
      equal(
        (await call(server, "DELETE", `/api-tokens/${userScoped.body.id}`, {
          ...memberBasic,
        })).status,
        204,
      );
      equal(
        (await call(server, "GET", "/tenants", {
          token: userScoped.body.token,
        }))
          .status,
        401,
      );
      const globexTokens = await call(
        server,
        "GET",
        `/api-tokens?username=${globex.usernames.viewer}`,
      );
      equal(globexTokens.body.items.length, 1);
      equal(
        (await call(
          server,
          "DELETE",
          `/api-tokens/${globexTokens.body.items[0].id}`,
        )).status,
        204,
      );
      equal(
        (await call(server, "GET", "/projects", {
          token: globex.tokens.viewer,
        }))
          .status,
        401,
      );
    },
  );
});

Deno.test("POST /api-tokens with expiresAt: the token is refused once it expires", async (t) => {
  const folder = await Deno.makeTempDir();
  const databasePath = `${folder}/runplane.db`;
  try {
    await using server = await startReferenceServer({ databasePath });
    const acme = await seedTenant(server, "acme");
    const body = { name: "ci", scope: "tenant", tenant: "acme" };

    await t.step("a time in the past or no time is a 400", async () => {
      for (const expiresAt of ["2020-01-01T00:00:00Z", "tomorrow"]) {
        const answer = await call(server, "POST", "/api-tokens", {
          token: acme.tokens.admin,
          body: { ...body, expiresAt },
        });
        equal(answer.status, 400);
        equal(answer.body.error.code, "invalid_body");
      }
    });

    await t.step("it works until its time, then answers 401", async () => {
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
      const created = await call(server, "POST", "/api-tokens", {
        token: acme.tokens.admin,
        body: { ...body, expiresAt },
      });
      equal(created.status, 201);
      equal(created.body.expiresAt, expiresAt);
      const token = created.body.token;
      equal((await call(server, "GET", "/projects", { token })).status, 200);
      const listed = await call(server, "GET", "/api-tokens?tenant=acme", {
        token: acme.tokens.admin,
      });
      equal(
        listed.body.items.find((x: { id: string }) => x.id === created.body.id)
          .expiresAt,
        expiresAt,
      );
      // The clock moves on: the stored expiry is put an hour back.
      const db = new DatabaseSync(databasePath);
      try {
        db.prepare("UPDATE api_tokens SET expires_at = ? WHERE id = ?").run(
          Date.now() - 1,
          created.body.id,
        );
      } finally {
        db.close();
      }
      equal((await call(server, "GET", "/projects", { token })).status, 401);
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("GET /access-keys and DELETE /access-keys/:key list and revoke keypairs", async (t) => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const globex = await seedTenant(server, "globex");
  const created = await call(server, "POST", "/access-keys", {
    token: acme.tokens.admin,
    body: { username: acme.usernames.member, tenant: "acme" },
  });
  equal(created.status, 201);
  const keypair = {
    accessKey: created.body.accessKey,
    secretKey: created.body.secretKey,
  };

  await t.step(
    "the owner and its tenant's admin see it, without the secret",
    async () => {
      for (const token of [acme.tokens.member, acme.tokens.admin]) {
        const listed = await call(server, "GET", "/access-keys", { token });
        equal(listed.status, 200);
        equal(listed.body.items.length, 1);
        deepEqual(Object.keys(listed.body.items[0]).sort(), [
          "accessKey",
          "createdAt",
          "tenant",
          "username",
        ]);
        ok(!JSON.stringify(listed.body).includes(keypair.secretKey));
      }
      for (const token of [acme.tokens.viewer, globex.tokens.admin]) {
        const listed = await call(server, "GET", "/access-keys", { token });
        deepEqual(listed.body.items, []);
        const revoke = await call(
          server,
          "DELETE",
          `/access-keys/${keypair.accessKey}`,
          { token },
        );
        equal(revoke.status, 404);
      }
    },
  );

  await t.step("revoked, its signatures are refused at once", async () => {
    equal(
      (await call(server, "GET", "/projects", { keypair })).status,
      200,
    );
    // A keypair may revoke itself.
    equal(
      (await call(server, "DELETE", `/access-keys/${keypair.accessKey}`, {
        keypair,
      })).status,
      204,
    );
    equal((await call(server, "GET", "/projects", { keypair })).status, 401);
    equal(
      (await call(server, "DELETE", `/access-keys/${keypair.accessKey}`))
        .status,
      404,
    );
  });
});

Deno.test("PUT /users/:username/password changes it and ends the user's logins", async (t) => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const globex = await seedTenant(server, "globex");
  const username = acme.usernames.member;
  const path = `/users/${username}/password`;
  const oldBasic = { authorization: basic(username, PASSWORD) };

  await t.step("the user needs the current password", async () => {
    const missing = await call(server, "PUT", path, {
      headers: oldBasic,
      body: { password: NEW_PASSWORD },
    });
    equal(missing.status, 400);
    const wrong = await call(server, "PUT", path, {
      headers: oldBasic,
      body: { password: NEW_PASSWORD, currentPassword: "not the password" },
    });
    equal(wrong.status, 403);
  });

  await t.step(
    "the user changes it: every old login ends at once",
    async () => {
      // A session, a tenant login, and a Basic credential checked (and so
      // remembered) a moment ago.
      const login = await call(server, "POST", "/auth/login", {
        token: null,
        body: { username, password: PASSWORD },
      });
      const cookie = login.headers.get("set-cookie")!.split(";")[0];
      const tenantLogin = await call(server, "POST", "/auth/tenant-login", {
        headers: oldBasic,
        body: { slug: "acme" },
      });
      equal(tenantLogin.status, 200);
      equal(
        (await call(server, "GET", "/me", { headers: oldBasic })).status,
        200,
      );

      const changed = await call(server, "PUT", path, {
        headers: { cookie },
        token: null,
        body: { password: NEW_PASSWORD, currentPassword: PASSWORD },
      });
      equal(changed.status, 204);
      equal(
        (await call(server, "GET", "/me", { headers: oldBasic })).status,
        401,
      );
      equal(
        (await call(server, "GET", "/me", { headers: { cookie }, token: null }))
          .status,
        401,
      );
      equal(
        (await call(server, "GET", "/projects", {
          token: tenantLogin.body.accessToken,
        })).status,
        401,
      );
      equal(
        (await call(server, "POST", "/auth/refresh", {
          token: null,
          body: { refreshToken: tenantLogin.body.refreshToken },
        })).status,
        401,
      );
      const fresh = await call(server, "GET", "/me", {
        headers: { authorization: basic(username, NEW_PASSWORD) },
      });
      equal(fresh.status, 200);
      // API tokens are credentials of their own, revoked apart.
      equal(
        (await call(server, "GET", "/projects", { token: acme.tokens.member }))
          .status,
        200,
      );
    },
  );

  await t.step(
    "an admin of every tenant of the user sets it without the old one",
    async () => {
      const byAdmin = await call(server, "PUT", path, {
        token: acme.tokens.admin,
        body: { password: PASSWORD },
      });
      equal(byAdmin.status, 204);
      equal(
        (await call(server, "GET", "/me", { headers: oldBasic })).status,
        200,
      );
    },
  );

  await t.step(
    "an admin of only one of the user's tenants may not",
    async () => {
      await call(server, "POST", "/users", {
        body: { username, tenant: "globex", role: "viewer" },
      });
      const byAcme = await call(server, "PUT", path, {
        token: acme.tokens.admin,
        body: { password: NEW_PASSWORD },
      });
      equal(byAcme.status, 403);
      equal(byAcme.body.error.code, "forbidden");
    },
  );

  await t.step(
    "another tenant's admin, a member, or a stranger is refused",
    async () => {
      const other = await call(
        server,
        "PUT",
        `/users/${globex.usernames.member}/password`,
        {
          token: acme.tokens.admin,
          body: { password: NEW_PASSWORD },
        },
      );
      equal(other.status, 404);
      const member = await call(
        server,
        "PUT",
        `/users/${acme.usernames.viewer}/password`,
        { token: acme.tokens.member, body: { password: NEW_PASSWORD } },
      );
      equal(member.status, 403);
      const unknown = await call(server, "PUT", "/users/nobody/password", {
        token: acme.tokens.admin,
        body: { password: NEW_PASSWORD },
      });
      equal(unknown.status, 404);
    },
  );

  await t.step("the system admin sets anyone's", async () => {
    const byAdmin = await call(server, "PUT", path, {
      body: { password: NEW_PASSWORD },
    });
    equal(byAdmin.status, 204);
    equal(
      (await call(server, "GET", "/me", {
        headers: { authorization: basic(username, NEW_PASSWORD) },
      })).status,
      200,
    );
  });
});

Deno.test("DELETE /users/:username/memberships/:tenant ends the membership and its credentials", async (t) => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const globex = await seedTenant(server, "globex");
  const username = acme.usernames.member;
  const keypair = (await call(server, "POST", "/access-keys", {
    token: acme.tokens.admin,
    body: { username, tenant: "acme" },
  })).body;
  const path = `/users/${username}/memberships/acme`;

  await t.step("only an admin of the tenant may", async () => {
    equal(
      (await call(server, "DELETE", path, { token: acme.tokens.member }))
        .status,
      403,
    );
    equal(
      (await call(server, "DELETE", path, { token: globex.tokens.admin }))
        .status,
      404,
    );
  });

  await t.step(
    "removed, the user's tenant credentials stop working",
    async () => {
      equal(
        (await call(server, "DELETE", path, { token: acme.tokens.admin }))
          .status,
        204,
      );
      equal(
        (await call(server, "GET", "/projects", { token: acme.tokens.member }))
          .status,
        401,
      );
      equal((await call(server, "GET", "/projects", { keypair })).status, 401);
      const basicTenant = await call(server, "GET", "/projects", {
        tenant: "acme",
        headers: { authorization: basic(username, PASSWORD) },
      });
      equal(basicTenant.status, 404);
      equal(
        (await call(server, "DELETE", path, { token: acme.tokens.admin }))
          .status,
        404,
      );
    },
  );

  await t.step("added again, the old credentials stay revoked", async () => {
    const added = await call(server, "POST", "/users", {
      token: acme.tokens.admin,
      body: { username, tenant: "acme", role: "member" },
    });
    equal(added.status, 201);
    equal(
      (await call(server, "GET", "/projects", { token: acme.tokens.member }))
        .status,
      401,
    );
    equal((await call(server, "GET", "/projects", { keypair })).status, 401);
  });
});

Deno.test("POST /users adds an existing user without taking or checking its password", async () => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const globex = await seedTenant(server, "globex");
  const victim = globex.usernames.viewer;
  // Right and wrong guesses answer alike, and add nobody.
  const answers = [];
  for (const password of [PASSWORD, "a wrong guess"]) {
    answers.push(
      await call(server, "POST", "/users", {
        token: acme.tokens.admin,
        body: { username: victim, password, tenant: "acme", role: "viewer" },
      }),
    );
  }
  deepEqual(answers[0].body, answers[1].body);
  deepEqual(answers.map((a) => a.status), [409, 409]);
  const me = await call(server, "GET", "/tenants", {
    headers: { authorization: basic(victim, PASSWORD) },
  });
  deepEqual(me.body.items.map((x: { slug: string }) => x.slug), ["globex"]);

  const added = await call(server, "POST", "/users", {
    token: acme.tokens.admin,
    body: { username: victim, tenant: "acme", role: "viewer" },
  });
  equal(added.status, 201);
  deepEqual(added.body, {
    id: added.body.id,
    username: victim,
    tenant: "acme",
    role: "viewer",
  });
  const unknown = await call(server, "POST", "/users", {
    token: acme.tokens.admin,
    body: { username: "nobody-yet", tenant: "acme", role: "viewer" },
  });
  equal(unknown.status, 404);
  equal(
    unknown.body.error.message,
    "User not found: give a password to create it",
  );
});

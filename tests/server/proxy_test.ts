import { equal, match, ok, rejects } from "node:assert/strict";
import { startServer } from "../../server/mod.ts";
import { call, createFlowRun } from "./_helpers.ts";
import { PASSWORD, seedTenant } from "../_helpers/seed.ts";
import {
  spawnReferenceServer,
  startReferenceServer,
} from "../_helpers/reference_server.ts";

const PUBLIC = "https://runplane.example";

/** Posts the web UI's login form as a browser on `origin` would. */
async function uiLogin(
  server: { url: URL },
  origin: string,
  username: string,
): Promise<Response> {
  const response = await fetch(new URL("/ui/login", server.url), {
    method: "POST",
    redirect: "manual",
    headers: {
      origin,
      "sec-fetch-site": "same-origin",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ username, password: PASSWORD, next: "/ui/" }),
  });
  await response.body?.cancel();
  return response;
}

Deno.test("startServer() with publicUrl serves browsers behind a TLS proxy", async (t) => {
  await using server = await startReferenceServer({
    databasePath: ":memory:",
    publicUrl: PUBLIC,
  });
  const acme = await seedTenant(server, "acme");
  const username = acme.usernames.viewer;

  await t.step(
    "the UI login takes the public origin and sets a __Host- Secure cookie",
    async () => {
      const response = await uiLogin(server, PUBLIC, username);
      equal(response.status, 303);
      const cookie = response.headers.get("set-cookie")!;
      match(
        cookie,
        /^__Host-runplane_session=[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200; Secure$/,
      );
      const me = await call(server, "GET", "/me", {
        token: null,
        headers: { cookie: cookie.split(";")[0] },
      });
      equal(me.status, 200);
      equal(me.body.username, username);
      // The plain name is not a session cookie here.
      const plain = await call(server, "GET", "/me", {
        token: null,
        headers: {
          cookie: cookie.split(";")[0].replace("__Host-", ""),
        },
      });
      equal(plain.status, 401);
    },
  );

  await t.step("the server's own origin is now a foreign one", async () => {
    const response = await uiLogin(server, server.url.origin, username);
    equal(response.status, 403);
  });

  await t.step("the API login and logout check the origin too", async () => {
    const login = await call(server, "POST", "/auth/login", {
      token: null,
      headers: { origin: PUBLIC },
      body: { username, password: PASSWORD },
    });
    equal(login.status, 200);
    match(
      login.headers.get("set-cookie")!,
      /^__Host-runplane_session=.*; Secure$/,
    );
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const forged = await call(server, "POST", "/auth/logout", {
      token: null,
      headers: { origin: "https://evil.example", cookie },
    });
    equal(forged.status, 403);
    equal(
      (await call(server, "GET", "/me", { token: null, headers: { cookie } }))
        .status,
      200,
    );
    const logout = await call(server, "POST", "/auth/logout", {
      token: null,
      headers: { origin: PUBLIC, cookie },
    });
    equal(logout.status, 204);
    equal(
      (await call(server, "GET", "/me", { token: null, headers: { cookie } }))
        .status,
      401,
    );
  });
});

Deno.test("POST /auth/logout refuses a cross-site request without publicUrl too", async () => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const login = await call(server, "POST", "/auth/login", {
    token: null,
    body: { username: acme.usernames.viewer, password: PASSWORD },
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0];
  for (
    const headers of [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
    ] as Record<string, string>[]
  ) {
    const logout = await call(server, "POST", "/auth/logout", {
      token: null,
      headers: { ...headers, cookie },
    });
    equal(logout.status, 403);
  }
  equal(
    (await call(server, "GET", "/me", { token: null, headers: { cookie } }))
      .status,
    200,
  );
});

Deno.test("startServer() rejects a publicUrl that is not an origin", async () => {
  for (
    const publicUrl of ["runplane.example", "ftp://x.example", `${PUBLIC}/app`]
  ) {
    await rejects(
      startServer({ port: 0, databasePath: ":memory:", publicUrl }),
      (error: Error) =>
        error instanceof TypeError &&
        error.message.startsWith(
          "Option publicUrl must be an http or https origin",
        ),
    );
  }
});

Deno.test("answers that carry secrets are never stored by a cache", async () => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const token = acme.tokens.admin;
  await call(server, "PUT", "/secrets/db", { token, body: { value: "x" } });
  const basic = {
    authorization: `Basic ${btoa(`${acme.usernames.admin}:${PASSWORD}`)}`,
  };
  const tenantLogin = await call(server, "POST", "/auth/tenant-login", {
    token: null,
    headers: basic,
    body: { slug: "acme" },
  });
  const answers = {
    secret: await call(server, "GET", "/secrets/db", { token }),
    apiToken: await call(server, "POST", "/api-tokens", {
      token,
      body: { name: "ci", scope: "tenant" },
    }),
    accessKey: await call(server, "POST", "/access-keys", {
      token,
      body: { username: acme.usernames.admin, tenant: "acme" },
    }),
    login: await call(server, "POST", "/auth/login", {
      token: null,
      body: { username: acme.usernames.admin, password: PASSWORD },
    }),
    tenantLogin,
    refresh: await call(server, "POST", "/auth/refresh", {
      token: null,
      body: { refreshToken: tenantLogin.body.refreshToken },
    }),
  };
  for (const [name, answer] of Object.entries(answers)) {
    ok(answer.status < 300, `${name}: ${answer.status}`);
    equal(answer.headers.get("cache-control"), "no-store", name);
  }
});

Deno.test("the access log escapes control characters in paths", async () => {
  const process = await spawnReferenceServer({ database: ":memory:" });
  try {
    ok(process.url);
    const response = await fetch(
      new URL(
        "/api/v1/x%0A2026-11-29%20forged%0D%1B]52;c;AAAA%07",
        process.url,
      ),
    );
    await response.body?.cancel();
    equal(response.status, 404);
  } finally {
    await process.kill("SIGTERM");
    const stderr = process.stderr;
    const lines = stderr.split("\n");
    ok(!lines.some((line) => line.startsWith("2026-11-29 forged")), stderr);
    ok(
      !/\p{Cc}/u.test(stderr.replaceAll("\n", "")),
      JSON.stringify(stderr),
    );
    ok(
      lines.some((line) =>
        line.startsWith(
          "GET /api/v1/x\\n2026-11-29 forged\\r\\u001b]52;c;AAAA\\u0007 404 ",
        )
      ),
      stderr,
    );
  }
});

Deno.test("flow runs created in the same millisecond get different default names", async () => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const { flowId } = await createFlowRun(server, acme);
  const token = acme.tokens.member;
  // Pairs of concurrent creations until two share a millisecond (the first
  // 48 bits of their ids), within a bound.
  let same: Array<{ id: string; name: string }> | undefined;
  for (let attempt = 0; attempt < 200 && !same; attempt++) {
    const pair = await Promise.all(
      [0, 1].map(async () =>
        (await call(server, "POST", "/flow-runs", {
          token,
          body: { flowId },
        })).body
      ),
    );
    if (pair[0].id.slice(0, 13) === pair[1].id.slice(0, 13)) same = pair;
  }
  ok(same, "no two runs were created in the same millisecond");
  match(same[0].name, /^etl-[0-9a-f]{12}$/);
  ok(same[0].name !== same[1].name, `${same[0].name} twice`);
});

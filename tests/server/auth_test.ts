import { deepEqual, match, ok } from "node:assert/strict";
import { signRequest } from "../../auth/hmac.ts";
import { basic, call } from "./_helpers.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { PASSWORD, seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const AUTH_FAILED = {
  error: { code: "unauthenticated", message: "Authentication failed" },
};

Deno.test("server authenticates every credential mode", async (t) => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");

  await t.step(
    "bearer tokens: admin, tenant-scoped, user-scoped, bad",
    async () => {
      const admin = await call(server, "GET", "/me");
      deepEqual(admin.body, { kind: "admin" });
      const member = await call(server, "GET", "/me", {
        token: acme.tokens.member,
      });
      deepEqual(member.status, 200);
      deepEqual(member.body.username, "acme-member");
      deepEqual(member.body.role, "member");
      deepEqual(member.body.tenant.slug, "acme");
      const userToken = await call(server, "POST", "/api-tokens", {
        token: null,
        headers: { authorization: basic("acme-viewer", PASSWORD) },
        body: { name: "mine", scope: "user" },
      });
      deepEqual(userToken.status, 201);
      const tenants = await call(server, "GET", "/tenants", {
        token: userToken.body.token,
      });
      deepEqual(tenants.body.items.map((x: { slug: string }) => x.slug), [
        "acme",
      ]);
      const noTenant = await call(server, "GET", "/projects", {
        token: userToken.body.token,
      });
      deepEqual(noTenant.status, 400);
      deepEqual(noTenant.body.error.code, "tenant_required");
      for (const token of ["nope", ADMIN_TOKEN + "x", "x".repeat(600)]) {
        const bad = await call(server, "GET", "/me", { token });
        deepEqual(bad.status, 401);
        deepEqual(bad.body, AUTH_FAILED);
      }
      const none = await call(server, "GET", "/me", { token: null });
      deepEqual(none.status, 401);
      deepEqual(none.body, AUTH_FAILED);
      const otherScheme = await call(server, "GET", "/me", {
        headers: { authorization: "Digest abc" },
      });
      deepEqual(otherScheme.body, AUTH_FAILED);
    },
  );

  await t.step(
    "HTTP Basic: right, wrong password, unknown user, malformed",
    async () => {
      const passed = await call(server, "GET", "/me", {
        headers: { authorization: basic("acme-admin", PASSWORD) },
        tenant: "acme",
      });
      deepEqual(passed.status, 200);
      deepEqual(passed.body.role, "admin");
      // Cached: a repeat does not pay PBKDF2 again, and still checks the password.
      const again = await call(server, "GET", "/me", {
        headers: { authorization: basic("acme-admin", PASSWORD) },
      });
      deepEqual(again.status, 200);
      for (
        const authorization of [
          basic("acme-admin", "wrong password"),
          basic("nobody", PASSWORD),
          "Basic %%%",
          "Basic " + btoa("no-colon"),
        ]
      ) {
        const bad = await call(server, "GET", "/me", {
          headers: { authorization },
        });
        deepEqual(bad.status, 401, authorization);
        deepEqual(bad.body, AUTH_FAILED);
      }
    },
  );

  await t.step(
    "session login sets a strict HttpOnly cookie; logout clears it",
    async () => {
      const login = await call(server, "POST", "/auth/login", {
        token: null,
        body: { username: "acme-member", password: PASSWORD },
      });
      deepEqual(login.status, 200);
      deepEqual(login.body.user.username, "acme-member");
      const cookie = login.headers.get("set-cookie")!;
      match(cookie, /^runplane_session=[A-Za-z0-9_-]{43};/);
      match(cookie, /; HttpOnly/);
      match(cookie, /; SameSite=Strict/);
      match(cookie, /; Path=\//);
      ok(!cookie.includes("Secure"), "no Secure over plain http");
      const session = cookie.split(";")[0];
      const me = await call(server, "GET", "/me", {
        token: null,
        headers: { cookie: session },
      });
      deepEqual(me.body.username, "acme-member");
      const logout = await call(server, "POST", "/auth/logout", {
        token: null,
        headers: { cookie: session },
      });
      deepEqual(logout.status, 204);
      match(logout.headers.get("set-cookie")!, /Max-Age=0/);
      const after = await call(server, "GET", "/me", {
        token: null,
        headers: { cookie: session },
      });
      deepEqual(after.status, 401);
      deepEqual(after.body, AUTH_FAILED);
      const badLogin = await call(server, "POST", "/auth/login", {
        token: null,
        body: { username: "acme-member", password: "nope nope" },
      });
      deepEqual(badLogin.status, 401);
      deepEqual(badLogin.body, AUTH_FAILED);
    },
  );

  await t.step(
    "tenant login issues tokens; refresh rotates them once",
    async () => {
      const login = await call(server, "POST", "/auth/tenant-login", {
        headers: { authorization: basic("acme-member", PASSWORD) },
        body: { slug: "acme" },
      });
      deepEqual(login.status, 200);
      deepEqual(login.body.tenant.slug, "acme");
      ok(
        Date.parse(login.body.expiresAt) - Date.now() <= 15 * 60_000 &&
          Date.parse(login.body.expiresAt) - Date.now() > 14 * 60_000,
      );
      const me = await call(server, "GET", "/me", {
        token: login.body.accessToken,
      });
      deepEqual(me.body.tenant.slug, "acme");
      const refreshed = await call(server, "POST", "/auth/refresh", {
        token: null,
        body: { refreshToken: login.body.refreshToken },
      });
      deepEqual(refreshed.status, 200);
      ok(refreshed.body.refreshToken !== login.body.refreshToken);
      const reused = await call(server, "POST", "/auth/refresh", {
        token: null,
        body: { refreshToken: login.body.refreshToken },
      });
      deepEqual(reused.status, 401);
      deepEqual(reused.body, AUTH_FAILED);
      // Reuse revokes the whole family, including the newest pair.
      const stolen = await call(server, "POST", "/auth/refresh", {
        token: null,
        body: { refreshToken: refreshed.body.refreshToken },
      });
      deepEqual(stolen.status, 401);
      const revoked = await call(server, "GET", "/me", {
        token: refreshed.body.accessToken,
      });
      deepEqual(revoked.status, 401);

      const second = await call(server, "POST", "/auth/tenant-login", {
        headers: { authorization: basic("acme-member", PASSWORD) },
        body: { id: acme.id },
      });
      deepEqual(second.status, 200);
      const logout = await call(server, "POST", "/auth/tenant-logout", {
        token: second.body.accessToken,
        body: { refreshToken: second.body.refreshToken },
      });
      deepEqual(logout.status, 204);
      const afterLogout = await call(server, "GET", "/me", {
        token: second.body.accessToken,
      });
      deepEqual(afterLogout.status, 401);
      const refreshAfter = await call(server, "POST", "/auth/refresh", {
        token: null,
        body: { refreshToken: second.body.refreshToken },
      });
      deepEqual(refreshAfter.status, 401);

      const boundLogin = await call(server, "POST", "/auth/tenant-login", {
        token: acme.tokens.member,
        body: { slug: "acme" },
      });
      deepEqual(boundLogin.status, 403);
      const unknownTenant = await call(server, "POST", "/auth/tenant-login", {
        headers: { authorization: basic("acme-member", PASSWORD) },
        body: { slug: "nowhere" },
      });
      deepEqual(unknownTenant.status, 404);
    },
  );

  await t.step(
    "keypairs: a signed request passes; every tampering is a 401",
    async (t) => {
      const created = await call(server, "POST", "/access-keys", {
        body: { username: "acme-member", tenant: "acme" },
      });
      deepEqual(created.status, 201);
      const key = created.body;
      match(key.accessKey, /^RPAK[A-Z2-7]{20}$/);
      const passed = await call(server, "POST", "/projects", {
        keypair: key,
        body: { name: "signed" },
      });
      deepEqual(passed.status, 201);

      const url = new URL("/api/v1/projects?x=1", server.url);
      const body = JSON.stringify({ name: "tampered" });
      const headers = { "content-type": "application/json" };
      async function send(
        change: (init: {
          url: URL;
          body: string;
          headers: Record<string, string>;
        }) => void,
        options: Parameters<typeof signRequest>[2] = {},
        signingKey = key,
      ): Promise<void> {
        const signed = await signRequest(
          { method: "POST", url, headers, body },
          signingKey,
          options,
        );
        const init = {
          url: new URL(url),
          body,
          headers: { ...headers, ...signed.headers },
        };
        change(init);
        const response = await fetch(init.url, {
          method: "POST",
          headers: init.headers,
          body: init.body,
        });
        deepEqual(response.status, 401);
        deepEqual(await response.json(), AUTH_FAILED);
      }
      const cases: Array<[string, () => Promise<void>]> = [
        ["changed body", () => send((r) => r.body = body.replace("t", "T"))],
        ["changed path", () => send((r) => r.url.pathname = "/api/v1/agents")],
        ["changed query", () => send((r) => r.url.search = "?x=2")],
        ["changed host", () => send((r) => r.url.hostname = "localhost")],
        [
          "changed content type",
          () =>
            send((r) => r.headers["content-type"] = "application/json; x=1"),
        ],
        [
          "stale date",
          () => send(() => {}, { date: new Date(Date.now() - 6 * 60_000) }),
        ],
        [
          "future date",
          () => send(() => {}, { date: new Date(Date.now() + 6 * 60_000) }),
        ],
        [
          "unknown key",
          () =>
            send(() => {}, {}, { accessKey: "RPAKUNKNOWN", secretKey: "x" }),
        ],
        [
          "wrong secret",
          () => send(() => {}, {}, { ...key, secretKey: key.secretKey + "x" }),
        ],
        ["truncated signature", () =>
          send((r) => {
            r.headers.authorization = r.headers.authorization.slice(0, -2);
          })],
        ["malformed header", () =>
          send((r) => {
            r.headers.authorization = "RUNPLANE-HMAC-SHA256 nonsense";
          })],
      ];
      for (const [name, run] of cases) {
        await t.step(name, run);
      }

      await t.step("replayed nonce", async () => {
        const signed = await signRequest(
          { method: "GET", url: new URL("/api/v1/me", server.url) },
          key,
        );
        const first = await fetch(new URL("/api/v1/me", server.url), {
          headers: signed.headers,
        });
        deepEqual(first.status, 200);
        await first.body?.cancel();
        const replay = await fetch(new URL("/api/v1/me", server.url), {
          headers: signed.headers,
        });
        deepEqual(replay.status, 401);
        deepEqual(await replay.json(), AUTH_FAILED);
      });

      await t.step("sha512 signatures work too", async () => {
        const target = new URL("/api/v1/me", server.url);
        const signed = await signRequest({ method: "GET", url: target }, key, {
          hashType: "sha512",
        });
        const response = await fetch(target, { headers: signed.headers });
        deepEqual(response.status, 200);
        deepEqual((await response.json()).tenant.slug, "acme");
      });
    },
  );
});

import assert from "node:assert/strict";
import { Credentials } from "../../auth/credentials.ts";
import { AuthenticationError, InvalidArgumentError } from "../../errors.ts";
import {
  apiError,
  json,
  type RecordedRequest,
  startServer,
} from "../_helpers/test_server.ts";
import { rejection, testClient } from "../_helpers/client.ts";

const TENANT = {
  id: "t1",
  slug: "acme",
  name: "Acme",
  createdAt: "2026-01-01T00:00:00Z",
};
const BASIC = `Basic ${btoa("alice:pw")}`;

/**
 * A server for tenant logins: tenant-login answers a grant that expires in
 * `firstLifetimeMs`; refresh answers one that lasts an hour.
 */
function tenantServer(firstLifetimeMs: number) {
  const refreshes: RecordedRequest[] = [];
  const tenantLogins: RecordedRequest[] = [];
  const tenantLogouts: RecordedRequest[] = [];
  const valid = new Set<string>();
  let issued = 0;
  const grant = (lifetimeMs: number) => {
    issued++;
    valid.add(`a${issued}`);
    return {
      accessToken: `a${issued}`,
      refreshToken: `r${issued}`,
      expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
      tenant: TENANT,
    };
  };
  const server = startServer((request) => {
    const path = request.url.pathname;
    const authorization = request.headers.get("authorization");
    if (path === "/api/v1/auth/tenant-login") {
      tenantLogins.push(request);
      if (authorization !== BASIC) return apiError(401, "bad", "No");
      return json(grant(firstLifetimeMs));
    }
    if (path === "/api/v1/auth/refresh") {
      refreshes.push(request);
      const { refreshToken } = JSON.parse(request.text);
      if (refreshToken !== `r${issued}`) {
        return apiError(401, "bad_refresh", "Unknown refresh token");
      }
      valid.clear();
      return json(grant(3_600_000));
    }
    if (path === "/api/v1/auth/tenant-logout") {
      tenantLogouts.push(request);
      valid.clear();
      return json({});
    }
    const token = authorization?.replace(/^Bearer /, "");
    if (authorization === BASIC) return json({ as: "alice" });
    if (token === undefined || !valid.has(token)) {
      return apiError(401, "expired", "Token expired");
    }
    return json({ as: token });
  });
  return { server, refreshes, tenantLogins, tenantLogouts, valid };
}

function aliceClient(url: string) {
  return testClient(url, {
    credentials: new Credentials({ username: "alice", password: "pw" }),
  });
}

Deno.test("Client.loginToTenant() exchanges the credentials for an access token", async () => {
  const { server, tenantLogins, refreshes } = tenantServer(3_600_000);
  await using _server = server;
  await using client = aliceClient(server.url);
  assert.deepEqual(await client.loginToTenant({ slug: "acme" }), TENANT);
  assert.deepEqual(client.tenant, TENANT);
  assert.equal(tenantLogins.length, 1);
  assert.equal(tenantLogins[0].headers.get("authorization"), BASIC);
  assert.deepEqual(JSON.parse(tenantLogins[0].text), { slug: "acme" });
  assert.equal(await client.getAuthToken(), "a1");
  assert.deepEqual(await client.get("/projects"), { as: "a1" });
  assert.equal(refreshes.length, 0, "a token far from expiry is kept");
});

Deno.test("Client.loginToTenant() rejects a tenant without slug or id", async () => {
  await using client = aliceClient("http://127.0.0.1:9");
  for (const tenant of [{}, null, { slug: 5 }, "acme"]) {
    const error = await rejection(() => client.loginToTenant(tenant as never));
    assert.ok(error instanceof InvalidArgumentError);
    assert.equal(
      error.message,
      "loginToTenant needs { slug } or { id } of a tenant",
    );
  }
});

Deno.test("Client.getAuthToken() refreshes a token that expires within 30 seconds", async () => {
  const { server, refreshes } = tenantServer(10_000);
  await using _server = server;
  await using client = aliceClient(server.url);
  await client.loginToTenant({ slug: "acme" });
  assert.equal(await client.getAuthToken(), "a2");
  assert.equal(refreshes.length, 1);
  assert.deepEqual(JSON.parse(refreshes[0].text), { refreshToken: "r1" });
  assert.equal(refreshes[0].headers.get("authorization"), null);
  assert.equal(await client.getAuthToken(), "a2");
  assert.equal(refreshes.length, 1);
});

Deno.test("Client.getAuthToken() keeps a token with more than 30 seconds left", async () => {
  const { server, refreshes } = tenantServer(40_000);
  await using _server = server;
  await using client = aliceClient(server.url);
  await client.loginToTenant({ slug: "acme" });
  assert.equal(await client.getAuthToken(), "a1");
  assert.equal(refreshes.length, 0);
});

Deno.test("Client makes exactly one refresh call for 1,000 concurrent requests across an expiry", async () => {
  const { server, refreshes } = tenantServer(10_000);
  await using _server = server;
  await using client = aliceClient(server.url);
  await client.loginToTenant({ slug: "acme" });
  const answers = await Promise.all(
    Array.from(
      { length: 1_000 },
      (_, i) =>
        i % 2 === 0
          ? client.get<{ as: string }>("/projects")
          : client.getAuthToken().then((token) => ({ as: token })),
    ),
  );
  assert.equal(refreshes.length, 1);
  assert.ok(answers.every((answer) => answer.as === "a2"));
});

Deno.test("Client refreshes once and retries after a 401 on a revoked access token", async () => {
  const { server, refreshes, valid } = tenantServer(3_600_000);
  await using _server = server;
  await using client = aliceClient(server.url);
  await client.loginToTenant({ slug: "acme" });
  valid.clear();
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => client.get<{ as: string }>("/projects")),
  );
  assert.equal(refreshes.length, 1);
  assert.ok(answers.every((answer) => answer.as === "a2"));
});

Deno.test("Client.logoutFromTenant() revokes the tokens and goes back to the own credentials", async () => {
  const { server, tenantLogouts } = tenantServer(3_600_000);
  await using _server = server;
  await using client = aliceClient(server.url);
  await client.loginToTenant({ slug: "acme" });
  await client.logoutFromTenant();
  assert.equal(tenantLogouts.length, 1);
  assert.deepEqual(JSON.parse(tenantLogouts[0].text), { refreshToken: "r1" });
  assert.equal(client.tenant, undefined);
  assert.equal(await client.getAuthToken(), undefined);
  assert.deepEqual(await client.get("/projects"), { as: "alice" });
});

Deno.test("Client.loginToTenant() rejects a malformed grant with AuthenticationError", async () => {
  await using server = startServer(() => json({ accessToken: "a1" }));
  await using client = aliceClient(server.url);
  const error = await rejection(() => client.loginToTenant({ id: "t1" }));
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.equal(
    error.message,
    "The server's token grant is malformed: it needs accessToken, refreshToken and expiresAt",
  );
});

Deno.test("Client.getAuthToken() returns the token of token credentials and nothing for the others", async () => {
  await using token = testClient("http://127.0.0.1:9", {
    credentials: new Credentials({ token: "rp_tok" }),
  });
  await using basic = aliceClient("http://127.0.0.1:9");
  await using keypair = testClient("http://127.0.0.1:9", {
    credentials: new Credentials({ accessKey: "AK1", secretKey: "sk" }),
  });
  assert.equal(await token.getAuthToken(), "rp_tok");
  assert.equal(await basic.getAuthToken(), undefined);
  assert.equal(await keypair.getAuthToken(), undefined);
});
